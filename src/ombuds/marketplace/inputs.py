"""What the marketplace sends about an order, and the checks it must pass before any
row is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ombuds.core.errors import ApplicationError
from ombuds.core.money import check_amount, check_currency

from .models import (
    BookingKind,
    OrderKind,
    OrderStatus,
    PaymentStatus,
    ShipmentStatus,
    TransferStatus,
)


@dataclass
class LineInput:
    description: str
    quantity: int
    unit_price: int


@dataclass
class PaymentInput:
    external_id: str
    status: str
    amount: int
    captured_amount: int = 0
    refunded_amount: int = 0
    provider: str = ""
    method: str = ""
    captured_at: datetime | None = None


@dataclass
class BookingInput:
    external_id: str
    kind: str
    title: str
    location: str = ""
    third_party: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    holder_name: str = ""
    confirmation_code: str = ""
    transfer_status: str = TransferStatus.PENDING
    transfer_due_at: datetime | None = None
    transferred_at: datetime | None = None


@dataclass
class ShipmentInput:
    external_id: str
    carrier: str
    tracking_number: str = ""
    tracking_url: str = ""
    status: str = ShipmentStatus.LABEL_CREATED
    promised_at: date | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None


@dataclass
class OrderInput:
    buyer: str
    kind: str
    currency: str
    total: int
    seller: str | None = None
    status: str | None = None
    placed_at: datetime | None = None
    metadata: dict = field(default_factory=dict)
    lines: list[LineInput] = field(default_factory=list)
    payments: list[PaymentInput] = field(default_factory=list)
    bookings: list[BookingInput] = field(default_factory=list)
    shipments: list[ShipmentInput] = field(default_factory=list)


def _check_choice(value: str, choices, code: str, field_name: str) -> None:
    if value not in choices.values:
        raise ApplicationError(
            code,
            f"{value!r} is not a valid {field_name}.",
            details={"field": field_name, "allowed": choices.values},
            status=422,
        )


def check_order_input(spec: OrderInput) -> None:
    check_currency(spec.currency)
    check_amount(spec.total, field="total")
    _check_choice(spec.kind, OrderKind, "unknown_order_kind", "kind")
    if spec.status is not None:
        _check_choice(spec.status, OrderStatus, "unknown_order_status", "status")
    for i, line in enumerate(spec.lines):
        check_amount(line.unit_price, field=f"lines[{i}].unit_price")
        if line.quantity < 1:
            raise ApplicationError(
                "invalid_quantity",
                "A line's quantity must be at least 1.",
                details={"field": f"lines[{i}].quantity"},
                status=422,
            )
    for i, pay in enumerate(spec.payments):
        _check_choice(pay.status, PaymentStatus, "unknown_payment_status", f"payments[{i}].status")
        for name in ("amount", "captured_amount", "refunded_amount"):
            check_amount(getattr(pay, name), field=f"payments[{i}].{name}")
        if pay.refunded_amount > pay.captured_amount:
            raise ApplicationError(
                "refund_exceeds_capture",
                "A payment cannot be refunded beyond what was captured.",
                details={"field": f"payments[{i}].refunded_amount"},
                status=422,
            )
    for i, booking in enumerate(spec.bookings):
        _check_choice(booking.kind, BookingKind, "unknown_booking_kind", f"bookings[{i}].kind")
        _check_choice(
            booking.transfer_status,
            TransferStatus,
            "unknown_transfer_status",
            f"bookings[{i}].transfer_status",
        )
    for i, shipment in enumerate(spec.shipments):
        _check_choice(
            shipment.status, ShipmentStatus, "unknown_shipment_status", f"shipments[{i}].status"
        )
