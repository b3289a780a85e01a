"""Refunds and the payment provider (ADR 0043).

**Out.** The ledger announces every refund inside the transaction that books it
(`ledger.announcements`). A refund of a Stripe payment in a workspace connected to
Stripe becomes a `PspCall` in that same transaction: `POST /v1/refunds` after commit,
with the payment's charge or payment intent, the amount, metadata naming the ledger
movement, and the ledger action's idempotency key. On a Connect platform a refund the
seller bears reverses the seller's transfer and gives back the application fee
(`reverse_transfer`, `refund_application_fee`), or, when the order names a separate
transfer, reverses that transfer. Stripe's refusal reverses the refund in the ledger.

A refund of a payment the bank is taking back anyway (a chargeback that is lost, or
open and not refundable) is refused before anything is booked: the buyer would be paid
twice.

**In.** What the provider reports about refunds settles the ledger's refund when it is
the desk's own (found by the Stripe refund id, or by the key in its metadata), and books
a refund made at the provider (in its dashboard) once per refund id. Either way the
payment's refunded amount grows once, through the ledger's payout.
"""

from __future__ import annotations

from ombuds.conversations.models import ACTIVE_STATUSES, Case
from ombuds.core.errors import ApplicationError, Conflict
from ombuds.core.money import Money
from ombuds.ledger.announcements import Announcement
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.models import RefundAllocation, Transaction, TransactionKind
from ombuds.ledger.services import refund_buyer, reverse_transaction, settle_refund
from ombuds.marketplace.models import Payment
from ombuds.policies.models import Bearer, Reason

from .. import announce, events
from ..connections import stripe_connection_of
from ..models import CallKind, Chargeback, PspCall, PspConnection
from ..reports import RefundReport
from ..states import OPEN_STATES, S
from .chargebacks import Applied, origin_refusal, payment_for, provider_label

# Keys of refunds booked because the provider reported them: never sent back to it.
REPORTED_PREFIX = "psp-refund:"
REFUSED_PREFIX = "psp-refused:"
FAILED_PREFIX = "psp-failed:"
STRIPE_REFUND_REASONS = {
    Reason.DUPLICATE_CHARGE: "duplicate",
    Reason.PAID_BY_OTHER_MEANS: "duplicate",
}
REPORTED_REASONS = {
    "duplicate": Reason.DUPLICATE_CHARGE,
    "fraudulent": Reason.UNRECOGNISED_CHARGE,
}
SUCCEEDED = "succeeded"
UNDONE = ("failed", "canceled")


def is_stripe_payment(payment: Payment) -> bool:
    """A payment Stripe can refund by its id: a charge (ch_, py_) or a payment intent."""
    return payment.external_id.startswith(("ch_", "py_", "pi_"))


def _target(payment: Payment) -> dict:
    if payment.external_id.startswith("pi_"):
        return {"payment_intent": payment.external_id}
    return {"charge": payment.external_id}


# --- out: the ledger's refunds go to Stripe ------------------------------------------------


def refuse_refund_of_charged_back(workspace_id: int, payments: list[Payment]) -> None:
    """Refuse a refund of a payment whose money the bank is taking back already."""
    blocking = (
        Chargeback.objects.filter(workspace_id=workspace_id, payment__in=payments)
        .filter(state__in=[*OPEN_STATES, S.LOST])
        .select_related("payment", "connection")
    )
    for chargeback in blocking:
        if chargeback.state in OPEN_STATES and chargeback.is_charge_refundable:
            continue  # Stripe still takes a refund, which settles an inquiry
        raise Conflict(
            "payment_charged_back",
            f"Payment {chargeback.payment.external_id} is disputed at "
            f"{provider_label(chargeback.connection)} ({chargeback.provider_dispute_id}, "
            f"{chargeback.state}); the bank returns the money to the buyer, so the desk "
            "does not refund it too.",
            details={"chargeback": chargeback.pk, "state": chargeback.state},
        )


def on_money_announcement(announcement: Announcement) -> None:
    """Ledger listener: a refund of Stripe payments leaves for Stripe with the ledger's
    key; a refund of a charged-back payment is refused (inside the refund's transaction)."""
    if announcement.event != "money.refunded":
        return
    key = announcement.payload.get("idempotency_key") or ""
    if key.startswith(REPORTED_PREFIX):
        return  # booked because the provider already made it
    allocations = list(
        RefundAllocation.objects.filter(refund_id=announcement.transaction_id)
        .select_related("payment", "refund", "refund__order", "refund__case")
        .order_by("pk")
    )
    if not allocations:
        return
    refuse_refund_of_charged_back(announcement.workspace_id, [a.payment for a in allocations])
    connection = stripe_connection_of(announcement.workspace_id)
    if connection is None:
        return
    for n, allocation in enumerate(allocations):
        # Only what Stripe knows by id; a payment the marketplace names its own way is
        # refunded by the marketplace, which reports the payout.
        if is_stripe_payment(allocation.payment):
            send_refund(connection, allocation, key if n == 0 else f"{key}:{n + 1}")


