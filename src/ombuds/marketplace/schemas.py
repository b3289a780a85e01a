"""What the marketplace sends and gets back: parties, orders and order events.

The schemas check shape (types, enums, lengths, ranges); the services check meaning
(known currency, no negative money, refunds within captures). Amounts are integers in
minor units and must arrive as JSON integers: 12.5 or "1250" are refused, never rounded.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.db import models
from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict, StrictBool, StrictInt

from ombuds.conversations.selectors import cases_of_order, other_cases_of

from .inputs import BookingInput, LineInput, OrderInput, PaymentInput, ShipmentInput
from .models import (
    Booking,
    BookingKind,
    Order,
    OrderKind,
    OrderLine,
    OrderStatus,
    Party,
    PartyKind,
    Payment,
    PaymentStatus,
    Shipment,
    ShipmentStatus,
    TransferStatus,
)
from .selectors import orders_of_party

PARTY_CASES = 50
PARTY_ORDERS = 50

# What a BigIntegerField holds; beyond it the database would fail instead of refusing.
MinorUnits = Annotated[StrictInt, Field(le=2**63 - 1, ge=-(2**63))]
Quantity = Annotated[StrictInt, Field(le=2**31 - 1)]


def _text(model: type[models.Model], name: str, **extra: Any):
    """A string no longer than the model's column."""
    return Field(max_length=model._meta.get_field(name).max_length, **extra)


class Input(Schema):
    # A misspelt field is an error, not a silently ignored value.
    model_config = ConfigDict(extra="forbid")


class PartyIn(Input):
    kind: PartyKind
    name: str = _text(Party, "name")
    email: str | None = _text(Party, "email", default=None)
    phone: str | None = _text(Party, "phone", default=None)
    language: str | None = _text(Party, "language", default=None)
    is_vip: StrictBool | None = None


class LineIn(Input):
    description: str = _text(OrderLine, "description")
    quantity: Quantity
    unit_price: MinorUnits


class PaymentIn(Input):
    external_id: str = _text(Payment, "external_id", min_length=1)
    status: PaymentStatus
    amount: MinorUnits
    captured_amount: MinorUnits = 0
    refunded_amount: MinorUnits = 0
    provider: str = _text(Payment, "provider", default="")
    method: str = _text(Payment, "method", default="")
    captured_at: AwareDatetime | None = None


class BookingIn(Input):
    external_id: str = _text(Booking, "external_id", min_length=1)
    kind: BookingKind
    title: str = _text(Booking, "title")
    location: str = _text(Booking, "location", default="")
    third_party: str | None = Field(None, description="A party's external id")
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    holder_name: str = _text(Booking, "holder_name", default="")
    confirmation_code: str = _text(Booking, "confirmation_code", default="")
    transfer_status: TransferStatus = TransferStatus.PENDING
    transfer_due_at: AwareDatetime | None = None
    transferred_at: AwareDatetime | None = None


class ShipmentIn(Input):
    external_id: str = _text(Shipment, "external_id", min_length=1)
    carrier: str = _text(Shipment, "carrier")
    tracking_number: str = _text(Shipment, "tracking_number", default="")
    tracking_url: str = _text(Shipment, "tracking_url", default="")
    status: ShipmentStatus = ShipmentStatus.LABEL_CREATED
    promised_at: date | None = None
    shipped_at: AwareDatetime | None = None
    delivered_at: AwareDatetime | None = None


class OrderIn(Input):
    buyer: str = Field(description="The buyer's external id (PUT /parties first)")
    seller: str | None = Field(None, description="The seller's external id")
    kind: OrderKind
    currency: str = Field(description="ISO 4217, e.g. EUR", examples=["EUR"])
    total: MinorUnits = Field(description="Minor units: 12500 is EUR 125.00")
    status: OrderStatus | None = None
    placed_at: AwareDatetime | None = None
    metadata: dict[str, Any] = {}
    lines: list[LineIn] = []
    payments: list[PaymentIn] = []
    bookings: list[BookingIn] = []
    shipments: list[ShipmentIn] = []

    def to_input(self) -> OrderInput:
        def rows(cls, items):
            return [cls(**item.model_dump()) for item in items]

        return OrderInput(
            **self.model_dump(include={"buyer", "seller", "kind", "currency", "total"}),
            status=self.status,
            placed_at=self.placed_at,
            metadata=self.metadata,
            lines=rows(LineInput, self.lines),
            payments=rows(PaymentInput, self.payments),
            bookings=rows(BookingInput, self.bookings),
            shipments=rows(ShipmentInput, self.shipments),
        )


class OrderEventIn(Input):
    type: str = Field(max_length=64, examples=["shipment.delayed"])
    occurred_at: AwareDatetime
    data: dict[str, Any] = {}
    id: str | None = Field(
        None, max_length=100, description="The marketplace's event id; a repeat is ignored"
    )


class PartyRef(Schema):
    external_id: str | None
    kind: str
    name: str
    email: str


class CaseBrief(Schema):
    reference: str
    subject: str
    status: str
    priority: str
    updated_at: datetime


class OrderBrief(Schema):
    external_id: str
    kind: str
    status: str
    currency: str
    total: int
    placed_at: datetime | None


class PartyOut(PartyRef):
    phone: str
    language: str
    is_vip: bool
    created_at: datetime
    updated_at: datetime


class PartyDetailOut(PartyOut):
    cases: list[CaseBrief] = Field(description="As requester or participant, newest first")
    orders: list[OrderBrief] = Field(description="As buyer, newest first")

    @staticmethod
    def resolve_cases(party: Party, context) -> list:
        workspace = context["request"].auth.workspace
        return other_cases_of(workspace=workspace, party=party, limit=PARTY_CASES)

    @staticmethod
    def resolve_orders(party: Party, context) -> list:
        workspace = context["request"].auth.workspace
        return orders_of_party(workspace=workspace, party=party, limit=PARTY_ORDERS)


class LineOut(Schema):
    position: int
    description: str
    quantity: int
    unit_price: int


class PaymentOut(Schema):
    external_id: str
    status: str
    currency: str
    amount: int
    captured_amount: int
    refunded_amount: int
    provider: str
    method: str
    captured_at: datetime | None


class BookingOut(Schema):
    external_id: str
    kind: str
    title: str
    location: str
    third_party: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    holder_name: str
    confirmation_code: str
    transfer_status: str
    transfer_due_at: datetime | None
    transferred_at: datetime | None

    @staticmethod
    def resolve_third_party(booking: Booking) -> str | None:
        return booking.third_party.external_id if booking.third_party else None


class ShipmentOut(Schema):
    external_id: str
    carrier: str
    tracking_number: str
    tracking_url: str
    status: str
    promised_at: date | None
    shipped_at: datetime | None
    delivered_at: datetime | None


class OrderEventOut(Schema):
    id: str | None = Field(None, alias="external_id")
    type: str
    occurred_at: datetime
    data: dict[str, Any]
    received_at: datetime


class OrderOut(OrderBrief):
    buyer: PartyRef
    seller: PartyRef | None
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    lines: list[LineOut]
    payments: list[PaymentOut]
    bookings: list[BookingOut]
    shipments: list[ShipmentOut]
    events: list[OrderEventOut] = Field(description="Newest first")
    cases: list[CaseBrief] = Field(description="Newest activity first")

    @staticmethod
    def resolve_cases(order: Order) -> list:
        return cases_of_order(order=order)
