"""Open clocks follow edits of their policy and calendar.

An edit of a policy's targets, warning share or pauses, of a calendar's hours, holidays or
closures, or of which calendar a team counts on, recalculates the open clocks it touches
after the edit commits, in the background and in batches. A clock keeps the business time
it used up to when it last started running; the rest is counted on the edited terms from
then on. Finished clocks keep their outcome.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ombuds.core.services import CalendarChange

from .clocks.book import CaseClocks, Lookups
from .clocks.facts import runs_in
from .models import OPEN_STATES, ClockState, SlaClock

log = logging.getLogger(__name__)
BATCH_CASES = 200


def on_calendar_change(change: CalendarChange) -> None:
    """core's calendar hook: recalculate after the change commits."""
    from .tasks import recalculate_open_clocks

    transaction.on_commit(
        lambda: recalculate_open_clocks(
            workspace_id=change.workspace_id,
            calendar_id=change.calendar_id,
            team_id=change.team_id,
        )
    )


def clocks_to_recalculate(
    *,
    workspace_id: int,
    calendar_id: int | None = None,
    team_id: int | None = None,
    policy_id: int | None = None,
):
    """Open clocks counting on a calendar (or on none: it was just removed), of cases in
    a team, or under a policy."""
    condition = Q()
    if calendar_id is not None:
        condition |= Q(calendar_id=calendar_id) | Q(calendar__isnull=True)
    if team_id is not None:
        condition |= Q(case__team_id=team_id)
    if policy_id is not None:
        condition |= Q(policy_id=policy_id)
    if not condition:
        return SlaClock.objects.none()
    return SlaClock.objects.filter(condition, workspace_id=workspace_id, state__in=OPEN_STATES)


def recalculate(**which) -> int:
    """Recalculate the open clocks `clocks_to_recalculate(**which)` names; returns how
    many cases were touched."""
    case_ids = sorted(set(clocks_to_recalculate(**which).values_list("case_id", flat=True)))
    for start in range(0, len(case_ids), BATCH_CASES):
        with transaction.atomic():
            _recalculate_cases(case_ids[start : start + BATCH_CASES])
    return len(case_ids)


def _recalculate_cases(case_ids: list[int]) -> None:
    now = timezone.now()
    by_case = defaultdict(list)
    for clock in (
        SlaClock.objects.select_for_update(of=("self",))
        .select_related("policy", "case__workspace")
        .filter(case_id__in=case_ids, state__in=OPEN_STATES)
    ):
        by_case[clock.case_id].append(clock)
    lookups = None
    for clocks in by_case.values():
        case = clocks[0].case
        if lookups is None or lookups.workspace_id != case.workspace_id:
            lookups = Lookups(case.workspace_id)
        book = CaseClocks(case=case, at=now, open={c.metric: c for c in clocks}, lookups=lookups)
        for clock in clocks:
            _recalculate(book, clock)
        book.save()


def _recalculate(book: CaseClocks, clock: SlaClock) -> None:
    case, policy = book.case, clock.policy
    if policy is not None:
        target = policy.target(clock.metric)
        if target is None:
            book.cancel(clock.metric)
            return
        clock.target, clock.warn_after = target, target * policy.warn_percent / 100
        clock.policy_name = policy.name
    row, calendar = book.calendar_for(policy, case.team_id)
    clock.calendar = row
    book.lookups.remember(row, calendar)
    should_run = runs_in(clock.metric, case.status, policy)
    if clock.state == ClockState.RUNNING and should_run:
        book._schedule(clock, calendar)
        book._touch(clock)
    elif clock.state == ClockState.RUNNING:
        book.pause(clock)
    elif should_run:
        book.resume(clock)
    else:
        book._touch(clock)
