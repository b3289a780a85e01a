"""Reads of disputes, always within one workspace, and for a party only their own.

Lists run a fixed number of queries whatever their length; what a party reads of a
dispute is filtered by the visibility of each message and piece of evidence.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ombuds.conversations.models import Case
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.core.models import Workspace
from ombuds.marketplace.models import Order, Party

from .models import (
    OPEN_STATES,
    READABLE_BY,
    Dispute,
    DisputeMessage,
    Evidence,
    Offer,
    OfferStatus,
    Role,
)

DEADLINE_FILTERS = ("overdue", "today", "week", "none")
PAGE = 50


@dataclass
class DisputeFilters:
    state: list[str] = field(default_factory=list)
    reason: list[str] = field(default_factory=list)
    deadline: str = ""  # overdue, today (within 24 h), week (within 7 days), none
    seller: int | None = None
    q: str = ""


@dataclass
class DisputePage:
    items: list[Dispute]
    next_cursor: str | None


def _base(workspace: Workspace) -> QuerySet[Dispute]:
    return Dispute.objects.filter(workspace=workspace).select_related(
        "case", "order", "buyer", "seller"
    )


def dispute_by_reference(*, workspace: Workspace, reference: str) -> Dispute:
    dispute = _base(workspace).filter(reference=(reference or "").upper()).first()
    if dispute is None:
        raise NotFound("dispute", reference)
    return dispute


def dispute_of_buyer(*, workspace: Workspace, buyer: Party, reference: str) -> Dispute:
    """A buyer's own dispute; anyone else's is as absent as one that does not exist."""
    dispute = dispute_by_reference(workspace=workspace, reference=reference)
    if dispute.buyer_id != buyer.pk:
        raise NotFound("dispute", reference)
    return dispute


def dispute_of_seller(*, workspace: Workspace, seller: Party, reference: str) -> Dispute:
    """A dispute about one of the seller's own orders, or 404."""
    dispute = dispute_by_reference(workspace=workspace, reference=reference)
    if dispute.seller_id is None or dispute.seller_id != seller.pk:
        raise NotFound("dispute", reference)
    return dispute


def _encode(dispute: Dispute) -> str:
    raw = f"{dispute.updated_at.isoformat()}|{dispute.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        return datetime.fromisoformat(stamp), int(pk)
    except (ValueError, UnicodeDecodeError):
        raise ApplicationError(
            "invalid_cursor", "The cursor is not one this API gave out.", status=400
        ) from None


def _filtered(workspace: Workspace, filters: DisputeFilters, now: datetime) -> QuerySet[Dispute]:
    query = _base(workspace)
    if filters.state:
        query = query.filter(state__in=filters.state)
    if filters.reason:
        query = query.filter(reason__in=filters.reason)
    if filters.seller:
        query = query.filter(seller_id=filters.seller)
    if filters.deadline == "overdue":
        query = query.filter(next_due_at__lte=now)
    elif filters.deadline == "today":
        query = query.filter(next_due_at__gt=now, next_due_at__lte=now + timedelta(days=1))
    elif filters.deadline == "week":
        query = query.filter(next_due_at__gt=now, next_due_at__lte=now + timedelta(days=7))
    elif filters.deadline == "none":
        query = query.filter(next_due_at__isnull=True)
    q = (filters.q or "").strip()
    if q:
        query = query.filter(pk__in=_named_by(workspace, q))
    return query


def _named_by(workspace: Workspace, q: str) -> list[int]:
    """The disputes a search names by their reference, their order's number or their
    case's reference: one query of three index lookups. (One OR across the joins reads
    every dispute of the workspace: 1.4 s at 100,000 on SQLite.)"""
    own = Dispute.objects.filter(workspace=workspace)
    named = [
        own.filter(reference=q.upper()),
        own.filter(order__in=Order.objects.filter(workspace=workspace, external_id=q)),
        own.filter(case__in=Case.objects.filter(workspace=workspace, reference=q.upper())),
    ]
    first, *others = (n.order_by().values_list("pk", flat=True) for n in named)
    return list(first.union(*others))


