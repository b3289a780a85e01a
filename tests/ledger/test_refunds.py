"""Refunding a buyer: balanced entries, the bound of what was captured, who bears it,
and the case's timeline."""

from __future__ import annotations

import pytest

from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.ledger.models import AccountKind, Entry, RefundAllocation, Transaction
from ombuds.ledger.selectors import account_balances, order_money, unbalanced_transactions
from ombuds.ledger.services import refund_buyer
from ombuds.marketplace.inputs import PaymentInput
from tests import builders
from tests.ledger.conftest import key

EUR = "EUR"


def eur(cents: int) -> Money:
    return Money(cents, EUR)


def refund(workspace, actor, order, cents, **extra):
    extra.setdefault("bearer", "platform")
    extra.setdefault("reason", "damaged")
    return refund_buyer(
        workspace=workspace,
        actor=actor,
        order=order,
        amount=eur(cents),
        idempotency_key=extra.pop("idempotency_key", key()),
        **extra,
    )


def test_a_refund_the_seller_bears_moves_money_from_their_balance_to_the_buyer(
    workspace, paid_order, order_case, agent_actor, seller, buyer
):
    # Given a captured order of 125.00
    # When an agent refunds 40.00, charged to the seller
    result = refund(
        workspace,
        agent_actor,
        paid_order,
        4000,
        bearer="seller",
        reason="not_as_described",
        case=order_case,
    )
    # Then it executed and wrote balanced entries
    assert result.status == "executed"
    tx = result.transaction
    assert (tx.kind, tx.amount, tx.cost, tx.outcome, tx.bearer, tx.seller_id) == (
        "refund",
        4000,
        4000,
        "partial_refund",
        "seller",
        seller.pk,
    )
    assert unbalanced_transactions(workspace=workspace) == []
    balances = {
        (b.account.kind, b.account.party_id): b.balances
        for b in account_balances(workspace=workspace)
    }
    # The capture was booked first: PSP clearing holds 125.00, owed to the seller…
    assert balances[(AccountKind.PSP_CLEARING, None)] == {EUR: 12500}
    # …of which 40.00 now goes back to the buyer.
    assert balances[(AccountKind.SELLER_BALANCE, seller.pk)] == {EUR: -12500 + 4000}
    assert balances[(AccountKind.BUYER_REFUNDS_PAYABLE, buyer.pk)] == {EUR: -4000}
    money = order_money(workspace=workspace, order=paid_order)
    assert money.captured == eur(12500)
    assert money.refundable == eur(8500)
    assert money.refunds_pending == eur(4000)
    assert money.refunded_by_desk == eur(4000)
    # And the case's timeline says so, with the actor and the movement
    event = order_case.events.get(kind="money.refunded")
    assert event.actor_user == agent_actor.user
    assert (event.data["amount"], event.data["transaction"]) == (4000, tx.pk)
    assert event.data["policy_version"] == 1


def test_a_full_refund_is_named_so(workspace, paid_order, supervisor_actor):
    tx = refund(workspace, supervisor_actor, paid_order, 12500).transaction
    assert tx.outcome == "full_refund"


def test_a_refund_never_exceeds_what_is_left_to_refund(workspace, paid_order, agent_actor):
    refund(workspace, agent_actor, paid_order, 9000)
    with pytest.raises(ApplicationError) as refused:
        refund(workspace, agent_actor, paid_order, 3501)
    assert (refused.value.code, refused.value.status) == ("refund_exceeds_capture", 409)
    assert refused.value.details["refundable"] == 3500
    assert Transaction.objects.filter(kind="refund").count() == 1
    assert refund(workspace, agent_actor, paid_order, 3500).status == "executed"
    assert order_money(workspace=workspace, order=paid_order).refundable == eur(0)


def test_what_the_platform_refunded_itself_counts_too(workspace, buyer, seller, agent_actor):
    order = builders.order(
        workspace,
        "ORD-P",
        buyer=buyer,
        seller=seller,
        total=10000,
        payments=[
            PaymentInput(
                "PAY-P",
                status="partially_refunded",
                amount=10000,
                captured_amount=10000,
                refunded_amount=7000,
            )
        ],
    )
    with pytest.raises(ApplicationError) as refused:
        refund(workspace, agent_actor, order, 3001)
    assert refused.value.details["refundable"] == 3000


