"""A case's SLA clocks, moved by its timeline (docs/adr/0011).

`on_case_event` is the timeline listener (ADR 0005): case.created starts first response
and resolution; an agent's reply meets first and next response; a customer's message
starts a next-response clock; status changes pause, resume and stop clocks; changes of
priority, tags or team choose the policy again and explain it on the timeline.

Every moment is the event's own time, never "now", so the same moves rebuild the clocks
of a case from its history (`history.start_clocks_from_history`).
"""

from __future__ import annotations

from datetime import datetime

from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import ACTIVE_STATUSES, Case, CaseEvent, Priority, Status
from ombuds.core.models import BusinessCalendar

from ..models import ClockState, Metric, Outcome, SlaClock, SlaPolicy
from .book import SLA, CaseClocks, Lookups
from .facts import Facts, runs_in

HANDLED = frozenset(
    {
        "case.created",
        "message.replied",
        "message.received",
        "note.added",
        "status.changed",
        "priority.changed",
        "tags.changed",
        "team.changed",
    }
)
RECONSIDERED = frozenset({"priority.changed", "tags.changed", "team.changed"})
RESPONSE_METRICS = (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE)
PRIORITY_LADDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]


def on_case_event(event: CaseEvent) -> None:
    """The timeline listener: move the case's clocks by what just happened."""
    if event.kind not in HANDLED:
        return
    case = event.case
    # The service records a change before it sets the field: the team is still the old one.
    react(case, event, Facts(case, event), team_before=case.team_id)


def react(
    case: Case,
    event: CaseEvent,
    facts,
    *,
    team_before: int | None,
    lookups: Lookups | None = None,
    book: CaseClocks | None = None,
) -> CaseClocks:
    """Move the clocks by one event. `book` carries a case's clocks from one event to the
    next when a history is replayed; live, they are read afresh."""
    at = event.created_at
    if book is None:
        book = CaseClocks.load(case, at, lookups)
    else:
        book.at = at
    # A deadline that passed before this event but after the last sweep still counts:
    # the timeline says so, without escalation (the moment for that is gone).
    book.pass_thresholds(at, team_id=team_before)
    kind = event.kind
    if kind == "case.created":
        policy = book.choose(facts)
        book.start(Metric.FIRST_RESPONSE, policy, facts)
        book.start(Metric.RESOLUTION, policy, facts)
        book.save()
        book.record_passed()
        if policy is not None:
            _record_policy(case, book, policy, at, reason=kind, before=None)
        return book
    if kind == "message.replied":
        for metric in RESPONSE_METRICS:
            book.meet(metric, by_user_id=event.actor_user_id, team_id=facts.team_id)
        if facts.status == Status.PENDING_THIRD_PARTY:
            _follow_up_done(book, event, facts)
    elif kind == "note.added":
        if facts.status == Status.PENDING_THIRD_PARTY:
            _follow_up_done(book, event, facts)
    elif kind == "message.received":
        waiting = any(m in book.open for m in RESPONSE_METRICS)
        if facts.responded and not waiting:
            book.start(Metric.NEXT_RESPONSE, book.choose(facts), facts)
    elif kind == "status.changed":
        _apply_status(book, event, facts)
    elif kind in RECONSIDERED:
        book.save()
        book.record_passed()
        reconsider(book, facts, reason=kind, actor=SLA)
        return book
    book.save()
    book.record_passed()
    return book


def _follow_up_done(book: CaseClocks, event: CaseEvent, facts) -> None:
    """Someone followed up on the third party's work: the next follow-up is due later."""
    clock = book.open.get(Metric.FOLLOW_UP)
    if clock is None:
        return
    policy = clock.policy
    book.meet(Metric.FOLLOW_UP, by_user_id=event.actor_user_id, team_id=facts.team_id)
    book.start(Metric.FOLLOW_UP, policy or book.choose(facts), facts)


def _apply_status(book: CaseClocks, event: CaseEvent, facts) -> None:
    before, after = event.before, event.after
    solver = event.actor_user_id
    if after in (Status.SOLVED, Status.CLOSED):
        book.meet(Metric.RESOLUTION, by_user_id=solver, team_id=facts.team_id)
        for metric in (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.FOLLOW_UP):
            book.cancel(metric)
        return
    if before == Status.SOLVED and Metric.RESOLUTION not in book.open:
        _reopen_resolution(book, facts)
    if after == Status.PENDING_THIRD_PARTY:
        book.start(Metric.FOLLOW_UP, book.choose(facts), facts)
    elif before == Status.PENDING_THIRD_PARTY:
        book.cancel(Metric.FOLLOW_UP)
    for clock in list(book.open.values()):
        should_run = runs_in(clock.metric, after, clock.policy)
        if should_run and clock.state == ClockState.PAUSED:
            book.resume(clock)
        elif not should_run and clock.state == ClockState.RUNNING:
            book.pause(clock)


def _reopen_resolution(book: CaseClocks, facts) -> None:
    """A solved case reopened: it was not resolved after all, and its resolution clock
    goes on from the time it had used."""
    last = (
        SlaClock.objects.filter(case=book.case, metric=Metric.RESOLUTION, state=ClockState.MET)
        .select_related("policy")
        .order_by("-stopped_at", "-pk")
        .first()
    )
    if last is None:
        book.start(Metric.RESOLUTION, book.choose(facts), facts)
        return
    last.state = ClockState.PAUSED
    last.stopped_at = None
    if last.outcome == Outcome.ACHIEVED:
        last.outcome, last.outcome_at, last.agent_id, last.team_id = Outcome.NONE, None, None, None
    book.open[last.metric] = last
    book._touch(last)
    if runs_in(last.metric, facts.status, last.policy):
        book.resume(last)


