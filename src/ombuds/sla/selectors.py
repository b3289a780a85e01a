"""Reads of the SLA app: policies, a case's clocks as people read them, the compliance
report. Every function takes the workspace (or a case of it) and runs a fixed number of
queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from ombuds.accounts.models import Team, User
from ombuds.conversations.models import Case
from ombuds.core.business_time import ZERO, business_time_between
from ombuds.core.models import Workspace
from ombuds.core.selectors import calendar_of, calendar_value, fallback_calendar

from .models import ClockState, Metric, Outcome, ServiceTargets, SlaClock, SlaPolicy


def policies_of(workspace: Workspace) -> list[SlaPolicy]:
    """The workspace's policies in the order they are tried."""
    return list(
        SlaPolicy.objects.filter(workspace=workspace).select_related(
            "calendar", "warning_team", "breach_team"
        )
    )


def policy_by_id(*, workspace: Workspace, pk: int) -> SlaPolicy | None:
    return (
        SlaPolicy.objects.filter(workspace=workspace, pk=pk)
        .select_related("calendar", "warning_team", "breach_team")
        .first()
    )


def service_targets_of(workspace: Workspace) -> ServiceTargets:
    """The workspace's CSAT target (the default when none was set)."""
    return ServiceTargets.objects.filter(workspace=workspace).first() or ServiceTargets(
        workspace=workspace
    )


@dataclass(frozen=True)
class ClockView:
    """A clock as the case page shows it."""

    clock: SlaClock
    now: datetime
    left: timedelta | None  # business time left (running or paused, not yet due)

    @property
    def metric(self) -> str:
        return self.clock.metric

    @property
    def label(self) -> str:
        return self.clock.get_metric_display()

    @property
    def state(self) -> str:
        return self.clock.state

    @property
    def is_running(self) -> bool:
        return self.clock.state == ClockState.RUNNING

    @property
    def is_paused(self) -> bool:
        return self.clock.state == ClockState.PAUSED

    @property
    def is_open(self) -> bool:
        return self.clock.is_open

    @property
    def due_at(self) -> datetime | None:
        return self.clock.due_at

    @property
    def is_overdue(self) -> bool:
        due = self.clock.due_at
        return self.is_running and due is not None and due <= self.now

    @property
    def overdue_by(self) -> timedelta | None:
        return self.now - self.clock.due_at if self.is_overdue else None

    @property
    def is_breached(self) -> bool:
        return self.clock.outcome == Outcome.BREACHED

    @property
    def is_warned(self) -> bool:
        return self.clock.warned_at is not None and not self.is_breached

    @property
    def used_share(self) -> float:
        """How much of the target is used, 0..1 (for the bar)."""
        target = self.clock.target
        if not target or self.left is None:
            return 1.0 if self.is_breached or not self.is_open else 0.0
        return max(0.0, min(1.0, 1 - self.left / target))

    @property
    def tone(self) -> str:
        if self.is_breached or self.is_overdue:
            return "breached"
        if self.is_warned:
            return "warned"
        if self.is_paused:
            return "paused"
        return "running" if self.is_open else "done"


def clocks_of_case(case: Case, *, now: datetime | None = None) -> list[ClockView]:
    """A case's open clocks, then its finished ones (newest first): two queries, plus
    one for the calendar when it is not cached yet."""
    now = now or timezone.now()
    clocks = list(
        SlaClock.objects.filter(case=case).order_by("-started_at", "-pk").select_related("calendar")
    )
    workspace = case.workspace
    values = {}
    views = []
    for clock in clocks:
        left = None
        if clock.is_open and clock.outcome != Outcome.BREACHED:
            used = clock.elapsed
            if clock.state == ClockState.RUNNING and clock.running_since is not None:
                if clock.calendar_id not in values:
                    row = clock.calendar or calendar_of(workspace=workspace)
                    values[clock.calendar_id] = (
                        calendar_value(row) if row is not None else fallback_calendar(workspace)
                    )
                used += business_time_between(values[clock.calendar_id], clock.running_since, now)
            left = max(clock.target - used, ZERO)
        views.append(ClockView(clock=clock, now=now, left=left))
    order = list(Metric.values)
    views.sort(
        key=lambda v: (not v.is_open, order.index(v.metric), -v.clock.started_at.timestamp())
    )
    return views


def clocks_for_api(*, workspace: Workspace, case: Case) -> list[SlaClock]:
    return list(
        SlaClock.objects.filter(workspace=workspace, case=case).order_by("started_at", "pk")
    )


# --- the compliance report ------------------------------------------------------------


@dataclass
class MetricCount:
    achieved: int = 0
    breached: int = 0

    @property
    def total(self) -> int:
        return self.achieved + self.breached

    @property
    def rate(self) -> float | None:
        """Share achieved, 0..1; None without any outcome."""
        return self.achieved / self.total if self.total else None


@dataclass
class ReportRow:
    """One team or agent: achieved and breached per metric."""

    key: int | None
    name: str
    metrics: dict[str, MetricCount] = field(default_factory=dict)

    def count(self, metric: str) -> MetricCount:
        return self.metrics.setdefault(metric, MetricCount())

    @property
    def overall(self) -> MetricCount:
        return MetricCount(
            achieved=sum(m.achieved for m in self.metrics.values()),
            breached=sum(m.breached for m in self.metrics.values()),
        )


@dataclass
class ComplianceReport:
    since: datetime
    until: datetime
    by: str  # "team" or "agent"
    rows: list[ReportRow]
    totals: ReportRow
    metrics: list[str]


def compliance_report(
    *, workspace: Workspace, since: datetime, until: datetime, by: str = "team"
) -> ComplianceReport:
    """Targets achieved and breached per metric, per team or per agent, for the outcomes
    decided in [since, until): one grouped query over the outcome index, one for names."""
    if by not in ("team", "agent"):
        raise ValueError(by)
    column = f"{by}_id"
    counted = (
        SlaClock.objects.filter(workspace=workspace, outcome_at__gte=since, outcome_at__lt=until)
        .exclude(outcome="")
        .values(column, "metric")
        .annotate(
            achieved=Count("pk", filter=Q(outcome=Outcome.ACHIEVED)),
            breached=Count("pk", filter=Q(outcome=Outcome.BREACHED)),
        )
    )
    by_key: dict[int | None, ReportRow] = {}
    totals = ReportRow(key=None, name="")
    grouped = defaultdict(list)
    for row in counted:
        grouped[row[column]].append(row)
    if by == "team":
        names = dict(
            Team.objects.filter(workspace=workspace, pk__in=[k for k in grouped if k]).values_list(
                "pk", "name"
            )
        )
    else:
        names = {
            u.pk: u.display_name for u in User.objects.filter(pk__in=[k for k in grouped if k])
        }
    for key, rows in grouped.items():
        report_row = by_key.setdefault(key, ReportRow(key=key, name=names.get(key, "")))
        for row in rows:
            count = report_row.count(row["metric"])
            count.achieved += row["achieved"]
            count.breached += row["breached"]
            total = totals.count(row["metric"])
            total.achieved += row["achieved"]
            total.breached += row["breached"]
    ordered = sorted(by_key.values(), key=lambda r: (r.key is None, r.name.lower()))
    metrics = [m for m in Metric.values if m in totals.metrics]
    return ComplianceReport(
        since=since, until=until, by=by, rows=ordered, totals=totals, metrics=metrics
    )