def send_refund(connection: PspConnection, allocation: RefundAllocation, key: str) -> PspCall:
    from ..outbox import enqueue_call

    tx = allocation.refund
    order = tx.order
    metadata = order.metadata or {}
    params = {
        **_target(allocation.payment),
        "amount": allocation.amount,
        "currency": allocation.payment.currency.lower(),
        "reason": STRIPE_REFUND_REASONS.get(tx.reason, "requested_by_customer"),
        "metadata": {
            "ombuds_key": key,
            "ombuds_transaction": str(tx.pk),
            "order": order.external_id,
            **({"case": tx.case.reference} if tx.case_id else {}),
        },
    }
    if metadata.get("stripe_account"):
        # A direct charge lives on the seller's connected account.
        params["stripe_account"] = str(metadata["stripe_account"])
    elif connection.connect_enabled and tx.bearer == Bearer.SELLER:
        if metadata.get("stripe_transfer"):
            enqueue_call(
                connection=connection,
                kind=CallKind.TRANSFER_REVERSAL,
                idempotency_key=f"{key}-transfer-reversal",
                params={
                    "transfer": str(metadata["stripe_transfer"]),
                    "amount": allocation.amount,
                    "currency": params["currency"],
                    "metadata": {"ombuds_key": key, "ombuds_transaction": str(tx.pk)},
                },
                case_id=tx.case_id,
                payment=allocation.payment,
                ledger_transaction_id=tx.pk,
            )
        else:
            # A destination charge: the seller's share and the platform's fee come back
            # in proportion to the refund.
            params["reverse_transfer"] = True
            params["refund_application_fee"] = True
    return enqueue_call(
        connection=connection,
        kind=CallKind.REFUND,
        idempotency_key=key,
        params=params,
        case_id=tx.case_id,
        payment=allocation.payment,
        ledger_transaction_id=tx.pk,
    )


def _refund_calls(tx_id: int) -> list[PspCall]:
    return list(PspCall.objects.filter(kind=CallKind.REFUND, ledger_transaction_id=tx_id))


def settle_when_paid(tx: Transaction, actor: MoneyActor, reference: str) -> Transaction | None:
    """Settle the ledger's refund once Stripe has paid every part of it out."""
    calls = _refund_calls(tx.pk)
    if calls and any((c.response or {}).get("status") != SUCCEEDED for c in calls):
        return None
    if RefundAllocation.objects.filter(refund=tx, released=True).exists():
        return None
    payout = settle_refund(workspace=tx.workspace, refund=tx, actor=actor, psp_reference=reference)
    _announce(payout)
    return payout


def undo_refund(tx: Transaction, actor: MoneyActor, *, prefix: str, why: str) -> Transaction | None:
    """Stripe will not pay this refund out: reverse it in the ledger, unless part of it
    was paid out already (then finance settles it by hand; the case says so)."""
    paid = RefundAllocation.objects.filter(refund=tx, settled_at__isnull=False).exists()
    if paid or Transaction.objects.filter(reverses=tx).exists():
        return None
    if any((c.response or {}).get("status") == SUCCEEDED for c in _refund_calls(tx.pk)):
        return None
    result = reverse_transaction(
        workspace=tx.workspace,
        actor=actor,
        transaction=tx,
        idempotency_key=f"{prefix}{tx.key}"[:255],
        note=why[:500],
    )
    if result.transaction is not None:
        _announce(result.transaction)
    return result.transaction


def _announce(tx: Transaction) -> None:
    from ombuds.ledger.announcements import announcement_for

    announced = announcement_for(tx)
    if announced is not None:
        announce.announce_money(
            workspace=tx.workspace,
            event=announced.event,
            transaction_id=tx.pk,
            payload=announced.payload,
            subject=f"case:{tx.case_id}" if tx.case_id else "",
        )


# --- in: what the provider reports about refunds ------------------------------------------


def _case_of(payment: Payment) -> Case | None:
    cases = Case.objects.filter(workspace_id=payment.workspace_id, order_id=payment.order_id)
    return (
        cases.filter(status__in=ACTIVE_STATUSES).order_by("-updated_at", "-pk").first()
        or cases.order_by("-updated_at", "-pk").first()
    )


def _desk_refund(connection: PspConnection, report: RefundReport):
    """The desk's ledger refund (and the call that carried it) this report is about."""
    calls = PspCall.objects.filter(connection=connection, kind=CallKind.REFUND)
    call = calls.filter(provider_ref=report.refund_id).first()
    key = report.metadata.get("ombuds_key", "")
    if call is None and key:
        call = calls.filter(idempotency_key=key).first()
    if call is not None and call.ledger_transaction_id:
        tx = Transaction.objects.filter(
            workspace_id=connection.workspace_id, pk=call.ledger_transaction_id
        ).first()
        return tx, call
    if key:
        tx = Transaction.objects.filter(
            workspace_id=connection.workspace_id, key=key, kind=TransactionKind.REFUND
        ).first()
        return tx, None
    return None, None


