"""Reads of the ledger stay in their workspace and cost a fixed number of queries; the
preview shows a decision's entries without writing them; movements are announced."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ombuds.core.errors import NotFound
from ombuds.core.money import Money
from ombuds.ledger import announcements
from ombuds.ledger.models import Account, MoneyAction, Transaction
from ombuds.ledger.selectors import (
    account_balances,
    account_by_id,
    approval_by_id,
    order_money,
    preview_ledger_effect,
    transaction_by_id,
    transactions_of_order,
)
from ombuds.ledger.services import credit_buyer, refund_buyer
from tests.ledger.conftest import key


def eur(cents):
    return Money(cents, "EUR")


def refund(workspace, actor, order, cents, **extra):
    return refund_buyer(
        workspace=workspace,
        actor=actor,
        order=order,
        amount=eur(cents),
        bearer=extra.pop("bearer", "seller"),
        reason="not_as_described",
        idempotency_key=key(),
        **extra,
    )


def test_another_workspaces_rows_are_not_found(workspace, other_workspace, paid_order, agent_actor):
    tx = refund(workspace, agent_actor, paid_order, 1000).transaction
    waiting = refund(workspace, agent_actor, paid_order, 11000).approval
    account = Account.objects.filter(workspace=workspace).first()
    for read in (
        lambda: order_money(workspace=other_workspace, order=paid_order),
        lambda: transaction_by_id(workspace=other_workspace, pk=tx.pk),
        lambda: account_by_id(workspace=other_workspace, pk=account.pk),
        lambda: approval_by_id(workspace=other_workspace, pk=waiting.pk),
    ):
        with pytest.raises(NotFound):
            read()
    assert account_balances(workspace=other_workspace) == []
    assert transactions_of_order(workspace=other_workspace, order=paid_order) == []


def test_the_money_panels_reads_do_not_grow_with_movements(workspace, paid_order, agent_actor):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            order_money(workspace=workspace, order=paid_order)
            rows = transactions_of_order(workspace=workspace, order=paid_order)
            [(t.actor_user, t.case, t.reverses) for t in rows]
        return len(captured.captured_queries)

    refund(workspace, agent_actor, paid_order, 500)
    few = queries()
    for _ in range(6):
        refund(workspace, agent_actor, paid_order, 500)
        credit_buyer(
            workspace=workspace,
            actor=agent_actor,
            order=paid_order,
            amount=eur(100),
            bearer="platform",
            reason="late_delivery",
            idempotency_key=key(),
        )
    assert queries() == few <= 4


def test_a_preview_shows_the_entries_and_writes_nothing(
    workspace, paid_order, agent_actor, seller, buyer
):
    before = (Transaction.objects.count(), Account.objects.count(), MoneyAction.objects.count())
    preview = preview_ledger_effect(
        workspace=workspace,
        kind="refund",
        amount=eur(6000),
        order=paid_order,
        cause="carrier_loss",
        reason="not_received",
        actor=agent_actor,
    )
    assert before == (
        Transaction.objects.count(),
        Account.objects.count(),
        MoneyAction.objects.count(),
    )
    assert preview.can_execute
    assert preview.bearer == "carrier"
    assert preview.attribution.rule == "fault.carrier_loss"
    assert preview.refundable == eur(12500)
    assert [(leg.account_kind, leg.carrier, leg.amount.amount) for leg in preview.legs] == [
        ("carrier_claims", "PostNL", 6000),
        ("buyer_refunds_payable", "", -6000),
    ]
    assert preview.legs[1].party == buyer


def test_a_preview_says_what_would_stop_it(workspace, paid_order, agent_actor):
    too_much = preview_ledger_effect(
        workspace=workspace,
        kind="refund",
        amount=eur(13000),
        order=paid_order,
        bearer="seller",
        actor=agent_actor,
    )
    assert not too_much.can_execute
    assert "refund_exceeds_capture" in [p["code"] for p in too_much.problems]
    assert too_much.authority.hold_reason == "over_limit"
    buyer_fault = preview_ledger_effect(
        workspace=workspace,
        kind="refund",
        amount=eur(1000),
        order=paid_order,
        cause="wrong_size",
    )
    assert [p["code"] for p in buyer_fault.problems] == ["buyer_bears_cost"]


def test_every_movement_is_announced_inside_its_transaction(
    workspace, paid_order, order_case, agent_actor, monkeypatch
):
    heard = []
    monkeypatch.setattr(announcements, "_LISTENERS", [])
    announcements.listen("test", heard.append)
    tx = refund(workspace, agent_actor, paid_order, 1500, case=order_case).transaction
    assert [(a.event, a.transaction_id) for a in heard] == [("money.refunded", tx.pk)]
    payload = heard[0].payload
    assert payload["order"] == "ORD-1"
    assert payload["case"] == order_case.reference
    assert payload["refunds"] == [{"payment": "PAY-1", "amount": 1500}]
    # Captures are the platform's own news; a waiting approval moves nothing to announce.
    refund(workspace, agent_actor, paid_order, 11000)
    assert len(heard) == 1
    replay = announcements.announcements_since(workspace=workspace)
    assert [a.transaction_id for a in replay] == [tx.pk]
