"""How much each payment of an order can still refund.

A payment's own refunded amount is what the platform or PSP reports. Refunds the desk
issued that the PSP has not paid out yet are not in it, so they are counted on top:
what is left is captured − reported refunded − desk refunds still pending.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Sum

from ombuds.marketplace.models import Payment

from .models import RefundAllocation


@dataclass(frozen=True)
class PaymentRoom:
    payment: Payment
    pending: int  # desk refunds not yet paid out

    @property
    def room(self) -> int:
        left = self.payment.captured_amount - self.payment.refunded_amount - self.pending
        return max(0, left)


def pending_by_payment(payment_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        RefundAllocation.objects.filter(
            payment_id__in=list(payment_ids), settled_at__isnull=True, released=False
        )
        .values("payment_id")
        .annotate(total=Sum("amount"))
    )
    return {row["payment_id"]: row["total"] for row in rows}


def rooms(payments: list[Payment]) -> list[PaymentRoom]:
    """Every payment with what it can still refund: one query."""
    pending = pending_by_payment(p.pk for p in payments)
    return [PaymentRoom(p, pending.get(p.pk, 0)) for p in payments]


def allocate(amount: int, payment_rooms: list[PaymentRoom]) -> list[tuple[Payment, int]]:
    """Spread a refund over the payments, the earliest first, never beyond any payment's
    room. The caller has checked that the rooms add up to at least `amount`."""
    parts, left = [], amount
    for room in payment_rooms:
        if left == 0:
            break
        take = min(left, room.room)
        if take:
            parts.append((room.payment, take))
            left -= take
    if left:
        raise ValueError("refund larger than the room of the payments")
    return parts