def test_nothing_captured_nothing_to_refund(workspace, buyer, seller, agent_actor):
    order = builders.order(
        workspace,
        "ORD-A",
        buyer=buyer,
        seller=seller,
        payments=[PaymentInput("PAY-A", status="authorized", amount=12500)],
    )
    with pytest.raises(ApplicationError) as refused:
        refund(workspace, agent_actor, order, 100)
    assert refused.value.code == "refund_exceeds_capture"


def test_a_refund_spreads_over_the_payments_of_a_double_charge(
    workspace, buyer, seller, finance_actor
):
    order = builders.order(
        workspace,
        "ORD-2X",
        buyer=buyer,
        seller=seller,
        total=5000,
        payments=[
            PaymentInput("PAY-X1", status="captured", amount=5000, captured_amount=5000),
            PaymentInput("PAY-X2", status="captured", amount=5000, captured_amount=5000),
        ],
    )
    tx = refund(workspace, finance_actor, order, 8000, reason="duplicate_charge").transaction
    parts = sorted(
        RefundAllocation.objects.filter(refund=tx).values_list("payment__external_id", "amount")
    )
    assert parts == [("PAY-X1", 5000), ("PAY-X2", 3000)]


def test_the_carrier_bears_a_lost_parcel_by_the_fault_rule(workspace, paid_order, agent_actor):
    result = refund(
        workspace,
        agent_actor,
        paid_order,
        5000,
        bearer="",
        cause="carrier_loss",
        reason="not_received",
    )
    tx = result.transaction
    assert (tx.bearer, tx.fault_rule, tx.policy_version.number) == (
        "carrier",
        "fault.carrier_loss",
        1,
    )
    claim = Entry.objects.get(transaction=tx, amount__gt=0).account
    assert (claim.kind, claim.carrier) == ("carrier_claims", "PostNL")


def test_a_bearer_that_contradicts_the_rule_is_refused(workspace, paid_order, agent_actor):
    with pytest.raises(ApplicationError) as refused:
        refund(workspace, agent_actor, paid_order, 5000, bearer="seller", cause="carrier_loss")
    assert refused.value.code == "bearer_contradicts_policy"
    with pytest.raises(ApplicationError) as refused:
        refund(workspace, agent_actor, paid_order, 5000, bearer="", cause="wrong_address")
    assert refused.value.code == "buyer_bears_cost"
    assert not Transaction.objects.filter(kind="refund").exists()


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"bearer": "buyer"}, "unknown_bearer"),
        ({"bearer": ""}, "bearer_required"),
        ({"reason": "because"}, "unknown_reason"),
        ({"outcome": "shrug"}, "unknown_outcome"),
        ({"note": "x" * 501}, "note_too_long"),
        ({"idempotency_key": ""}, "invalid_idempotency_key"),
        ({"idempotency_key": "~capture:1"}, "invalid_idempotency_key"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(workspace, paid_order, agent_actor, extra, code):
    with pytest.raises(ApplicationError) as refused:
        refund(workspace, agent_actor, paid_order, 1000, **extra)
    assert refused.value.code == code
    assert refused.value.status == 422
    assert not Transaction.objects.exists()


def test_amounts_must_be_positive_and_in_the_orders_currency(workspace, paid_order, agent_actor):
    for amount, code in ((eur(0), "amount_not_positive"), (Money(100, "USD"), "currency_mismatch")):
        with pytest.raises(ApplicationError) as refused:
            refund_buyer(
                workspace=workspace,
                actor=agent_actor,
                order=paid_order,
                amount=amount,
                bearer="platform",
                reason="damaged",
                idempotency_key=key(),
            )
        assert refused.value.code == code


def test_a_case_about_another_order_is_refused(workspace, buyer, seller, paid_order, agent_actor):
    other = builders.order(workspace, "ORD-9", buyer=buyer, seller=seller)
    elsewhere = builders.case(workspace, requester=buyer, order=other)
    with pytest.raises(ApplicationError) as refused:
        refund(workspace, agent_actor, paid_order, 1000, case=elsewhere)
    assert refused.value.code == "case_order_mismatch"


def test_a_read_only_member_cannot_move_money(workspace, paid_order, viewer_actor):
    with pytest.raises(ApplicationError) as refused:
        refund(workspace, viewer_actor, paid_order, 100)
    assert (refused.value.code, refused.value.status) == ("forbidden", 403)
    assert not Transaction.objects.filter(kind="refund").exists()
