"""Writes for the marketplace read model. Upserts by external id are idempotent:
the same payload twice leaves every row (and its updated_at) as it was."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from ombuds.core.errors import ApplicationError
from ombuds.core.inserts import insert
from ombuds.core.models import Workspace

from .inputs import OrderInput, check_order_input
from .models import (
    Booking,
    IdentityKind,
    Order,
    OrderEvent,
    OrderLine,
    Party,
    PartyIdentity,
    PartyKind,
    Payment,
    PaymentStatus,
    Shipment,
    ShipmentStatus,
    TransferStatus,
)

EVENT_TYPE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(
            "invalid_email", f"{email!r} is not an email address.", details={"email": email}
        ) from None
    return email


def _assign(instance, values: dict[str, Any]) -> bool:
    """Set fields that differ; report whether anything changed."""
    changed = False
    for name, value in values.items():
        field = instance._meta.get_field(name)
        # Compare relations by id: reading an unset relation on a new row raises.
        current = getattr(instance, field.attname)
        wanted = value.pk if field.is_relation and value is not None else value
        if current != wanted:
            setattr(instance, name, value)
            changed = True
    return changed


def _save_changed(instance, values: dict[str, Any]) -> bool:
    if instance.pk is None:
        _assign(instance, values)
        instance.full_clean(validate_unique=False, validate_constraints=False)
        instance.save()
        return True
    if not _assign(instance, values):
        return False
    instance.full_clean(validate_unique=False, validate_constraints=False)
    instance.save()
    return True


def _link_identity(party: Party, kind: str, value: str) -> None:
    if not value:
        return
    identity = PartyIdentity.objects.filter(
        workspace_id=party.workspace_id, kind=kind, value=value
    ).first()
    if identity is None:
        PartyIdentity.objects.create(
            workspace_id=party.workspace_id, party=party, kind=kind, value=value
        )
    elif identity.party_id != party.pk:
        raise ApplicationError(
            "identity_taken",
            f"{value} already belongs to another party.",
            details={"kind": kind, "value": value},
            status=409,
        )


@transaction.atomic
def upsert_party(
    *,
    workspace: Workspace,
    external_id: str,
    kind: str,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    language: str | None = None,
    is_vip: bool | None = None,
) -> tuple[Party, bool]:
    """Create or update the party the marketplace knows as `external_id`."""
    if kind not in PartyKind.values:
        raise ApplicationError(
            "unknown_party_kind",
            f"{kind!r} is not a party kind.",
            details={"allowed": PartyKind.values},
        )
    values: dict[str, Any] = {"kind": kind, "name": name}
    if email is not None:
        values["email"] = normalize_email(email) if email else ""
    if phone is not None:
        values["phone"] = normalize_phone(phone) if phone.strip() else ""
    if language is not None:
        values["language"] = language
    if is_vip is not None:
        values["is_vip"] = is_vip
    party = (
        Party.objects.select_for_update()
        .filter(workspace=workspace, external_id=external_id)
        .first()
    )
    if party is None and values.get("email"):
        # A prospect who wrote in before buying becomes the marketplace's party.
        identity = (
            PartyIdentity.objects.select_related("party")
            .filter(
                workspace=workspace,
                kind=IdentityKind.EMAIL,
                value=values["email"],
                party__external_id__isnull=True,
            )
            .first()
        )
        party = identity.party if identity else None
        if party is not None:
            values["external_id"] = external_id
    if party is None:
        party = Party(workspace=workspace, external_id=external_id)
    changed = _save_changed(party, values)
    _link_identity(party, IdentityKind.EMAIL, party.email)
    _link_identity(party, IdentityKind.PHONE, party.phone)
    return party, changed


@transaction.atomic
def normalize_phone(raw: str, *, region: str | None = None) -> str:
    """A phone number in E.164 (+31612345678), the one form every channel is matched by."""
    text = (raw or "").strip()
    digits = re.sub(r"[\s().-]", "", text)
    if digits.startswith("00"):
        text = "+" + digits[2:]
    elif digits.isdigit() and region is None:
        # Platforms (WhatsApp's wa_id) give international numbers without the plus.
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ApplicationError(
            "invalid_phone", f"{raw!r} is not a phone number.", details={"phone": raw}, status=422
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_or_create_party_by_email(
    *, workspace: Workspace, email: str, name: str = "", language: str = ""
) -> Party:
    """The party behind an email address; a new prospect if nobody has used it yet."""
    return find_or_create_party(
        workspace=workspace,
        kind=IdentityKind.EMAIL,
        value=normalize_email(email),
        name=name,
        language=language,
    )


def surviving_party(party: Party) -> Party:
    """The party a merged party lives on in (itself when it was never merged)."""
    while party.merged_into_id is not None:
        party = party.merged_into
    return party


def known_party(party: Party, *, name: str = "") -> Party:
    """A known party seen again: a name it lacked is taken from this contact."""
    if name and not party.name:
        party.name = name[:200]
        party.save(update_fields=["name", "updated_at"])
    return party


def find_or_create_party(
    *,
    workspace: Workspace,
    kind: str,
    value: str,
    name: str = "",
    language: str = "",
    unknown: bool = False,
) -> Party:
    """The party behind a normalised identifier (email, E.164 phone, platform handle),
    following merges; a new prospect if nobody has used it yet. `unknown` says the
    caller has just looked and found nobody (a race is still caught)."""
    identity = (
        None
        if unknown
        else PartyIdentity.objects.select_related("party")
        .filter(workspace=workspace, kind=kind, value=value)
        .first()
    )
    if identity is not None:
        return known_party(surviving_party(identity.party), name=name)
    party = insert(
        Party(
            workspace=workspace,
            kind=PartyKind.BUYER,
            name=name[:200],
            email=value if kind == IdentityKind.EMAIL else "",
            phone=value if kind == IdentityKind.PHONE else "",
            language=language,
        )
    )
    try:
        with transaction.atomic():
            insert(PartyIdentity(workspace=workspace, party=party, kind=kind, value=value))
    except IntegrityError:
        # A parallel request registered the same identifier first: use theirs.
        party.delete()
        return PartyIdentity.objects.get(workspace=workspace, kind=kind, value=value).party
    return party


def _party(workspace: Workspace, external_id: str | None, role: str) -> Party | None:
    if external_id is None:
        return None
    party = Party.objects.filter(workspace=workspace, external_id=external_id).first()
    if party is None:
        raise ApplicationError(
            "unknown_party",
            f"No {role} with external id {external_id!r}.",
            details={"field": role, "external_id": external_id},
            status=422,
        )
    return party


def _owned_child(model, workspace: Workspace, order: Order, external_id: str):
    row = model.objects.filter(workspace=workspace, external_id=external_id).first()
    if row is not None and row.order_id != order.pk:
        raise ApplicationError(
            "belongs_to_other_order",
            f"{model.__name__} {external_id!r} belongs to another order.",
            details={"external_id": external_id},
            status=409,
        )
    return row or model(workspace=workspace, order=order, external_id=external_id)


@transaction.atomic
def upsert_order(*, workspace: Workspace, external_id: str, spec: OrderInput) -> tuple[Order, bool]:
    """Create or update an order with its lines, payments, bookings and shipments."""
    check_order_input(spec)
    buyer = _party(workspace, spec.buyer, "buyer")
    seller = _party(workspace, spec.seller, "seller")
    order = (
        Order.objects.select_for_update()
        .filter(workspace=workspace, external_id=external_id)
        .first()
    )
    if order is not None and order.currency != spec.currency and order.payments.exists():
        raise ApplicationError(
            "currency_change", "An order with payments cannot change currency.", status=409
        )
    order = order or Order(workspace=workspace, external_id=external_id)
    values: dict[str, Any] = {
        "buyer": buyer,
        "seller": seller,
        "kind": spec.kind,
        "currency": spec.currency,
        "total": spec.total,
        "metadata": spec.metadata,
    }
    if spec.status is not None:
        values["status"] = spec.status
    if spec.placed_at is not None:
        values["placed_at"] = spec.placed_at
    changed = _save_changed(order, values)

    wanted = [
        (i + 1, line.description, line.quantity, line.unit_price)
        for i, line in enumerate(spec.lines)
    ]
    have = list(order.lines.values_list("position", "description", "quantity", "unit_price"))
    if wanted != have:
        order.lines.all().delete()
        OrderLine.objects.bulk_create(
            OrderLine(order=order, position=p, description=d, quantity=q, unit_price=u)
            for p, d, q, u in wanted
        )
        changed = True

    for pay in spec.payments:
        row = _owned_child(Payment, workspace, order, pay.external_id)
        changed |= _save_changed(
            row,
            {
                "status": pay.status,
                "currency": spec.currency,
                "amount": pay.amount,
                "captured_amount": pay.captured_amount,
                "refunded_amount": pay.refunded_amount,
                "provider": pay.provider,
                "method": pay.method,
                "captured_at": pay.captured_at,
            },
        )
    for booking in spec.bookings:
        row = _owned_child(Booking, workspace, order, booking.external_id)
        changed |= _save_changed(
            row,
            {
                "kind": booking.kind,
                "title": booking.title,
                "location": booking.location,
                "third_party": _party(workspace, booking.third_party, "third_party"),
                "starts_at": booking.starts_at,
                "ends_at": booking.ends_at,
                "holder_name": booking.holder_name,
                "confirmation_code": booking.confirmation_code,
                "transfer_status": booking.transfer_status,
                "transfer_due_at": booking.transfer_due_at,
                "transferred_at": booking.transferred_at,
            },
        )
    for shipment in spec.shipments:
        row = _owned_child(Shipment, workspace, order, shipment.external_id)
        changed |= _save_changed(
            row,
            {
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "tracking_url": shipment.tracking_url,
                "status": shipment.status,
                "promised_at": shipment.promised_at,
                "shipped_at": shipment.shipped_at,
                "delivered_at": shipment.delivered_at,
            },
        )
    return order, changed


# Order events that also move the read model, so the case page shows the latest status.
_SHIPMENT_EVENTS = {
    "shipment.in_transit": ShipmentStatus.IN_TRANSIT,
    "shipment.delivered": ShipmentStatus.DELIVERED,
    "shipment.delayed": ShipmentStatus.DELAYED,
    "shipment.lost": ShipmentStatus.LOST,
    "shipment.damaged": ShipmentStatus.DAMAGED,
    "shipment.returned": ShipmentStatus.RETURNED,
}
_BOOKING_EVENTS = {
    "booking.transfer_pending": TransferStatus.PENDING,
    "booking.transfer_done": TransferStatus.DONE,
    "booking.transfer_failed": TransferStatus.FAILED,
}


def _apply_event(order: Order, event: OrderEvent) -> None:
    target = event.data.get("shipment") or event.data.get("booking")
    if event.type in _SHIPMENT_EVENTS:
        rows = order.shipments.filter(external_id=target) if target else order.shipments.all()
        rows.update(status=_SHIPMENT_EVENTS[event.type])
        if event.type == "shipment.delivered":
            rows.update(delivered_at=event.occurred_at)
    elif event.type in _BOOKING_EVENTS:
        rows = order.bookings.filter(external_id=target) if target else order.bookings.all()
        rows.update(transfer_status=_BOOKING_EVENTS[event.type])
        if event.type == "booking.transfer_done":
            rows.update(transferred_at=event.occurred_at)


@transaction.atomic
def record_order_event(
    *,
    workspace: Workspace,
    order: Order,
    type: str,
    occurred_at: datetime,
    data: dict | None = None,
    external_id: str | None = None,
) -> tuple[OrderEvent, bool]:
    """Append an event to the order's timeline. Returns (event, created)."""
    if not EVENT_TYPE.match(type or ""):
        raise ApplicationError(
            "invalid_event_type",
            "An event type looks like 'shipment.delayed'.",
            details={"type": type},
            status=422,
        )
    if external_id:
        existing = OrderEvent.objects.filter(workspace=workspace, external_id=external_id).first()
        if existing is not None:
            return existing, False
    event = OrderEvent.objects.create(
        workspace=workspace,
        order=order,
        type=type,
        occurred_at=occurred_at,
        data=data or {},
        external_id=external_id,
    )
    _apply_event(order, event)
    return event, True


def record_refund_paid_out(*, payment: Payment, amount: int) -> None:
    """The PSP paid back `amount` of a payment on the desk's instruction: the payment
    counts it as refunded, never beyond what was captured. `payment` was read under its
    row lock in the caller's transaction (the ledger's payout holds it)."""
    refunded = min(payment.refunded_amount + amount, payment.captured_amount)
    status = (
        PaymentStatus.REFUNDED
        if refunded >= payment.captured_amount
        else PaymentStatus.PARTIALLY_REFUNDED
    )
    Payment.objects.filter(pk=payment.pk).update(refunded_amount=refunded, status=status)
    payment.refunded_amount, payment.status = refunded, status
