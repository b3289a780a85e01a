"""What a chargeback does to the ledger: balanced movements, by policy, booked once
however the reports arrive; and the refunds the bank makes moot are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Sum

from ombuds.accounts.models import Membership
from ombuds.chargebacks.models import Chargeback
from ombuds.chargebacks.outbox import send_due
from ombuds.chargebacks.services.evidence import preview_evidence, submit_evidence
from ombuds.conversations.models import CaseEvent
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.models import Entry, MoneyAction, Transaction
from ombuds.ledger.selectors import unbalanced_transactions
from ombuds.ledger.services import refund_buyer

from . import documented as doc
from .stripe_server import StripeStandIn, dispute_answer

DUE = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def balances(workspace) -> dict[str, int]:
    """Each account kind's balance (debits positive), over every movement but captures."""
    rows = (
        Entry.objects.filter(workspace=workspace)
        .exclude(transaction__kind="capture")
        .values("account__kind")
        .annotate(total=Sum("amount"))
    )
    return {r["account__kind"]: r["total"] for r in rows if r["total"]}


WITHDRAWAL = doc.balance_transaction(-12500, 1500, ident="txn_1W")
REINSTATEMENT = doc.balance_transaction(12500, 0, ident="txn_1R")


def created(**dispute):
    return doc.event("charge.dispute.created", doc.dispute(due_by=DUE, **dispute), created=at(0))


def withdrawn(**dispute):
    return doc.event(
        "charge.dispute.funds_withdrawn",
        doc.dispute(due_by=DUE, balance_transactions=[WITHDRAWAL], **dispute),
        created=at(1),
    )


def test_the_whole_life_of_a_won_chargeback(deliver, workspace, order, agent, stripe_api):
    deliver(created(), withdrawn())
    chargeback = Chargeback.objects.get()
    assert chargeback.funds == "withdrawn"
    # Not received, yet delivered by the carrier: the rules cannot tell, the platform holds it.
    assert balances(workspace) == {"platform_cost": 14000, "psp_clearing": -14000}

    pack = preview_evidence(chargeback=chargeback, statement="Signed for by the buyer.")
    submit_evidence(
        chargeback=chargeback,
        by=agent,
        fingerprint=pack.fingerprint,
        statement="Signed for by the buyer.",
    )
    stripe = StripeStandIn(stripe_api)
    stripe.expect("POST", "/v1/files", doc.file_object(), times=2)
    stripe.expect("POST", f"/v1/disputes/{doc.DISPUTE}", dispute_answer())
    send_due()

    won = doc.dispute(
        status="won",
        due_by=DUE,
        submission_count=1,
        balance_transactions=[WITHDRAWAL, REINSTATEMENT],
    )
    deliver(
        doc.event(
            "charge.dispute.updated",
            doc.dispute(status="under_review", due_by=DUE, submission_count=1),
            created=at(60),
        ),
        doc.event("charge.dispute.closed", won, created=at(900)),
        doc.event("charge.dispute.funds_reinstated", won, created=at(901)),
    )
    chargeback.refresh_from_db()
    assert (chargeback.state, chargeback.funds, chargeback.submission_status) == (
        "won",
        "reinstated",
        "submitted",
    )
    # The amount came back; the dispute fee did not.
    assert balances(workspace) == {"platform_cost": 1500, "psp_clearing": -1500}
    kinds = list(
        Transaction.objects.filter(workspace=workspace)
        .exclude(kind="capture")
        .order_by("pk")
        .values_list("kind", "amount", "cost")
    )
    assert kinds == [
        ("chargeback", 12500, 12500),
        ("chargeback", 1500, 1500),
        ("chargeback_reversal", 12500, -12500),
    ]
    assert unbalanced_transactions(workspace=workspace) == []
    timeline = CaseEvent.objects.filter(case=chargeback.case, kind__startswith="money.")
    assert list(timeline.order_by("pk").values_list("kind", flat=True)) == [
        "money.charged_back",
        "money.charged_back",
        "money.chargeback_reinstated",
    ]


def test_a_lost_chargeback_keeps_the_money_withdrawn(deliver, workspace, order):
    deliver(
        created(),
        doc.event(
            "charge.dispute.closed",
            doc.dispute(status="lost", due_by=DUE, balance_transactions=[WITHDRAWAL]),
            created=at(900),
        ),
    )
    assert Chargeback.objects.get().funds == "withdrawn"
    assert balances(workspace) == {"platform_cost": 14000, "psp_clearing": -14000}