def reconsider(book: CaseClocks, facts, *, reason: str, actor: Actor) -> None:
    """Choose the policy again after a change of priority, tags or team: open clocks
    keep the time they used and take the new targets and calendar; the timeline says
    why."""
    case, at = book.case, book.at
    policy = book.choose(facts)
    row, _ = book.calendar_for(policy, facts.team_id)
    calendar_id = row.pk if row is not None else None
    opened = list(book.open.values())
    before = opened[0].policy if opened else None
    calendar_before = opened[0].calendar_id if opened else None
    moved_policy = any(c.policy_id != (policy.pk if policy else None) for c in opened)
    moved_calendar = any(c.calendar_id != calendar_id for c in opened)
    for clock in opened:
        target = policy.target(clock.metric) if policy is not None else None
        if target is None:
            book.cancel(clock.metric)
        elif clock.policy_id != policy.pk or clock.calendar_id != calendar_id:
            retarget(book, clock, policy, row, facts.status)
    started = _start_missing(book, policy, facts)
    book.save()
    book.record_passed()
    if not (moved_policy or moved_calendar or started):
        return
    if policy is None:
        events.record(
            case,
            "sla.policy_changed",
            actor,
            data={"reason": reason, "policy": None, "before": before.name if before else None},
            at=at,
        )
        return
    _record_policy(
        case,
        book,
        policy,
        at,
        reason=reason,
        before=before,
        calendar_before=calendar_before if moved_calendar and not moved_policy else None,
    )


def retarget(
    book: CaseClocks, clock: SlaClock, policy: SlaPolicy, row: BusinessCalendar | None, status: str
) -> None:
    """An open clock under (possibly) another policy and calendar: the time it used so
    far stays; the rest is counted on the new target and calendar from now on."""
    book._fold(clock)
    target = policy.target(clock.metric)
    clock.policy, clock.policy_name, clock.calendar = policy, policy.name, row
    clock.target, clock.warn_after = target, target * policy.warn_percent / 100
    if runs_in(clock.metric, status, policy):
        clock.state, clock.running_since = ClockState.RUNNING, book.at
        book._schedule(clock, book.calendar_of_clock(clock))
    else:
        clock.state = ClockState.PAUSED
        clock.running_since = clock.due_at = clock.warn_at = None
    book._touch(clock)


def _start_missing(book: CaseClocks, policy: SlaPolicy | None, facts) -> bool:
    """Clocks the new policy has targets for that the case does not have yet."""
    if policy is None or facts.status not in ACTIVE_STATUSES:
        return False
    case = book.case
    wanted = [
        m
        for m in (Metric.FIRST_RESPONSE, Metric.RESOLUTION)
        if m not in book.open and policy.target(m) is not None
    ]
    seen = (
        set(SlaClock.objects.filter(case=case, metric__in=wanted).values_list("metric", flat=True))
        if wanted
        else set()
    )
    started = False
    if not facts.responded and Metric.FIRST_RESPONSE not in seen:
        started |= (
            book.start(Metric.FIRST_RESPONSE, policy, facts, since=case.created_at) is not None
        )
    if Metric.RESOLUTION not in seen:
        started |= book.start(Metric.RESOLUTION, policy, facts, since=case.created_at) is not None
    if facts.status == Status.PENDING_THIRD_PARTY and Metric.FOLLOW_UP not in book.open:
        started |= book.start(Metric.FOLLOW_UP, policy, facts) is not None
    return started


def _calendar_name(book: CaseClocks, calendar_id: int | None) -> str | None:
    if calendar_id is None:
        return None
    row = book.lookups.calendar(book.case.workspace, calendar_id)[0]
    return row.name if row is not None else None


def _record_policy(
    case: Case,
    book: CaseClocks,
    policy: SlaPolicy,
    at: datetime,
    *,
    reason: str,
    before: SlaPolicy | None,
    calendar_before: int | None = None,
) -> CaseEvent:
    """'SLA policy X applies (priority changed): first response due …' on the timeline."""
    due = {
        clock.metric: clock.due_at.isoformat() if clock.due_at else None
        for clock in book.open.values()
    }
    kind = "sla.policy_applied" if reason == "case.created" else "sla.policy_changed"
    clock = next(iter(book.open.values()), None)
    return events.record(
        case,
        kind,
        SLA,
        data={
            "reason": reason,
            "policy": policy.name,
            "policy_id": policy.pk,
            "before": before.name if before is not None else None,
            "calendar": _calendar_name(book, clock.calendar_id) if clock is not None else None,
            "calendar_before": _calendar_name(book, calendar_before),
            "due": due,
        },
        at=at,
    )


def next_priority(priority: str) -> str | None:
    """One step up the priority ladder, or None at the top."""
    i = PRIORITY_LADDER.index(priority) if priority in PRIORITY_LADDER else 1
    return PRIORITY_LADDER[i + 1] if i + 1 < len(PRIORITY_LADDER) else None
