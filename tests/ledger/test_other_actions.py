"""Credits, seller debits, rebookings, reversals and payouts: each balanced, each on the
case's timeline, each undoable only in the ways money can be undone."""

from __future__ import annotations

import pytest

from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.models import AccountKind, RefundAllocation, Transaction
from ombuds.ledger.selectors import (
    account_balances,
    credit_balance,
    order_money,
    unbalanced_transactions,
)
from ombuds.ledger.services import (
    credit_buyer,
    debit_seller,
    pay_rebooking,
    record_captures,
    refund_buyer,
    reverse_transaction,
    settle_refund,
)
from ombuds.marketplace.models import Payment
from tests.ledger.conftest import key


def eur(cents):
    return Money(cents, "EUR")


def balances(workspace):
    return {
        (b.account.kind, b.account.party_id, b.account.carrier): b.balances.get("EUR", 0)
        for b in account_balances(workspace=workspace)
    }


def test_a_credit_is_owed_to_the_buyer_and_costs_the_bearer(
    workspace, paid_order, order_case, agent_actor, buyer
):
    result = credit_buyer(
        workspace=workspace,
        actor=agent_actor,
        order=paid_order,
        amount=eur(1000),
        bearer="platform",
        reason="late_delivery",
        idempotency_key=key(),
        case=order_case,
    )
    tx = result.transaction
    assert (tx.kind, tx.outcome, tx.cost, tx.buyer_id) == ("credit", "compensation", 1000, buyer.pk)
    assert credit_balance(workspace=workspace, buyer=buyer) == {"EUR": 1000}
    assert balances(workspace)[(AccountKind.PLATFORM_COST, None, "")] == 1000
    assert order_case.events.get(kind="money.credited").data["amount"] == 1000
    assert order_money(workspace=workspace, order=paid_order).credits == eur(1000)


def test_a_credit_without_an_order_goes_to_the_buyer(workspace, buyer, agent_actor):
    tx = credit_buyer(
        workspace=workspace,
        actor=agent_actor,
        buyer=buyer,
        amount=eur(500),
        bearer="platform",
        reason="other",
        outcome="goodwill",
        idempotency_key=key(),
    ).transaction
    assert (tx.order_id, tx.outcome) == (None, "goodwill")
    assert credit_balance(workspace=workspace, buyer=buyer) == {"EUR": 500}


def test_a_credit_above_the_compensation_budget_needs_approval(
    workspace, paid_order, supervisor_actor
):
    # 10 % of 125.00 is 12.50: within the supervisor's 100.00 limit, but over budget.
    result = credit_buyer(
        workspace=workspace,
        actor=supervisor_actor,
        order=paid_order,
        amount=eur(1300),
        bearer="platform",
        reason="late_delivery",
        idempotency_key=key(),
    )
    assert result.status == "awaiting_approval"
    assert (result.approval.hold_reason, result.approval.budget) == ("over_budget", 1250)


def test_a_seller_debit_recovers_what_the_platform_fronted(
    workspace, paid_order, order_case, agent_actor, seller
):
    refund_buyer(
        workspace=workspace,
        actor=agent_actor,
        order=paid_order,
        amount=eur(3000),
        bearer="platform",
        reason="not_as_described",
        idempotency_key=key(),
    )
    tx = debit_seller(
        workspace=workspace,
        actor=agent_actor,
        order=paid_order,
        amount=eur(3000),
        reason="not_as_described",
        idempotency_key=key(),
        case=order_case,
    ).transaction
    assert (tx.kind, tx.outcome, tx.cost) == ("seller_debit", "cost_recovery", 0)
    book = balances(workspace)
    assert book[(AccountKind.PLATFORM_COST, None, "")] == 0
    assert book[(AccountKind.SELLER_BALANCE, seller.pk, "")] == -12500 + 3000
    assert order_money(workspace=workspace, order=paid_order).seller_debits == eur(3000)
    assert order_case.events.filter(kind="money.seller_debited").exists()


def test_a_rebooking_within_budget_is_paid_and_above_it_waits(
    workspace, paid_order, supervisor_actor
):
    # The rebooking budget is 25 % of 125.00 = 31.25
    within = pay_rebooking(
        workspace=workspace,
        actor=supervisor_actor,
        order=paid_order,
        amount=eur(3125),
        bearer="seller",
        reason="booking_not_honoured",
        idempotency_key=key(),
    )
    assert within.status == "executed"
    assert within.transaction.outcome == "rebooking"
    above = pay_rebooking(
        workspace=workspace,
        actor=supervisor_actor,
        order=paid_order,
        amount=eur(3126),
        bearer="seller",
        reason="booking_not_honoured",
        idempotency_key=key(),
    )
    assert above.status == "awaiting_approval"
    assert above.approval.hold_reason == "over_budget"


