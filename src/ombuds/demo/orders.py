"""Orders as the marketplace would send them: lines, payments, the booking to transfer or
the parcel to ship. Every order goes in through `upsert_order`, and stays consistent with
itself: lines add up to the total, nothing is refunded beyond what was captured, and dates
follow each other (placed, paid, shipped, delivered; bought, transfer due, event)."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ombuds.core.models import Workspace
from ombuds.marketplace.inputs import (
    BookingInput,
    LineInput,
    OrderInput,
    PaymentInput,
    ShipmentInput,
)
from ombuds.marketplace.models import Order, Party, PaymentStatus, ShipmentStatus
from ombuds.marketplace.services import upsert_order

from . import wording
from .catalogue import (
    AIRLINES,
    BRAND,
    COURIERS,
    EVENTS,
    GOODS,
    HOTELS,
    PAYMENT_METHODS,
    PAYMENT_PROVIDERS,
    ROUTES,
    VENUES,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
SERVICE_FEE_SHARE = 0.08  # what the marketplace adds to a booking's price

_TRANSFER_EVENTS = {
    "booking.transfer_done": "done",
    "booking.transfer_failed": "failed",
    "booking.transfer_pending": "pending",
}
_SHIPMENT_EVENTS = {
    "shipment.in_transit": ShipmentStatus.IN_TRANSIT,
    "shipment.delivered": ShipmentStatus.DELIVERED,
    "shipment.delayed": ShipmentStatus.DELAYED,
    "shipment.lost": ShipmentStatus.LOST,
    "shipment.damaged": ShipmentStatus.DAMAGED,
    "shipment.returned": ShipmentStatus.RETURNED,
}


@dataclass
class DemoOrder:
    """An order in the demo, with what the stories need to talk about it."""

    external_id: str
    spec: OrderInput
    words: dict[str, str]  # placeholders for the scripts, language-neutral ones
    dated: dict[str, datetime]  # placeholders that are dates, formatted per language
    order: Order | None = None

    @property
    def kind(self) -> str:
        return self.spec.kind

    def context(self, language: str) -> dict[str, str]:
        refunded = sum(p.refunded_amount for p in self.spec.payments)
        values = {
            **self.words,
            "amount": wording.money(self.spec.total, language),
            "refund": wording.money(refunded or self.spec.total // 4, language),
        }
        values.update({k: wording.day(v, language) for k, v in self.dated.items()})
        if "item_nl" in self.words and language == "nl":
            values["item"] = self.words["item_nl"]
        return values

    def observe(self, event_type: str, at: datetime) -> None:
        """Keep the spec in step with an event already recorded, so a later upsert of this
        order does not undo what the event changed."""
        if event_type in _TRANSFER_EVENTS and self.spec.bookings:
            booking = self.spec.bookings[0]
            booking.transfer_status = _TRANSFER_EVENTS[event_type]
            if booking.transfer_status == "done":
                booking.transferred_at = at
        elif event_type in _SHIPMENT_EVENTS and self.spec.shipments:
            shipment = self.spec.shipments[0]
            shipment.status = _SHIPMENT_EVENTS[event_type]
            if shipment.status == ShipmentStatus.DELIVERED:
                shipment.delivered_at = at


class OrderBook:
    """Places the orders of one workspace, numbered SR-100001, SR-100002, …"""

    def __init__(self, workspace: Workspace, rng: random.Random, third_parties: dict[str, Party]):
        self.workspace = workspace
        self.rng = rng
        self.third_parties = third_parties
        self._next = 100_000

    # --- placing -------------------------------------------------------------------------

    def place(
        self,
        *,
        kind: str,
        buyer: Party,
        seller: Party,
        placed_at: datetime,
        fulfilment: str,
        payment: str = "captured",
        cancelled: bool = False,
        starts_at: datetime | None = None,
    ) -> DemoOrder:
        """Put one order through the marketplace API's service and return it."""
        self._next += 1
        external_id = f"SR-{self._next}"
        build = {
            "event_ticket": self._tickets,
            "hotel": self._hotel_stay,
            "flight": self._flight,
            "goods": self._goods,
        }[kind]
        demo = build(external_id, buyer, seller, placed_at, fulfilment, starts_at)
        demo.spec.payments = self._payments(external_id, demo.spec.total, placed_at, payment)
        demo.spec.status = self._status(demo.spec, fulfilment, payment, cancelled)
        self.save(demo)
        return demo

    def save(self, demo: DemoOrder) -> None:
        demo.order, _ = upsert_order(
            workspace=self.workspace, external_id=demo.external_id, spec=demo.spec
        )

    def refund(self, demo: DemoOrder, *, how: str) -> int:
        """The marketplace refunds: in full, part of it, or only a duplicate payment.
        Returns the amount refunded now."""
        payments = demo.spec.payments
        if how == "refund_duplicate" and len(payments) > 1:
            targets, share = payments[1:], 1.0
        elif how == "refund_partial":
            targets, share = payments[:1], self.rng.choice((0.15, 0.2, 0.25, 0.3))
        else:
            targets, share = payments, 1.0
        refunded_now = 0
        for i, pay in enumerate(payments):
            if pay not in targets or pay.captured_amount == 0:
                continue
            room = pay.captured_amount - pay.refunded_amount
            amount = min(room, round(pay.captured_amount * share))
            new_total = pay.refunded_amount + amount
            full = new_total == pay.captured_amount
            payments[i] = replace(
                pay,
                refunded_amount=new_total,
                status=PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED,
            )
            refunded_now += amount
        if how == "refund":
            demo.spec.status = "refunded"
        self.save(demo)
        return refunded_now

    # --- one builder per kind ---------------------------------------------------------------

    def _tickets(self, external_id, buyer, seller, placed_at, fulfilment, starts_at):
        event = self.rng.choice(EVENTS)
        venue = next(v for v in VENUES if v.key == event.venue)
        starts_at = starts_at or placed_at + self.rng.uniform(3, 80) * DAY
        starts_at = _evening(starts_at, football=event.kind == "football")
        quantity = self.rng.choice((1, 2, 2, 2, 3, 4))
        price = _cents(self.rng.randint(*event.price_range))
        fee = _cents(price * quantity * SERVICE_FEE_SHARE)
        due = starts_at - 2 * DAY
        booking = BookingInput(
            external_id=f"{external_id}-B1",
            kind="event_ticket",
            title=event.title,
            location=f"{venue.name}, {venue.city}",
            third_party=venue.key,
            starts_at=starts_at,
            holder_name=buyer.name if fulfilment == "transfer_done" else seller.name,
            confirmation_code=_code(self.rng, 8),
            transfer_status=_transfer(fulfilment),
            transfer_due_at=due,
            transferred_at=placed_at + self.rng.uniform(2, 72) * HOUR
            if fulfilment == "transfer_done"
            else None,
        )
        lines = [
            LineInput(f"{event.title} — {venue.name}", quantity, price),
            LineInput(f"{BRAND} service fee", 1, fee),
        ]
        return DemoOrder(
            external_id,
            self._spec("event_ticket", buyer, seller, placed_at, lines, bookings=[booking]),
            words={
                "event": event.title,
                "venue": venue.name,
                "city": venue.city,
                "order": external_id,
                "seller": seller.name,
                "code": booking.confirmation_code,
                "holder": booking.holder_name,
            },
            dated={"date": starts_at, "due": due},
        )

    def _hotel_stay(self, external_id, buyer, seller, placed_at, fulfilment, starts_at):
        hotel = self.rng.choice(HOTELS)
        check_in = _local(starts_at or placed_at + self.rng.uniform(3, 60) * DAY, 15, 0)
        nights = self.rng.choice((1, 2, 2, 3, 4))
        check_out = _local(check_in + nights * DAY, 11, 0)
        rate = _cents(self.rng.randint(8900, 32000))
        fee = _cents(rate * nights * SERVICE_FEE_SHARE)
        due = check_in - 3 * DAY
        booking = BookingInput(
            external_id=f"{external_id}-B1",
            kind="hotel",
            title=hotel.name,
            location=hotel.city,
            third_party=hotel.key,
            starts_at=check_in,
            ends_at=check_out,
            holder_name=buyer.name if fulfilment == "transfer_done" else seller.name,
            confirmation_code=_code(self.rng, 6),
            transfer_status=_transfer(fulfilment),
            transfer_due_at=due,
            transferred_at=placed_at + self.rng.uniform(4, 96) * HOUR
            if fulfilment == "transfer_done"
            else None,
        )
        lines = [
            LineInput(f"{hotel.name}, {nights} night(s), double room", nights, rate),
            LineInput(f"{BRAND} service fee", 1, fee),
        ]
        return DemoOrder(
            external_id,
            self._spec("hotel", buyer, seller, placed_at, lines, bookings=[booking]),
            words={
                "hotel": hotel.name,
                "city": hotel.city,
                "order": external_id,
                "seller": seller.name,
                "code": booking.confirmation_code,
                "holder": booking.holder_name,
            },
            dated={"checkin": check_in, "checkout": check_out, "due": due, "date": check_in},
        )

    def _flight(self, external_id, buyer, seller, placed_at, fulfilment, starts_at):
        airline = self.rng.choice(AIRLINES)
        origin, origin_city, destination, destination_city = self.rng.choice(ROUTES)
        departs = _local(
            starts_at or placed_at + self.rng.uniform(5, 60) * DAY,
            self.rng.choice((7, 9, 12, 16, 19)),
            self.rng.choice((5, 25, 40, 55)),
        )
        flight = f"{'TU' if 'Tulip' in airline.name else 'NS'} {self.rng.randint(1000, 1999)}"
        fare = _cents(self.rng.randint(7900, 42000))
        due = departs - 5 * DAY
        booking = BookingInput(
            external_id=f"{external_id}-B1",
            kind="flight",
            title=f"{origin} → {destination}, {flight}",
            location=f"{origin_city} → {destination_city}",
            third_party=airline.key,
            starts_at=departs,
            ends_at=departs + self.rng.uniform(1.5, 3.5) * HOUR,
            holder_name=buyer.name if fulfilment == "transfer_done" else seller.name,
            confirmation_code=_code(self.rng, 6),
            transfer_status=_transfer(fulfilment),
            transfer_due_at=due,
        )
        lines = [LineInput(f"Flight {origin}–{destination} ({flight}), 1 adult", 1, fare)]
        return DemoOrder(
            external_id,
            self._spec("flight", buyer, seller, placed_at, lines, bookings=[booking]),
            words={
                "airline": airline.name,
                "flight": flight,
                "order": external_id,
                "route": f"{origin_city} – {destination_city}",
                "seller": seller.name,
            },
            dated={"date": departs, "due": due},
        )

    def _goods(self, external_id, buyer, seller, placed_at, fulfilment, starts_at):
        item = self.rng.choice(GOODS)
        courier = self.rng.choice(COURIERS)
        price = _cents(self.rng.randint(*item.price_range))
        shipping = self.rng.choice((495, 695, 895))
        tracking = courier.tracking_number(self.rng)
        shipped_at = placed_at + self.rng.uniform(8, 40) * HOUR
        promised = (placed_at + self.rng.randint(2, 4) * DAY).date()
        status = fulfilment or ShipmentStatus.DELIVERED
        delivered = status in (
            ShipmentStatus.DELIVERED,
            ShipmentStatus.DAMAGED,
            ShipmentStatus.RETURNED,
        )
        shipment = ShipmentInput(
            external_id=f"{external_id}-P1",
            carrier=courier.name,
            tracking_number=tracking,
            tracking_url=courier.tracking_url.format(tracking),
            status=status,
            promised_at=promised,
            shipped_at=None if status == ShipmentStatus.LABEL_CREATED else shipped_at,
            delivered_at=shipped_at + self.rng.uniform(14, 60) * HOUR if delivered else None,
        )
        description = item.nl if buyer.language == "nl" else item.en
        lines = [LineInput(description, 1, price), LineInput("Shipping", 1, shipping)]
        return DemoOrder(
            external_id,
            self._spec("goods", buyer, seller, placed_at, lines, shipments=[shipment]),
            words={
                "item": item.en.lower() if item.en[1].islower() else item.en,
                "item_nl": item.nl.lower() if item.nl[1].islower() else item.nl,
                "carrier": courier.name,
                "tracking": tracking,
                "order": external_id,
                "seller": seller.name,
            },
            dated={"promised": promised},
        )

    # --- shared parts -----------------------------------------------------------------------

    def _spec(self, kind, buyer, seller, placed_at, lines, bookings=(), shipments=()):
        return OrderInput(
            buyer=buyer.external_id,
            seller=seller.external_id,
            kind=kind,
            currency="EUR",
            total=sum(line.quantity * line.unit_price for line in lines),
            placed_at=placed_at,
            metadata={"channel": self.rng.choice(("app", "app", "web"))},
            lines=lines,
            bookings=list(bookings),
            shipments=list(shipments),
        )

    def _payments(self, external_id, total, placed_at, state) -> list[PaymentInput]:
        method = _weighted(self.rng, PAYMENT_METHODS)
        provider = self.rng.choice(PAYMENT_PROVIDERS)
        captured_at = placed_at + self.rng.uniform(0.2, 5) * timedelta(minutes=1)

        def payment(n, status, captured, refunded=0, at=captured_at):
            return PaymentInput(
                external_id=f"{external_id}-PAY{n}",
                status=status,
                amount=total,
                captured_amount=captured,
                refunded_amount=refunded,
                provider=provider,
                method=method,
                captured_at=at if captured else None,
            )

        if state == "authorized":
            return [payment(1, PaymentStatus.AUTHORIZED, 0)]
        if state == "failed":
            return [payment(1, PaymentStatus.FAILED, 0)]
        if state == "refunded":
            return [payment(1, PaymentStatus.REFUNDED, total, total)]
        if state == "partially_refunded":
            part = round(total * self.rng.choice((0.1, 0.2, 0.25, 0.5)))
            return [payment(1, PaymentStatus.PARTIALLY_REFUNDED, total, part)]
        if state == "duplicate":
            # The checkout was submitted twice: two captures for one order.
            return [
                payment(1, PaymentStatus.CAPTURED, total),
                payment(2, PaymentStatus.CAPTURED, total, at=captured_at + timedelta(minutes=2)),
            ]
        return [payment(1, PaymentStatus.CAPTURED, total)]

    def _status(self, spec: OrderInput, fulfilment: str, payment: str, cancelled: bool) -> str:
        if cancelled or payment == "failed":
            return "cancelled"
        if payment == "refunded":
            return "refunded"
        if payment == "authorized":
            return "placed"
        if spec.kind == "goods":
            return {
                ShipmentStatus.DELIVERED: "completed",
                ShipmentStatus.LOST: "fulfilled",
                ShipmentStatus.DAMAGED: "fulfilled",
                ShipmentStatus.RETURNED: "fulfilled",
            }.get(spec.shipments[0].status, "paid")
        return "fulfilled" if fulfilment == "transfer_done" else "paid"


def _transfer(fulfilment: str) -> str:
    return {"transfer_done": "done", "transfer_failed": "failed"}.get(fulfilment, "pending")


def _evening(moment: datetime, *, football: bool) -> datetime:
    return _local(moment, *((16, 45) if football else (20, 0)))


def _local(moment: datetime, hour: int, minute: int) -> datetime:
    """The same day at a wall-clock time in the marketplace's time zone."""
    return moment.astimezone(wording.LOCAL).replace(
        hour=hour, minute=minute, second=0, microsecond=0
    )


def _cents(amount: float) -> int:
    # Prices end in 0 or 5 cents, as people set them.
    return int(round(amount / 5) * 5)


def _code(rng: random.Random, length: int) -> str:
    alphabet = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"
    return "".join(rng.choice(alphabet) for _ in range(length))


def _weighted(rng: random.Random, options) -> str:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]
