"""Reads of the marketplace read model, always within one workspace."""

from django.db.models import Prefetch

from ombuds.core.errors import NotFound
from ombuds.core.models import Workspace

from .models import Order, OrderEvent, Party


def party_by_external_id(*, workspace: Workspace, external_id: str) -> Party:
    party = Party.objects.filter(workspace=workspace, external_id=external_id).first()
    if party is None:
        raise NotFound("party", external_id)
    return party


def order_with_details(
    *, workspace: Workspace, external_id: str | None = None, pk: int | None = None
) -> Order:
    """An order with its lines, payments, bookings, shipments and events, in a fixed
    number of queries."""
    query = Order.objects.filter(workspace=workspace)
    query = (
        query.filter(external_id=external_id) if external_id is not None else query.filter(pk=pk)
    )
    order = (
        query.select_related("buyer", "seller")
        .prefetch_related(
            "lines",
            "payments",
            "shipments",
            Prefetch("bookings__third_party"),
            Prefetch("events", queryset=OrderEvent.objects.order_by("-occurred_at", "-id")),
        )
        .first()
    )
    if order is None:
        raise NotFound("order", external_id or pk)
    return order


def orders_of_party(*, workspace: Workspace, party: Party, limit: int = 20) -> list[Order]:
    return list(
        Order.objects.filter(workspace=workspace, buyer=party).order_by("-placed_at", "-id")[:limit]
    )


def order_by_external_id(*, workspace: Workspace, external_id: str) -> Order | None:
    """The order the marketplace knows as `external_id`, or None when it never sent it."""
    return Order.objects.filter(workspace=workspace, external_id=external_id).first()


def party_exists(*, workspace: Workspace, external_id: str) -> bool:
    return Party.objects.filter(workspace=workspace, external_id=external_id).exists()


def order_exists(*, workspace: Workspace, external_id: str) -> bool:
    return Order.objects.filter(workspace=workspace, external_id=external_id).exists()