def test_reversing_a_refund_frees_its_room_and_nets_its_cost(
    workspace, paid_order, order_case, agent_actor, supervisor_actor
):
    refund = refund_buyer(
        workspace=workspace,
        actor=agent_actor,
        order=paid_order,
        amount=eur(4000),
        bearer="seller",
        reason="not_as_described",
        idempotency_key=key(),
        case=order_case,
    ).transaction
    undone = reverse_transaction(
        workspace=workspace,
        actor=supervisor_actor,
        transaction=refund,
        idempotency_key="undo-1",
        note="Wrong order",
    )
    tx = undone.transaction
    assert (tx.kind, tx.reverses_id, tx.cost, tx.reason) == (
        "reversal",
        refund.pk,
        -4000,
        "not_as_described",
    )
    money = order_money(workspace=workspace, order=paid_order)
    assert money.refundable == eur(12500)
    assert money.refunded_by_desk == eur(0)
    assert money.cost == eur(0)
    assert RefundAllocation.objects.get(refund=refund).released
    assert order_case.events.get(kind="money.reversed").data["reverses"] == refund.pk
    assert unbalanced_transactions(workspace=workspace) == []
    # Replaying the reversal returns it; a second reversal is refused
    assert (
        reverse_transaction(
            workspace=workspace,
            actor=supervisor_actor,
            transaction=refund,
            idempotency_key="undo-1",
            note="Wrong order",
        ).transaction.pk
        == tx.pk
    )
    with pytest.raises(ApplicationError) as refused:
        reverse_transaction(
            workspace=workspace,
            actor=supervisor_actor,
            transaction=refund,
            idempotency_key="undo-2",
        )
    assert refused.value.code == "already_reversed"
    with pytest.raises(ApplicationError) as refused:
        reverse_transaction(
            workspace=workspace, actor=supervisor_actor, transaction=tx, idempotency_key="undo-3"
        )
    assert refused.value.code == "not_reversible"


def test_an_agent_needs_approval_to_reverse(workspace, paid_order, agent_actor):
    refund = refund_buyer(
        workspace=workspace,
        actor=agent_actor,
        order=paid_order,
        amount=eur(4000),
        bearer="seller",
        reason="not_as_described",
        idempotency_key=key(),
    ).transaction
    asked = reverse_transaction(
        workspace=workspace, actor=agent_actor, transaction=refund, idempotency_key=key()
    )
    assert asked.status == "awaiting_approval"


def test_a_payout_settles_the_refund_into_the_payment(
    workspace, paid_order, order_case, agent_actor, supervisor_actor, buyer
):
    refund = refund_buyer(
        workspace=workspace,
        actor=agent_actor,
        order=paid_order,
        amount=eur(4000),
        bearer="seller",
        reason="not_as_described",
        idempotency_key=key(),
        case=order_case,
    ).transaction
    psp = MoneyActor.system("psp")
    payout = settle_refund(workspace=workspace, refund=refund, actor=psp, psp_reference="re_123")
    payment = Payment.objects.get()
    assert (payment.refunded_amount, payment.status) == (4000, "partially_refunded")
    money = order_money(workspace=workspace, order=paid_order)
    assert (money.refunds_pending, money.refundable) == (eur(0), eur(8500))
    assert balances(workspace)[(AccountKind.BUYER_REFUNDS_PAYABLE, buyer.pk, "")] == 0
    assert balances(workspace)[(AccountKind.PSP_CLEARING, None, "")] == 12500 - 4000
    assert order_case.events.filter(kind="money.refund_paid_out").count() == 1
    # Told twice, it pays out once
    assert settle_refund(workspace=workspace, refund=refund, actor=psp).pk == payout.pk
    assert Payment.objects.get().refunded_amount == 4000
    # A refund paid out cannot be reversed
    with pytest.raises(ApplicationError) as refused:
        reverse_transaction(
            workspace=workspace, actor=supervisor_actor, transaction=refund, idempotency_key=key()
        )
    assert refused.value.code == "refund_paid_out"


def test_a_reversed_refund_is_not_paid_out(workspace, paid_order, supervisor_actor):
    refund = refund_buyer(
        workspace=workspace,
        actor=supervisor_actor,
        order=paid_order,
        amount=eur(4000),
        bearer="seller",
        reason="not_as_described",
        idempotency_key=key(),
    ).transaction
    reverse_transaction(
        workspace=workspace, actor=supervisor_actor, transaction=refund, idempotency_key=key()
    )
    with pytest.raises(ApplicationError) as refused:
        settle_refund(workspace=workspace, refund=refund, actor=MoneyActor.system("psp"))
    assert refused.value.code == "refund_reversed"


def test_captures_follow_the_payments_and_are_booked_once(workspace, paid_order):
    first = record_captures(order=paid_order)
    assert [t.amount for t in first] == [12500]
    assert record_captures(order=paid_order) == []
    Payment.objects.update(captured_amount=10000)  # the platform corrected the capture
    corrected = record_captures(order=paid_order)
    assert [t.amount for t in corrected] == [2500]
    assert balances(workspace)[(AccountKind.PSP_CLEARING, None, "")] == 10000
    assert Transaction.objects.filter(kind="capture").count() == 2
