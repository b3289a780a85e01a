"""Every money action carries a key: the same key and request return the first result
and change nothing; the same key with another request is refused."""

from __future__ import annotations

import pytest

from ombuds.conversations.models import CaseEvent
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.ledger.models import ApprovalRequest, Entry, MoneyAction, Transaction
from ombuds.ledger.services import credit_buyer, refund_buyer


def snapshot():
    return (
        Transaction.objects.count(),
        Entry.objects.count(),
        MoneyAction.objects.count(),
        ApprovalRequest.objects.count(),
        CaseEvent.objects.filter(kind__startswith="money.").count(),
        CaseEvent.objects.filter(kind__startswith="approval.").count(),
    )


def refund(workspace, actor, order, cents, key, **extra):
    return refund_buyer(
        workspace=workspace,
        actor=actor,
        order=order,
        amount=Money(cents, "EUR"),
        bearer=extra.pop("bearer", "seller"),
        reason="not_as_described",
        idempotency_key=key,
        **extra,
    )


def test_replaying_a_refund_returns_the_first_and_moves_nothing(
    workspace, paid_order, order_case, agent_actor
):
    first = refund(workspace, agent_actor, paid_order, 2500, "refund-7", case=order_case)
    before = snapshot()
    again = refund(workspace, agent_actor, paid_order, 2500, "refund-7", case=order_case)
    assert again.replayed and not first.replayed
    assert again.transaction.pk == first.transaction.pk
    assert snapshot() == before


def test_the_key_is_the_ledgers_own_whoever_replays_it(
    workspace, paid_order, agent_actor, colleague_actor
):
    first = refund(workspace, agent_actor, paid_order, 2500, "refund-8")
    # A second agent's retry of the same request (a shared integration) is the same action.
    again = refund(workspace, colleague_actor, paid_order, 2500, "refund-8")
    assert again.transaction.pk == first.transaction.pk


@pytest.mark.parametrize(
    "change",
    [
        {"cents": 2600},
        {"bearer": "platform"},
        {"note": "other words"},
    ],
)
def test_the_same_key_for_another_request_is_refused(workspace, paid_order, agent_actor, change):
    refund(workspace, agent_actor, paid_order, 2500, "refund-9")
    before = snapshot()
    cents = change.pop("cents", 2500)
    with pytest.raises(ApplicationError) as refused:
        refund(workspace, agent_actor, paid_order, cents, "refund-9", **change)
    assert (refused.value.code, refused.value.status) == ("idempotency_key_reused", 409)
    assert snapshot() == before


def test_a_key_used_for_a_refund_cannot_be_reused_for_a_credit(workspace, paid_order, agent_actor):
    refund(workspace, agent_actor, paid_order, 2500, "shared")
    with pytest.raises(ApplicationError) as refused:
        credit_buyer(
            workspace=workspace,
            actor=agent_actor,
            order=paid_order,
            amount=Money(2500, "EUR"),
            bearer="platform",
            reason="late_delivery",
            idempotency_key="shared",
        )
    assert refused.value.status == 409


def test_white_space_in_a_note_does_not_make_another_request(workspace, paid_order, agent_actor):
    first = refund(workspace, agent_actor, paid_order, 2500, "refund-10", note="sorry  about it")
    again = refund(workspace, agent_actor, paid_order, 2500, "refund-10", note=" sorry about it ")
    assert again.transaction.pk == first.transaction.pk


def test_a_refused_action_leaves_its_key_free(workspace, paid_order, agent_actor):
    with pytest.raises(ApplicationError):
        refund(workspace, agent_actor, paid_order, 99999, "refund-11")
    assert not MoneyAction.objects.exists()
    assert refund(workspace, agent_actor, paid_order, 2500, "refund-11").status == "executed"


def test_keys_belong_to_one_workspace(workspace, other_workspace, paid_order, agent_actor):
    from tests import builders
    from tests.ledger.conftest import actor_for

    buyer = builders.party(other_workspace, "B-1", name="Other Buyer", email="o@example.com")
    seller = builders.party(other_workspace, "S-1", kind="seller", name="Other Seller")
    from ombuds.marketplace.inputs import PaymentInput

    elsewhere = builders.order(
        other_workspace,
        "ORD-1",
        buyer=buyer,
        seller=seller,
        payments=[PaymentInput("PAY-1", status="captured", amount=12500, captured_amount=12500)],
    )
    them = actor_for(other_workspace, "agent@other.test", "agent")
    mine = refund(workspace, agent_actor, paid_order, 2500, "same-key")
    theirs = refund(other_workspace, them, elsewhere, 2600, "same-key")
    assert mine.transaction.pk != theirs.transaction.pk
