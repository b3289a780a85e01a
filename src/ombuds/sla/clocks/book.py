"""One case's open clocks while one event is applied: loaded once, moved, written once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models.signals import post_save

from ombuds.accounts.models import Team
from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, CaseEvent
from ombuds.core.batch import forget_on_change, kept, remembered
from ombuds.core.business_time import ZERO, Calendar, add_business_time, business_time_between
from ombuds.core.models import BusinessCalendar
from ombuds.core.selectors import calendar_of, calendar_value, fallback_calendar

from ..models import OPEN_STATES, ClockState, Outcome, SlaClock, SlaPolicy
from .facts import policy_matches, runs_in

SLA = Actor.system("sla")
forget_on_change(SlaPolicy)
# Cases created in the current filing batch (core.batch) that no clock was saved for
# yet: loading their clocks needs no query.
_CLOCKLESS = "sla.clockless"
# The open clocks of cases the batch is about to add messages to, read in one query
# before its first row (`look_up_open_clocks`): case id -> clocks. The first load of a
# case takes them; saving one of its clocks drops them.
_OPEN = "sla.open"


def _case_saved(sender, instance, created, **kwargs) -> None:
    if created and (cases := kept(_CLOCKLESS)) is not None:
        cases[instance.pk] = True


def _clock_saved(sender, instance, **kwargs) -> None:
    if cases := kept(_CLOCKLESS):
        cases.pop(instance.case_id, None)
    if opened := kept(_OPEN):
        opened.pop(instance.case_id, None)


def look_up_open_clocks(case_ids: Iterable[int]) -> None:
    """Read the open clocks of these cases at once, for their first `CaseClocks.load`
    in this filing batch (outside one this does nothing)."""
    opened = kept(_OPEN)
    if opened is None:
        return
    wanted = sorted({pk for pk in case_ids if pk not in opened})
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for pk in chunk:
            opened[pk] = []
        clocks = SlaClock.objects.filter(case_id__in=chunk, state__in=OPEN_STATES)
        for clock in clocks.select_related("policy"):
            opened[clock.case_id].append(clock)


post_save.connect(_case_saved, sender=Case, dispatch_uid="sla.clockless.case")
post_save.connect(_clock_saved, sender=SlaClock, dispatch_uid="sla.clockless.clock")


@dataclass
class Passed:
    """A warning or breach that the clock reached: what the timeline records."""

    clock: SlaClock
    kind: str  # "sla.warning" or "sla.breached"
    at: datetime


@dataclass
class Lookups:
    """A workspace's policies, calendars and team calendars, read once: for one event
    live, and for a whole batch when histories are replayed."""

    workspace_id: int
    _policies: list[SlaPolicy] | None = None
    # Calendar rows and values by calendar id (None: the workspace default).
    _calendars: dict[int | None, tuple[BusinessCalendar | None, Calendar]] = field(
        default_factory=dict
    )
    _team_calendars: dict[int | None, int | None] = field(default_factory=dict)
    _team_names: dict[str, int | None] = field(default_factory=dict)

    def policies(self) -> list[SlaPolicy]:
        if self._policies is None:
            # Read once per filing batch (core.batch), not once per event.
            workspace_id = self.workspace_id
            self._policies = remembered(
                ("sla.policies", workspace_id),
                lambda: list(SlaPolicy.objects.filter(workspace_id=workspace_id, is_active=True)),
            )
        return self._policies

    def calendar(
        self, workspace, calendar_id: int | None
    ) -> tuple[BusinessCalendar | None, Calendar]:
        if calendar_id not in self._calendars:
            row = calendar_of(workspace=workspace, calendar_id=calendar_id)
            value = calendar_value(row) if row is not None else fallback_calendar(workspace)
            self._calendars[calendar_id] = (row, value)
            if row is not None:
                self._calendars.setdefault(row.pk, (row, value))
        return self._calendars[calendar_id]

    def team_calendar(self, team_id: int | None) -> int | None:
        if team_id not in self._team_calendars:
            self._team_calendars[team_id] = (
                Team.objects.filter(pk=team_id).values_list("calendar_id", flat=True).first()
                if team_id
                else None
            )
        return self._team_calendars[team_id]

    def team_named(self, name: str | None) -> int | None:
        """A team's id by the name a team.changed event records."""
        if not name:
            return None
        if name not in self._team_names:
            self._team_names[name] = (
                Team.objects.filter(workspace_id=self.workspace_id, name=name)
                .values_list("pk", flat=True)
                .first()
            )
        return self._team_names[name]

    def remember(self, row: BusinessCalendar | None, value: Calendar) -> None:
        self._calendars[row.pk if row is not None else None] = (row, value)


