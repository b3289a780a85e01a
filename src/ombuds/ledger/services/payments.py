"""The ledger's side of the order's payments: captures it refunds against, and refunds
the PSP has paid out.

Every write here starts by locking the order and its payment rows (in that order, the
order in which `upsert_order` takes them too), so two agents refunding the same order
queue on the lock on PostgreSQL instead of both reading the same room.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ombuds.core.errors import ApplicationError, Conflict, NotFound
from ombuds.core.models import Workspace
from ombuds.core.money import Money
from ombuds.marketplace.models import Order, Payment
from ombuds.marketplace.services import record_refund_paid_out

from .. import events
from ..announcements import announce
from ..authority import MoneyActor
from ..legs import capture_legs, payout_legs
from ..models import AccountKind, Entry, RefundAllocation, Transaction, TransactionKind
from ..postings import SYSTEM_KEY_PREFIX, post

PLATFORM = MoneyActor.system("marketplace")


def lock_order(order: Order) -> tuple[Order, list[Payment]]:
    """The order and its payments, read again under their row locks."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    payments = list(Payment.objects.select_for_update().filter(order=locked).order_by("pk"))
    return locked, payments


def _captured_in_ledger(payments: list[Payment]) -> dict[int, int]:
    rows = (
        Entry.objects.filter(
            transaction__payment_id__in=[p.pk for p in payments],
            transaction__kind=TransactionKind.CAPTURE,
            account__kind=AccountKind.PSP_CLEARING,
        )
        .values("transaction__payment_id")
        .annotate(total=Sum("amount"))
    )
    return {row["transaction__payment_id"]: row["total"] for row in rows}


def sync_captures(
    order: Order, payments: list[Payment], workspace: Workspace | None = None
) -> list[Transaction]:
    """Bring the ledger's captures up to what each payment reports as captured. Call
    with the order's locks held."""
    if not payments:
        return []
    booked = _captured_in_ledger(payments)
    written = []
    for payment in payments:
        before = booked.get(payment.pk, 0)
        delta = payment.captured_amount - before
        if delta == 0:
            continue
        written.append(
            post(
                workspace=workspace or order.workspace,
                kind=TransactionKind.CAPTURE,
                key=f"{SYSTEM_KEY_PREFIX}capture:{payment.pk}:{before}:{payment.captured_amount}",
                legs=capture_legs(order, Money(delta, order.currency)),
                actor=PLATFORM,
                amount=abs(delta),
                currency=order.currency,
                order=order,
                payment=payment,
                seller_id=order.seller_id,
                buyer_id=order.buyer_id,
                at=payment.captured_at if before == 0 and payment.captured_at else None,
            )
        )
    return written


@transaction.atomic
def record_captures(*, order: Order) -> list[Transaction]:
    """Record in the ledger what the order's payments captured since the last time;
    running it again writes nothing."""
    order, payments = lock_order(order)
    return sync_captures(order, payments)


@transaction.atomic
def settle_refund(
    *, workspace: Workspace, refund: Transaction, actor: MoneyActor, psp_reference: str = ""
) -> Transaction:
    """The PSP paid a desk refund out to the buyer: the refund stops being pending, the
    payments count it as refunded, and the payout is booked (refunds payable → PSP
    clearing). Called again for the same refund it returns the first payout."""
    if refund.workspace_id != workspace.pk:
        raise NotFound("transaction", refund.pk)
    if refund.kind != TransactionKind.REFUND:
        raise ApplicationError(
            "not_a_refund", "Only a refund can be paid out.", details={"kind": refund.kind}
        )
    order, payments = lock_order(refund.order)
    key = f"{SYSTEM_KEY_PREFIX}payout:{refund.pk}"
    if (done := Transaction.objects.filter(workspace=workspace, key=key).first()) is not None:
        return done
    allocations = list(RefundAllocation.objects.select_for_update().filter(refund=refund))
    if any(a.released for a in allocations):
        raise Conflict("refund_reversed", "This refund was reversed; nothing is paid out.")
    by_id = {p.pk: p for p in payments}
    now = timezone.now()
    psp_reference = psp_reference.strip()[:100]
    for allocation in allocations:
        record_refund_paid_out(payment=by_id[allocation.payment_id], amount=allocation.amount)
        allocation.settled_at, allocation.psp_reference = now, psp_reference
    RefundAllocation.objects.bulk_update(allocations, ["settled_at", "psp_reference"])
    payout = post(
        workspace=workspace,
        kind=TransactionKind.REFUND_SETTLEMENT,
        key=key,
        legs=payout_legs(refund.buyer_id, Money(refund.amount, refund.currency)),
        actor=actor,
        amount=refund.amount,
        currency=refund.currency,
        order=order,
        case_id=refund.case_id,
        seller_id=refund.seller_id,
        buyer_id=refund.buyer_id,
        reason=refund.reason,
        outcome=refund.outcome,
        bearer=refund.bearer,
        memo=psp_reference,
        reverses=None,
        at=now,
    )
    events.money_moved(payout, by=actor)
    announce(payout)
    return payout
