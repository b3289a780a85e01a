"""The marketplace feeds its read model: parties, orders and what happens to orders.

Writes need the marketplace.write permission (admins; the integration's token).
PUT answers 201 when it created the row and 200 when the row already existed.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from ombuds.accounts.api_auth import can_read_cases, can_write_marketplace
from ombuds.automation.care import receive_order_event
from ombuds.conversations.events import Actor
from ombuds.core.errors import NotFound

from .schemas import OrderEventIn, OrderEventOut, OrderIn, OrderOut, PartyDetailOut, PartyIn
from .selectors import (
    order_by_external_id,
    order_exists,
    order_with_details,
    party_by_external_id,
    party_exists,
)
from .services import upsert_order, upsert_party

router = Router(tags=["marketplace"], auth=can_read_cases)


@router.put(
    "/parties/{external_id}",
    auth=can_write_marketplace,
    response={200: PartyDetailOut, 201: PartyDetailOut},
)
def put_party(request: HttpRequest, external_id: str, payload: PartyIn):
    """Create or update a buyer, seller or third party; the same payload twice changes
    nothing."""
    workspace = request.auth.workspace
    existed = party_exists(workspace=workspace, external_id=external_id)
    party, _ = upsert_party(workspace=workspace, external_id=external_id, **payload.model_dump())
    return Status(200 if existed else 201, party)


@router.get("/parties/{external_id}", response=PartyDetailOut)
def get_party(request: HttpRequest, external_id: str):
    """A party with its cases and orders."""
    return party_by_external_id(workspace=request.auth.workspace, external_id=external_id)


@router.put(
    "/orders/{external_id}",
    auth=can_write_marketplace,
    response={200: OrderOut, 201: OrderOut},
)
def put_order(request: HttpRequest, external_id: str, payload: OrderIn):
    """Create or update an order with its lines, payments, bookings and shipments."""
    workspace = request.auth.workspace
    existed = order_exists(workspace=workspace, external_id=external_id)
    order, _ = upsert_order(workspace=workspace, external_id=external_id, spec=payload.to_input())
    return Status(200 if existed else 201, order_with_details(workspace=workspace, pk=order.pk))


@router.get("/orders/{external_id}", response=OrderOut)
def get_order(request: HttpRequest, external_id: str):
    """An order with everything the desk knows about it, and its cases."""
    return order_with_details(workspace=request.auth.workspace, external_id=external_id)


@router.post(
    "/orders/{external_id}/events",
    auth=can_write_marketplace,
    response={200: OrderEventOut, 201: OrderEventOut},
)
def post_order_event(request: HttpRequest, external_id: str, payload: OrderEventIn):
    """Something happened to an order (`shipment.delayed`): it lands on the order and on
    every case about it, and a care plan for its type tells the buyer before they ask.
    200 when the event's id was already recorded."""
    workspace = request.auth.workspace
    order = order_by_external_id(workspace=workspace, external_id=external_id)
    if order is None:
        raise NotFound("order", external_id)
    event, created = receive_order_event(
        workspace=workspace,
        order=order,
        type=payload.type,
        occurred_at=payload.occurred_at,
        data=payload.data,
        external_id=payload.id,
        actor=Actor(user=request.auth.user),
    )
    return Status(201 if created else 200, event)