def test_the_seller_bears_a_chargeback_the_rules_put_on_them(deliver, workspace, order, seller):
    deliver(
        created(reason="product_unacceptable"),
        doc.event(
            "charge.dispute.closed",
            doc.dispute(status="lost", due_by=DUE, reason="product_unacceptable"),
            created=at(900),
        ),
    )
    tx = Transaction.objects.get(workspace=workspace, kind="chargeback")
    assert (tx.bearer, tx.fault_rule, tx.reason) == (
        "seller",
        "fault.not_as_described",
        "not_as_described",
    )
    assert balances(workspace) == {"seller_balance": 12500, "psp_clearing": -12500}


def test_repeated_reports_book_each_movement_once(deliver, workspace, order):
    lost = doc.event(
        "charge.dispute.closed",
        doc.dispute(status="lost", due_by=DUE, balance_transactions=[WITHDRAWAL]),
        created=at(900),
    )
    deliver(created(), withdrawn(), lost, withdrawn(), lost)
    assert Transaction.objects.filter(workspace=workspace, kind="chargeback").count() == 2
    assert balances(workspace) == {"platform_cost": 14000, "psp_clearing": -14000}


def test_an_inquiry_moves_no_money(deliver, workspace, order):
    deliver(
        doc.event(
            "charge.dispute.created",
            doc.dispute(status="warning_needs_response", due_by=DUE),
            created=at(0),
        ),
        doc.event(
            "charge.dispute.closed", doc.dispute(status="warning_closed", due_by=DUE), created=at(9)
        ),
    )
    assert not Transaction.objects.filter(workspace=workspace).exclude(kind="capture").exists()


@pytest.fixture
def agent_money(workspace, agent):
    return MoneyActor.member(Membership.objects.get(workspace=workspace, user=agent))


def test_a_refund_of_a_charged_back_payment_is_refused(deliver, workspace, order, agent_money):
    deliver(created())
    with pytest.raises(ApplicationError) as refused:
        refund_buyer(
            workspace=workspace,
            actor=agent_money,
            order=order,
            amount=Money(2500, "EUR"),
            reason="not_received",
            bearer="platform",
            idempotency_key="refund-during-chargeback",
        )
    assert (refused.value.status, refused.value.code) == (409, "payment_charged_back")
    assert not MoneyAction.objects.filter(key="refund-during-chargeback").exists()
    assert not Transaction.objects.filter(workspace=workspace, kind="refund").exists()


def test_an_inquiry_still_takes_a_refund(deliver, workspace, order, agent_money):
    deliver(
        doc.event(
            "charge.dispute.created",
            doc.dispute(status="warning_needs_response", due_by=DUE, refundable=True),
            created=at(0),
        )
    )
    result = refund_buyer(
        workspace=workspace,
        actor=agent_money,
        order=order,
        amount=Money(2500, "EUR"),
        reason="not_received",
        bearer="platform",
        idempotency_key="refund-settles-inquiry",
    )
    assert result.status == "executed"


def test_a_lost_chargeback_the_seller_bears_is_recovered_on_connect(
    deliver, workspace, order, stripe_connection, stripe_api
):
    from ombuds.chargebacks.models import PspConnection

    PspConnection.objects.filter(pk=stripe_connection.pk).update(connect_enabled=True)
    deliver(
        created(reason="product_unacceptable"),
        doc.event(
            "charge.dispute.closed",
            doc.dispute(status="lost", due_by=DUE, reason="product_unacceptable"),
            created=at(900),
        ),
    )
    stripe = StripeStandIn(stripe_api)
    transfer = "tr_1Mio2eLkdIwHu7ixeJqvH7YE"
    stripe_api.expect_ordered_request(f"/v1/charges/{doc.CHARGE}", method="GET").respond_with_json(
        {"id": doc.CHARGE, "object": "charge", "amount": 12500, "transfer": transfer}
    )
    stripe.expect(
        "POST", f"/v1/transfers/{transfer}/reversals", doc.transfer_reversal(amount=12500)
    )
    send_due()
    (reversal,) = stripe.seen
    assert reversal.form["amount"] == "12500"
    assert reversal.form["metadata[dispute]"] == doc.DISPUTE
    chargeback = Chargeback.objects.get()
    assert CaseEvent.objects.filter(case=chargeback.case, kind="psp.transfer_reversed").exists()