def apply_refund_report(*, connection: PspConnection, report: RefundReport) -> Applied:
    """Reconcile one refund the provider reports with the ledger."""
    refusal = origin_refusal(connection, report.livemode, report.account)
    if refusal is not None:
        return refusal
    payment = payment_for(connection.workspace_id, report.charge_id, report.payment_intent_id)
    if payment is None:
        return Applied(False, "unknown_charge", f"No payment {report.charge_id} here.")
    if report.currency != payment.currency:
        raise ApplicationError(
            "currency_mismatch",
            "The refund's currency is not the payment's.",
            details={"refund": report.currency, "payment": payment.currency},
            status=422,
        )
    actor = MoneyActor.system(provider_label(connection))
    tx, call = _desk_refund(connection, report)
    if call is not None:
        call.provider_ref = call.provider_ref or report.refund_id[:100]
        call.response = {**(call.response or {}), "status": report.status, "id": report.refund_id}
        call.save(update_fields=["provider_ref", "response"])
    if tx is not None:
        return _reconcile_desk_refund(tx, report, actor, payment)
    return _reported_refund(connection, report, actor, payment)


def _reconcile_desk_refund(tx, report: RefundReport, actor, payment) -> Applied:
    if report.status == SUCCEEDED:
        payout = settle_when_paid(tx, actor, report.refund_id)
        return Applied(True, "settled" if payout else "partly_paid")
    if report.status in UNDONE:
        why = f"{report.refund_id} {report.status}: {report.failure_reason or 'no reason given'}"
        reversed_ = undo_refund(tx, actor, prefix=FAILED_PREFIX, why=why)
        events.refund_failed(
            tx.case or _case_of(payment),
            events.provider_actor(actor.label),
            refund_id=report.refund_id,
            amount=report.amount,
            currency=report.currency,
            reason=why if reversed_ else f"{why} (paid out before; settle by hand)",
        )
        return Applied(True, "refund_failed")
    return Applied(True, "refund_pending")


def _reported_refund(connection, report: RefundReport, actor, payment) -> Applied:
    """A refund made at the provider, not by the desk: booked once, by its id."""
    key = f"{REPORTED_PREFIX}{connection.provider}:{report.refund_id}"[:255]
    existing = Transaction.objects.filter(workspace_id=connection.workspace_id, key=key).first()
    if existing is None:
        if report.status in UNDONE:
            return Applied(False, "nothing_refunded", f"{report.refund_id} {report.status}.")
        result = refund_buyer(
            workspace=connection.workspace,
            actor=actor,
            order=payment.order,
            amount=Money(report.amount, report.currency),
            reason=REPORTED_REASONS.get(report.reason, Reason.OTHER),
            bearer=Bearer.PLATFORM,
            case=_case_of(payment),
            note=f"Refunded at {provider_label(connection)}: {report.refund_id}",
            idempotency_key=key,
        )
        existing = result.transaction
        _announce(existing)
    if report.status == SUCCEEDED:
        settled = settle_when_paid(existing, actor, report.refund_id)
        return Applied(True, "reported_refund_settled" if settled else "reported_refund")
    if report.status in UNDONE:
        undo_refund(
            existing, actor, prefix=FAILED_PREFIX, why=f"{report.refund_id} {report.status}"
        )
        return Applied(True, "reported_refund_failed")
    return Applied(True, "reported_refund")


# --- the outcome of a refund call ----------------------------------------------------------


def refund_call_succeeded(call: PspCall) -> None:
    tx = Transaction.objects.filter(pk=call.ledger_transaction_id).first()
    events.refund_sent(call, events.provider_actor("Stripe"))
    if tx is not None and (call.response or {}).get("status") == SUCCEEDED:
        settle_when_paid(tx, MoneyActor.system("Stripe"), call.provider_ref)
    elif tx is not None and (call.response or {}).get("status") in UNDONE:
        undo_refund(tx, MoneyActor.system("Stripe"), prefix=FAILED_PREFIX, why=call.provider_ref)


def refund_call_refused(call: PspCall) -> None:
    """Stripe refused the refund: nothing reaches the buyer, so the ledger takes it back."""
    tx = Transaction.objects.filter(pk=call.ledger_transaction_id).first()
    if tx is not None:
        undo_refund(
            tx,
            MoneyActor.system("Stripe"),
            prefix=REFUSED_PREFIX,
            why=f"Stripe refused: {call.error_code}: {call.last_error}",
        )
    events.refund_refused(call, events.provider_actor("Stripe"))
