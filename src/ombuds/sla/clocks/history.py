"""Clocks for cases that predate the policies, rebuilt from their timelines."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ombuds.conversations.models import Case

from ..models import SlaClock
from .book import CaseClocks, Lookups
from .facts import HistoryFacts
from .moves import HANDLED, react


@transaction.atomic
def start_clocks_from_history(
    *, case: Case, now: datetime | None = None, lookups: Lookups | None = None
) -> list[SlaClock]:
    """Clocks for a case that has none yet (it predates the policies), as if the
    policies had applied from its first message: its history is replayed through the
    same moves. Warnings and breaches that would have happened go on the timeline at
    their moment, without escalation."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().select_related("requester", "workspace").get(pk=case.pk)
    if SlaClock.objects.filter(case=case).exists():
        return []
    history = list(case.events.exclude(kind__startswith="sla.").order_by("created_at", "pk"))
    created = next((e for e in history if e.kind == "case.created"), None)
    if created is None:
        return []
    lookups = lookups or Lookups(case.workspace_id)
    facts = HistoryFacts.at_creation(case, created, history, lookups.team_named)
    book = CaseClocks(case=case, at=created.created_at, lookups=lookups, replaying=True)
    for event in history:
        if event.kind not in HANDLED:
            continue
        team_before = facts.team_id
        facts.before(event)
        react(case, event, facts, team_before=team_before, book=book)
        facts.after(event)
    book.at, book.replaying = now, False
    book.pass_thresholds(now, team_id=case.team_id)
    book.save()
    book.record_passed()
    return list(SlaClock.objects.filter(case=case))