@dataclass
class CaseClocks:
    """The open clocks of one case, loaded once and written once per event."""

    case: Case
    at: datetime
    open: dict[str, SlaClock] = field(default_factory=dict)
    changed: dict[int, SlaClock] = field(default_factory=dict)
    new: list[SlaClock] = field(default_factory=list)
    passed: list[Passed] = field(default_factory=list)
    lookups: Lookups | None = None
    # While a history is replayed the case's deadline is written once, at the end.
    replaying: bool = False

    def __post_init__(self) -> None:
        if self.lookups is None:
            self.lookups = Lookups(self.case.workspace_id)

    @classmethod
    def load(cls, case: Case, at: datetime, lookups: Lookups | None = None) -> CaseClocks:
        if (cases := kept(_CLOCKLESS)) and case.pk in cases:
            return cls(case=case, at=at, lookups=lookups)
        if (opened := kept(_OPEN)) and case.pk in opened:
            clocks = opened.pop(case.pk)
        else:
            clocks = SlaClock.objects.filter(case=case, state__in=OPEN_STATES).select_related(
                "policy"
            )
        return cls(case=case, at=at, open={c.metric: c for c in clocks}, lookups=lookups)

    # --- choosing ---------------------------------------------------------------------

    def choose(self, facts) -> SlaPolicy | None:
        return next((p for p in self.lookups.policies() if policy_matches(p, facts)), None)

    def calendar_for(
        self, policy: SlaPolicy | None, team_id: int | None
    ) -> tuple[BusinessCalendar | None, Calendar]:
        """The policy's own calendar, else the team's, else the workspace default."""
        own = policy.calendar_id if policy else None
        return self.lookups.calendar(
            self.case.workspace, own or self.lookups.team_calendar(team_id)
        )

    def calendar_of_clock(self, clock: SlaClock) -> Calendar:
        return self.lookups.calendar(self.case.workspace, clock.calendar_id)[1]

    # --- the moves of a clock ---------------------------------------------------------

    def _touch(self, clock: SlaClock) -> None:
        if clock.pk is not None:
            self.changed[clock.pk] = clock

    def start(
        self, metric: str, policy: SlaPolicy | None, facts, *, since: datetime | None = None
    ) -> SlaClock | None:
        """A clock for `metric` under `policy`, running if the status lets it. `since`
        starts it in the past (counting the business time from then as used)."""
        target = policy.target(metric) if policy is not None else None
        if target is None or metric in self.open:
            return None
        row, calendar = self.calendar_for(policy, facts.team_id)
        began = since or self.at
        clock = SlaClock(
            workspace_id=self.case.workspace_id,
            case=self.case,
            metric=metric,
            policy=policy,
            policy_name=policy.name,
            calendar=row,
            state=ClockState.PAUSED,
            target=target,
            warn_after=target * policy.warn_percent / 100,
            elapsed=business_time_between(calendar, began, self.at) if since else ZERO,
            started_at=began,
        )
        self.open[metric] = clock
        self.new.append(clock)
        if runs_in(metric, facts.status, policy):
            self.resume(clock)
        return clock

    def resume(self, clock: SlaClock) -> None:
        calendar = self.calendar_of_clock(clock)
        clock.state = ClockState.RUNNING
        clock.running_since = self.at
        self._schedule(clock, calendar)
        self._touch(clock)

    def _schedule(self, clock: SlaClock, calendar: Calendar) -> None:
        """due_at and warn_at of a running clock, from running_since on."""
        since = clock.running_since
        if clock.breached_at is not None:
            # It stays overdue since it first became so.
            clock.due_at = clock.breached_at
        else:
            clock.due_at = add_business_time(
                calendar, since, max(clock.target - clock.elapsed, ZERO)
            )
        if clock.warned_at is None and clock.breached_at is None:
            clock.warn_at = add_business_time(
                calendar, since, max(clock.warn_after - clock.elapsed, ZERO)
            )
        else:
            clock.warn_at = None

    def _fold(self, clock: SlaClock) -> None:
        """Count a running clock's business time up to now into elapsed."""
        if clock.state == ClockState.RUNNING and clock.running_since is not None:
            calendar = self.calendar_of_clock(clock)
            clock.elapsed += business_time_between(calendar, clock.running_since, self.at)
            clock.running_since = self.at

    def pause(self, clock: SlaClock) -> None:
        self._fold(clock)
        clock.state = ClockState.PAUSED
        clock.running_since = clock.due_at = clock.warn_at = None
        self._touch(clock)

    def _stop(self, clock: SlaClock, state: str) -> None:
        self._fold(clock)
        clock.state = state
        clock.stopped_at = self.at
        clock.running_since = clock.due_at = clock.warn_at = None
        self.open.pop(clock.metric, None)
        self._touch(clock)

    def meet(self, metric: str, *, by_user_id: int | None, team_id: int | None) -> None:
        clock = self.open.get(metric)
        if clock is None:
            return
        self._stop(clock, ClockState.MET)
        if clock.outcome != Outcome.BREACHED:
            clock.outcome, clock.outcome_at = Outcome.ACHIEVED, self.at
            clock.agent_id = by_user_id or self.case.assignee_id
            clock.team_id = team_id

    def cancel(self, metric: str) -> None:
        clock = self.open.get(metric)
        if clock is not None:
            self._stop(clock, ClockState.CANCELLED)

    # --- thresholds -----------------------------------------------------------------

    def pass_thresholds(self, until: datetime, *, team_id: int | None) -> list[Passed]:
        """Warnings and breaches that fell due by `until` on running clocks."""
        found = []
        for clock in list(self.open.values()):
            if clock.state != ClockState.RUNNING:
                continue
            if clock.warn_at is not None and clock.warn_at <= until:
                clock.warned_at, clock.warn_at = clock.warn_at, None
                found.append(Passed(clock, "sla.warning", clock.warned_at))
                self._touch(clock)
            if clock.breached_at is None and clock.due_at is not None and clock.due_at <= until:
                clock.breached_at = clock.due_at
                clock.outcome, clock.outcome_at = Outcome.BREACHED, clock.due_at
                clock.team_id = team_id
                clock.agent_id = self.case.assignee_id
                found.append(Passed(clock, "sla.breached", clock.breached_at))
                self._touch(clock)
        found.sort(key=lambda p: p.at)
        self.passed += found
        return found

    # --- writing ----------------------------------------------------------------------

    def save(self) -> None:
        # Stopped clocks first: a follow-up met and started again in one event would
        # otherwise meet the one-open-clock-per-metric constraint.
        for clock in self.changed.values():
            clock.save()
        for clock in self.new:
            clock.save()
        self.changed.clear()
        self.new.clear()
        if not self.replaying:
            self.refresh_case_due()

    def refresh_case_due(self) -> None:
        due = min(
            (c.due_at for c in self.open.values() if c.state == ClockState.RUNNING and c.due_at),
            default=None,
        )
        if due != self.case.sla_due_at:
            Case.objects.filter(pk=self.case.pk).update(sla_due_at=due)
            self.case.sla_due_at = due

    def record_passed(self) -> None:
        """The warnings and breaches found, on the timeline at the moment they happened."""
        for passed in self.passed:
            record_threshold(self.case, passed)
        self.passed.clear()


def threshold_data(clock: SlaClock) -> dict:
    return {
        "metric": clock.metric,
        "policy": clock.policy_name,
        "policy_id": clock.policy_id,
        "clock": clock.pk,
        "due_at": (clock.due_at or clock.breached_at).isoformat()
        if (clock.due_at or clock.breached_at)
        else None,
        "target_minutes": int(clock.target.total_seconds() // 60),
    }


def threshold_event(case: Case, passed: Passed, **extra) -> events.NewEvent:
    return events.NewEvent(
        case=case,
        kind=passed.kind,
        actor=SLA,
        data={**threshold_data(passed.clock), **extra},
        at=passed.at,
    )


def record_threshold(case: Case, passed: Passed, **extra) -> CaseEvent:
    return events.record(
        case,
        passed.kind,
        SLA,
        data={**threshold_data(passed.clock), **extra},
        at=passed.at,
    )