def disputes_for_desk(
    *,
    workspace: Workspace,
    filters: DisputeFilters | None = None,
    cursor: str | None = None,
    limit: int = PAGE,
    now: datetime | None = None,
) -> DisputePage:
    """Disputes newest activity first (deadline filters: soonest first), one page, in
    one query."""
    filters = filters or DisputeFilters()
    now = now or timezone.now()
    limit = max(1, min(limit, 200))
    query = _filtered(workspace, filters, now)
    if filters.deadline in ("overdue", "today", "week"):
        # A deadline list is worked soonest first; it is short, so no cursor.
        items = list(query.order_by("next_due_at", "pk")[:limit])
        return DisputePage(items, None)
    if cursor:
        stamp, pk = _decode(cursor)
        query = query.filter(Q(updated_at__lt=stamp) | Q(updated_at=stamp, pk__lt=pk))
    items = list(query.order_by("-updated_at", "-pk")[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return DisputePage(items, _encode(items[-1]) if more and items else None)


def state_counts(*, workspace: Workspace) -> dict[str, int]:
    """How many disputes are in each open state (one grouped query)."""
    rows = (
        Dispute.objects.filter(workspace=workspace, state__in=OPEN_STATES)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["state"]: row["n"] for row in rows}


def disputes_of_buyer(*, workspace: Workspace, buyer: Party, limit: int = 100) -> list[Dispute]:
    return list(_base(workspace).filter(buyer=buyer).order_by("-updated_at", "-pk")[:limit])


def disputes_of_seller(*, workspace: Workspace, seller: Party, limit: int = 100) -> list[Dispute]:
    return list(_base(workspace).filter(seller=seller).order_by("-updated_at", "-pk")[:limit])


def orders_for_dispute(*, workspace: Workspace, buyer: Party, limit: int = 50) -> list[Order]:
    """The buyer's orders, newest first, each with `open_dispute` (its reference or
    None): two queries."""
    orders = list(
        Order.objects.filter(workspace=workspace, buyer=buyer)
        .select_related("seller")
        .order_by("-placed_at", "-pk")[:limit]
    )
    running = dict(
        Dispute.objects.filter(
            workspace=workspace, order__in=orders, state__in=OPEN_STATES
        ).values_list("order_id", "reference")
    )
    for order in orders:
        order.open_dispute = running.get(order.pk)
    return orders


def own_order(*, workspace: Workspace, buyer: Party, external_id: str) -> Order:
    order = (
        Order.objects.filter(workspace=workspace, buyer=buyer, external_id=external_id)
        .select_related("seller")
        .first()
    )
    if order is None:
        raise NotFound("order", external_id)
    return order


# --- one dispute, as each side reads it ----------------------------------------------


def thread_for(dispute: Dispute, *, role: str) -> list[DisputeMessage]:
    """The messages `role` may read, oldest first: one query. Each message holds the
    dispute it was read with, so a page naming the workspace for a platform message
    reads it once, not once per message."""
    messages = list(
        DisputeMessage.objects.filter(dispute=dispute, visibility__in=READABLE_BY[role])
        .select_related("author_user", "author_party")
        .order_by("created_at", "pk")
    )
    for message in messages:
        message.dispute = dispute
    return messages


def evidence_for(dispute: Dispute, *, role: str) -> list[Evidence]:
    """The evidence `role` may see; parties do not see what was withdrawn: one query."""
    query = Evidence.objects.filter(dispute=dispute, visibility__in=READABLE_BY[role])
    if role != Role.AGENT:
        query = query.filter(withdrawn_at__isnull=True)
    return list(query.select_related("submitted_by_party", "submitted_by_user").order_by("number"))


def evidence_file(dispute: Dispute, *, role: str, number: int) -> Evidence:
    found = next(
        (e for e in evidence_for(dispute, role=role) if e.number == number and e.file), None
    )
    if found is None:
        raise NotFound("evidence", number)
    return found


def pending_offer(dispute: Dispute) -> Offer | None:
    return (
        Offer.objects.filter(dispute=dispute, status=OfferStatus.PENDING)
        .order_by("-number")
        .first()
    )


def open_dispute_of_order(*, order: Order) -> Dispute | None:
    """The dispute running on an order (for the chargeback process and the case page)."""
    return (
        Dispute.objects.filter(workspace_id=order.workspace_id, order=order, state__in=OPEN_STATES)
        .order_by("-pk")
        .first()
    )


def disputes_of_case(case) -> list[Dispute]:
    return list(Dispute.objects.filter(workspace_id=case.workspace_id, case=case).order_by("-pk"))
