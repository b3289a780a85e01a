"""Reads of chargebacks, always within one workspace, in a bounded number of queries."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, QuerySet

from ombuds.conversations.models import Case
from ombuds.core.errors import NotFound
from ombuds.core.models import Workspace

from .models import CallStatus, Chargeback, PspCall, PspConnection, PspEvent
from .states import CLOSED_STATES, OPEN_STATES

VIEWS = ("open", "closed", "all")
LIST_LIMIT = 100


def _listed(workspace: Workspace) -> QuerySet[Chargeback]:
    return Chargeback.objects.filter(workspace=workspace).select_related(
        "order", "payment", "case", "connection"
    )


def chargebacks_of(
    *, workspace: Workspace, view: str = "open", limit: int = LIST_LIMIT, offset: int = 0
) -> list[Chargeback]:
    """Open chargebacks soonest deadline first (none last); closed ones newest first.
    One query whatever the page holds."""
    query = _listed(workspace)
    if view == "open":
        query = query.filter(state__in=OPEN_STATES).order_by(
            F("evidence_due_by").asc(nulls_last=True), "-opened_at", "-pk"
        )
    elif view == "closed":
        query = query.filter(state__in=CLOSED_STATES).order_by("-closed_at", "-pk")
    else:
        query = query.order_by("-opened_at", "-pk")
    return list(query[offset : offset + limit])


def chargeback_counts(*, workspace: Workspace) -> dict[str, int]:
    query = Chargeback.objects.filter(workspace=workspace)
    return {
        "open": query.filter(state__in=OPEN_STATES).count(),
        "closed": query.filter(state__in=CLOSED_STATES).count(),
    }


def chargeback_of(*, workspace: Workspace, pk: int) -> Chargeback:
    found = (
        _listed(workspace)
        .select_related("order__buyer", "order__seller", "workspace")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("chargeback", pk)
    return found


def chargebacks_of_case(case: Case) -> list[Chargeback]:
    return list(
        Chargeback.objects.filter(workspace_id=case.workspace_id, case=case)
        .select_related("connection", "payment", "order")
        .order_by("-opened_at", "-pk")
    )


def open_chargebacks_of_payment(payment_id: int) -> list[Chargeback]:
    return list(Chargeback.objects.filter(payment_id=payment_id, state__in=OPEN_STATES))


def due_warnings(now: datetime, limit: int = 100) -> list[int]:
    """Chargebacks whose deadline warning is due and not yet given (the index's range)."""
    return list(
        Chargeback.objects.filter(due_warned_at__isnull=True, due_warning_at__lte=now)
        .order_by("due_warning_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def recent_events(connection: PspConnection, limit: int = 20) -> list[PspEvent]:
    return list(
        PspEvent.objects.filter(connection=connection)
        .defer("raw")
        .order_by("-received_at", "-pk")[:limit]
    )


def calls_of(*, workspace: Workspace, limit: int = 30) -> list[PspCall]:
    return list(
        PspCall.objects.filter(workspace=workspace)
        .select_related("case", "connection")
        .order_by("-created_at", "-pk")[:limit]
    )


def failed_call_count(workspace: Workspace) -> int:
    return PspCall.objects.filter(workspace=workspace, status=CallStatus.FAILED).count()


def call_of(*, workspace: Workspace, pk: int) -> PspCall:
    found = PspCall.objects.filter(workspace=workspace, pk=pk).first()
    if found is None:
        raise NotFound("psp_call", pk)
    return found


def calls_of_case(case: Case) -> list[PspCall]:
    return list(
        PspCall.objects.filter(workspace_id=case.workspace_id, case=case).order_by(
            "-created_at", "-pk"
        )
    )
