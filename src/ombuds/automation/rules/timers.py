"""Time rules: armed when a case enters a status, cancelled when it leaves, swept when due.

A `DueAction` row exists for each (case, rule) only while the case waits in the rule's
status, with `due_at = since + hours` on an index; the periodic sweep reads rows with
`due_at <= now`, so its cost follows what is due, not how many cases exist.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from ombuds.conversations.models import Case, CaseEvent
from ombuds.core.batch import forget_on_change, remembered

from ..models import DueAction, TimeRule
from .actions import Rule, run_actions
from .conditions import Facts, all_hold

log = logging.getLogger(__name__)
BATCH = 200


forget_on_change(TimeRule)


def _rules_for(workspace_id: int, status: str) -> list[TimeRule]:
    # Read once per filing batch (core.batch), not once per case.
    return remembered(
        ("automation.time_rules", workspace_id, status),
        lambda: list(
            TimeRule.objects.filter(workspace_id=workspace_id, status=status, is_active=True)
        ),
    )


def arm(case: Case, status: str, since: datetime) -> int:
    """The case entered `status` at `since`: arm every active time rule of that status."""
    rules = _rules_for(case.workspace_id, status)
    for rule in rules:
        DueAction.objects.update_or_create(
            case=case,
            rule=rule,
            defaults={
                "workspace_id": case.workspace_id,
                "since": since,
                "due_at": since + timedelta(hours=rule.hours),
            },
        )
    return len(rules)


def cancel(case: Case, status: str) -> int:
    """The case left `status`: its rules no longer wait."""
    deleted, _ = DueAction.objects.filter(case=case, rule__status=status).delete()
    return deleted


def on_status_event(event: CaseEvent) -> None:
    if event.kind == "case.created":
        arm(event.case, (event.after or {}).get("status") or event.case.status, event.created_at)
    elif event.kind == "status.changed":
        if event.before:
            cancel(event.case, event.before)
        if event.after:
            arm(event.case, event.after, event.created_at)


def entered_at_subquery():
    """When each case last entered its current status (its last status change, or its
    creation)."""
    return Subquery(
        CaseEvent.objects.filter(case=OuterRef("pk"), kind="status.changed")
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )


@transaction.atomic
def arm_rule_for_waiting_cases(rule: TimeRule) -> int:
    """A new or changed rule also applies to cases already waiting in its status, counted
    from when each entered it."""
    DueAction.objects.filter(rule=rule).delete()
    if not rule.is_active:
        return 0
    waiting = (
        Case.objects.filter(workspace_id=rule.workspace_id, status=rule.status)
        .annotate(entered=entered_at_subquery())
        .values_list("pk", "entered", "created_at")
    )
    hours = timedelta(hours=rule.hours)
    rows = [
        DueAction(
            workspace_id=rule.workspace_id,
            case_id=pk,
            rule=rule,
            since=entered or created,
            due_at=(entered or created) + hours,
        )
        for pk, entered, created in waiting.iterator(chunk_size=2000)
    ]
    DueAction.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def due_actions(now: datetime, limit: int = BATCH) -> list[int]:
    return list(
        DueAction.objects.filter(due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def run_due(pk: int, now: datetime) -> bool:
    """Run one due time rule; True when its actions ran."""
    with transaction.atomic():
        due = (
            DueAction.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("rule", "case")
            .filter(pk=pk, due_at__lte=now)
            .first()
        )
        if due is None:
            return False
        rule, case = due.rule, due.case
        due.delete()
        # The row should have been cancelled when the case moved on; check anyway.
        if not rule.is_active or case.status != rule.status:
            return False
        if not all_hold(rule.conditions or [], Facts(case, None, now=now)):
            return False
        run_actions(rule.actions, case, Rule("time_rule", rule.pk, rule.name))
        TimeRule.objects.filter(pk=rule.pk).update(
            fire_count=F("fire_count") + 1, last_fired_at=now
        )
        return True


def sweep_time_rules(now: datetime | None = None) -> int:
    """Run every time rule that is due; returns how many ran their actions."""
    now = now or timezone.now()
    ran = 0
    seen: set[int] = set()
    while ids := [pk for pk in due_actions(now) if pk not in seen]:
        # Rows another worker holds stay due; seeing them again ends this sweep.
        seen.update(ids)
        ran += sum(run_due(pk, now) for pk in ids)
    return ran
