"""Refunds and Stripe: the ledger's refund leaves for Stripe with its own key and the
Connect flags, Stripe's answers and reports settle it once, refusals undo it, and a
refund made in Stripe's dashboard is booked once."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from ombuds.accounts.models import Membership
from ombuds.chargebacks.models import CallStatus, PspCall, PspConnection
from ombuds.chargebacks.outbox import send_due
from ombuds.conversations.models import CaseEvent
from ombuds.core.money import Money
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.models import Transaction
from ombuds.ledger.selectors import unbalanced_transactions
from ombuds.ledger.services import refund_buyer
from ombuds.marketplace.models import Payment
from tests import builders

from . import documented as doc
from .conftest import paid_order
from .stripe_server import StripeStandIn


@pytest.fixture
def stripe(stripe_api):
    return StripeStandIn(stripe_api)


@pytest.fixture
def case(workspace, buyer, order):
    return builders.case(workspace, requester=buyer, order=order, subject="Broken lid")


@pytest.fixture
def agent_money(workspace, agent):
    return MoneyActor.member(Membership.objects.get(workspace=workspace, user=agent))


def refund(workspace, actor, order, case, *, cents=2500, bearer="platform", key="refund-1"):
    return refund_buyer(
        workspace=workspace,
        actor=actor,
        order=order,
        amount=Money(cents, "EUR"),
        reason="damaged",
        bearer=bearer,
        case=case,
        idempotency_key=key,
    )


def answered(status="succeeded", ident="re_1Nispe2eZvKYlo2Cd31jOCgZ"):
    def answer(seen):
        return doc.refund(
            ident=ident,
            amount=int(seen.form["amount"]),
            status=status,
            metadata={k[9:-1]: v for k, v in seen.form.items() if k.startswith("metadata[")},
        )

    return answer


def refunded(payment_id) -> int:
    return Payment.objects.get(pk=payment_id).refunded_amount


def test_a_refund_goes_to_stripe_with_the_ledgers_key(
    stripe_connection, workspace, order, case, agent_money, stripe
):
    result = refund(workspace, agent_money, order, case)
    call = PspCall.objects.get()
    assert (call.kind, call.idempotency_key, call.ledger_transaction_id) == (
        "refund",
        "refund-1",
        result.transaction.pk,
    )
    stripe.expect("POST", "/v1/refunds", answered())
    send_due()
    (sent,) = stripe.seen
    stripe.check_sent_by_the_sdk(sent, idempotency_key="refund-1")
    assert sent.form["charge"] == doc.CHARGE
    assert sent.form["amount"] == "2500"
    assert sent.form["reason"] == "requested_by_customer"
    assert sent.form["metadata[ombuds_key]"] == "refund-1"
    assert sent.form["metadata[ombuds_transaction]"] == str(result.transaction.pk)
    assert sent.form["metadata[case]"] == case.reference
    assert "reverse_transfer" not in sent.form and "refund_application_fee" not in sent.form

    call.refresh_from_db()
    assert (call.status, call.provider_ref) == (CallStatus.SUCCEEDED, "re_1Nispe2eZvKYlo2Cd31jOCgZ")
    payouts = Transaction.objects.filter(workspace=workspace, kind="refund_settlement")
    assert payouts.get().memo == "re_1Nispe2eZvKYlo2Cd31jOCgZ"
    assert refunded(order.payments.get().pk) == 2500
    assert CaseEvent.objects.filter(case=case, kind="psp.refund_sent").exists()


def test_stripes_report_of_the_same_refund_counts_it_once(
    stripe_connection, deliver, workspace, order, case, agent_money, stripe
):
    refund(workspace, agent_money, order, case)
    stripe.expect("POST", "/v1/refunds", answered(status="pending"))
    send_due()
    payment = order.payments.get()
    assert refunded(payment.pk) == 0  # pending at Stripe: not paid out yet
    settled = doc.refund(status="succeeded", metadata={"ombuds_key": "refund-1"})
    deliver(
        doc.event("refund.updated", settled),
        doc.event("refund.updated", settled),
        doc.event(
            "charge.refunded",
            {
                "id": doc.CHARGE,
                "object": "charge",
                "amount_refunded": 2500,
                "payment_intent": doc.PAYMENT_INTENT,
                "refunds": {"object": "list", "data": [settled]},
            },
        ),
    )
    assert refunded(payment.pk) == 2500
    assert Transaction.objects.filter(workspace=workspace, kind="refund").count() == 1
    assert Transaction.objects.filter(workspace=workspace, kind="refund_settlement").count() == 1
    assert unbalanced_transactions(workspace=workspace) == []


def test_on_connect_the_seller_borne_refund_reverses_the_transfer(
    stripe_connection, workspace, order, case, agent_money, stripe
):
    PspConnection.objects.filter(pk=stripe_connection.pk).update(connect_enabled=True)
    refund(workspace, agent_money, order, case, bearer="seller")
    stripe.expect("POST", "/v1/refunds", answered())
    send_due()
    sent = stripe.seen[0].form
    assert sent["reverse_transfer"] == "true" and sent["refund_application_fee"] == "true"


def test_on_connect_a_platform_borne_refund_leaves_the_seller_alone(
    stripe_connection, workspace, order, case, agent_money, stripe
):
    PspConnection.objects.filter(pk=stripe_connection.pk).update(connect_enabled=True)
    refund(workspace, agent_money, order, case, bearer="platform")
    stripe.expect("POST", "/v1/refunds", answered())
    send_due()
    assert "reverse_transfer" not in stripe.seen[0].form


def test_a_separate_transfer_is_reversed_by_its_own_call(
    stripe_connection, workspace, buyer, seller, agent_money, stripe
):
    PspConnection.objects.filter(pk=stripe_connection.pk).update(connect_enabled=True)
    order = paid_order(
        workspace,
        "ORD-T",
        buyer=buyer,
        seller=seller,
        charge="ch_3Separate000000",
        metadata={"stripe_transfer": "tr_1Mio2eLkdIwHu7ixeJqvH7YE"},
    )
    case = builders.case(workspace, requester=buyer, order=order)
    refund(workspace, agent_money, order, case, bearer="seller", key="refund-t")
    stripe.expect(
        "POST", "/v1/transfers/tr_1Mio2eLkdIwHu7ixeJqvH7YE/reversals", doc.transfer_reversal()
    )
    stripe.expect("POST", "/v1/refunds", answered())
    send_due()
    reversal, sent_refund = stripe.seen
    stripe.check_sent_by_the_sdk(reversal, idempotency_key="refund-t-transfer-reversal")
    assert reversal.form["amount"] == "2500"
    assert "reverse_transfer" not in sent_refund.form
    assert CaseEvent.objects.filter(case=case, kind="psp.transfer_reversed").exists()


def test_a_refusal_by_stripe_undoes_the_refund_and_says_why(
    stripe_connection, workspace, order, case, agent_money, stripe
):
    result = refund(workspace, agent_money, order, case)
    stripe.expect(
        "POST",
        "/v1/refunds",
        doc.error(
            "invalid_request_error",
            f"Charge {doc.CHARGE} has already been refunded.",
            code="charge_already_refunded",
        ),
        status=400,
    )
    send_due()
    call = PspCall.objects.get()
    assert (call.status, call.error_code, call.last_status_code) == (
        CallStatus.REFUSED,
        "charge_already_refunded",
        400,
    )
    reversal = Transaction.objects.get(workspace=workspace, kind="reversal")
    assert reversal.reverses == result.transaction
    refused = CaseEvent.objects.get(case=case, kind="psp.refund_refused")
    assert "already been refunded" in refused.data["error"]
    assert refunded(order.payments.get().pk) == 0
    net = Transaction.objects.filter(workspace=workspace, kind__in=["refund", "reversal"])
    assert net.aggregate(total=Sum("cost"))["total"] == 0


def test_a_card_error_is_a_refusal_too(
    stripe_connection, workspace, order, case, agent_money, stripe
):
    refund(workspace, agent_money, order, case)
    stripe.expect(
        "POST",
        "/v1/refunds",
        doc.error("card_error", "The card was closed.", code="expired_or_canceled_card"),
        status=402,
    )
    send_due()
    assert PspCall.objects.get().status == CallStatus.REFUSED


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_busy_or_broken_stripe_is_asked_again_later(
    stripe_connection, workspace, order, case, agent_money, stripe, status
):
    refund(workspace, agent_money, order, case)
    stripe.expect("POST", "/v1/refunds", doc.error("api_error", "Try again."), status=status)
    send_due()
    call = PspCall.objects.get()
    assert (call.status, call.attempts, call.last_status_code) == (CallStatus.QUEUED, 1, status)
    assert not Transaction.objects.filter(workspace=workspace, kind="reversal").exists()
    PspCall.objects.filter(pk=call.pk).update(next_attempt_at=call.created_at)
    stripe.expect("POST", "/v1/refunds", answered())
    send_due()
    keys = [s.headers["Idempotency-Key"] for s in stripe.seen]
    assert keys == ["refund-1", "refund-1"]
    assert PspCall.objects.get().status == CallStatus.SUCCEEDED


def test_an_unreachable_stripe_is_asked_again_later(
    stripe_connection, workspace, order, case, agent_money
):
    PspConnection.objects.filter(pk=stripe_connection.pk).update(api_base_url="http://127.0.0.1:9")
    refund(workspace, agent_money, order, case)
    send_due()
    call = PspCall.objects.get()
    assert (call.status, call.error_code) == (CallStatus.QUEUED, "network_error")


def test_a_failed_refund_reported_later_is_undone(
    stripe_connection, deliver, workspace, order, case, agent_money, stripe
):
    result = refund(workspace, agent_money, order, case)
    stripe.expect("POST", "/v1/refunds", answered(status="pending"))
    send_due()
    deliver(
        doc.event(
            "refund.failed",
            doc.refund(status="failed", failure_reason="expired_or_canceled_card"),
        )
    )
    assert (
        Transaction.objects.get(workspace=workspace, kind="reversal").reverses == result.transaction
    )
    failed = CaseEvent.objects.get(case=case, kind="psp.refund_failed")
    assert "expired_or_canceled_card" in failed.data["error"]


def test_a_refund_made_in_stripes_dashboard_is_booked_once(
    stripe_connection, deliver, workspace, order, case
):
    outside = doc.refund(ident="re_3Dashboard0000000", amount=4000, status="succeeded")
    deliver(doc.event("refund.created", outside), doc.event("refund.created", outside))
    deliver(doc.event("refund.updated", outside))
    booked = Transaction.objects.get(workspace=workspace, kind="refund")
    assert (booked.amount, booked.bearer, booked.case) == (4000, "platform", case)
    assert booked.key == "psp-refund:stripe:re_3Dashboard0000000"
    assert Transaction.objects.filter(workspace=workspace, kind="refund_settlement").count() == 1
    assert refunded(order.payments.get().pk) == 4000
    # Made at Stripe already: nothing goes back to Stripe.
    assert not PspCall.objects.exists()


def test_a_payment_the_marketplace_names_its_own_way_is_not_sent(
    stripe_connection, workspace, buyer, seller, agent_money
):
    order = paid_order(workspace, "ORD-M", buyer=buyer, seller=seller, charge="MKT-PAY-77")
    refund(workspace, agent_money, order, None, key="refund-m")
    assert not PspCall.objects.exists()


def test_without_a_stripe_connection_nothing_is_sent(workspace, order, case, agent_money):
    refund(workspace, agent_money, order, case)
    assert not PspCall.objects.exists()
