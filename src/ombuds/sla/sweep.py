"""The deadline sweep: every minute, the clocks whose warning or deadline has come.

Both reads are range scans of partial indexes that hold only running, undecided clocks
(`sla_clock_warn`, `sla_clock_due`), so a sweep costs what is due, however many clocks
run. Each batch is one transaction; on PostgreSQL parallel sweepers skip each other's
rows (SKIP LOCKED), on SQLite the write lock serialises them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from ombuds.conversations import events
from ombuds.conversations.models import Case

from .clocks.book import CaseClocks, threshold_event
from .escalations import carry_out, plan_escalation
from .models import Outcome, SlaClock

BATCH = 200


@dataclass
class SweepResult:
    warnings: int = 0
    breaches: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"warnings": self.warnings, "breaches": self.breaches, "seconds": self.seconds}


def due_warnings(now: datetime):
    return SlaClock.objects.filter(warn_at__lte=now).order_by("warn_at")


def due_breaches(now: datetime):
    return SlaClock.objects.filter(breached_at__isnull=True, due_at__lte=now).order_by("due_at")


def _save(found: list) -> None:
    """What pass_thresholds set on the clocks, in two set-wise updates per batch (a
    per-row CASE over a few hundred rows costs more than the whole rest of the sweep)."""
    warned = [p.clock.pk for p in found if p.kind == "sla.warning"]
    breached = [p.clock.pk for p in found if p.kind == "sla.breached"]
    if warned:
        SlaClock.objects.filter(pk__in=warned).update(warned_at=F("warn_at"), warn_at=None)
    if breached:
        case = Case.objects.filter(pk=OuterRef("case_id"))
        SlaClock.objects.filter(pk__in=breached).update(
            breached_at=F("due_at"),
            outcome=Outcome.BREACHED,
            outcome_at=F("due_at"),
            team_id=Subquery(case.values("team_id")[:1]),
            agent_id=Subquery(case.values("assignee_id")[:1]),
        )


def sweep_due_clocks(*, now: datetime | None = None, batch: int = BATCH) -> SweepResult:
    """Record every warning and breach that is due, and carry out their escalations."""
    began = time.perf_counter()
    now = now or timezone.now()
    result = SweepResult()
    for query in (due_warnings, due_breaches):
        while True:
            # A bare read of the index first: an idle sweep (most minutes) takes no lock
            # and joins nothing.
            ids = list(query(now).values_list("pk", flat=True)[:batch])
            if not ids:
                break
            with transaction.atomic():
                # By id, not by the due condition again: that would rescan the rest of
                # the due range per batch. pass_thresholds checks each clock once locked.
                clocks = list(
                    SlaClock.objects.filter(pk__in=ids)
                    .select_for_update(skip_locked=True, of=("self",))
                    .select_related("case", "policy")
                )
                _pass(clocks, now, result)
            if len(ids) < batch:
                break
    result.seconds = time.perf_counter() - began
    return result


def _pass(clocks: list[SlaClock], now: datetime, result: SweepResult) -> None:
    found = []
    for clock in clocks:
        book = CaseClocks(case=clock.case, at=now, open={clock.metric: clock})
        found += book.pass_thresholds(now, team_id=clock.case.team_id)
    _save(found)
    plans = [
        plan_escalation(p.clock, "warning" if p.kind == "sla.warning" else "breach") for p in found
    ]
    recorded = events.record_many(
        threshold_event(
            p.clock.case, p, **({"escalation": plan.as_data()} if not plan.is_empty else {})
        )
        for p, plan in zip(found, plans, strict=True)
    )
    # Escalations write to cases (priority, team), so they follow every record.
    for passed, plan, event in zip(found, plans, recorded, strict=True):
        if not plan.is_empty:
            carry_out(passed.clock, plan, event.pk)
        if passed.kind == "sla.warning":
            result.warnings += 1
        else:
            result.breaches += 1
