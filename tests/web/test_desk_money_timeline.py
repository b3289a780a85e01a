"""Money and approval events read as sentences on the case timeline, in English and
Dutch, with every value escaped."""

# The shared desk scenario's fixtures are imported by name; pytest injects them as arguments.

from __future__ import annotations

from django.utils import translation

from ombuds.accounts.models import Membership
from ombuds.core.money import Money
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.services import (
    credit_buyer,
    decide_approval,
    refund_buyer,
    reverse_transaction,
    settle_refund,
)
from ombuds.web.desk.timeline import describe_event, event_details
from tests import builders


def _actor(workspace, email, role, name):
    user = builders.member(workspace, email, role=role, name=name)
    return MoneyActor.member(Membership.objects.get(workspace=workspace, user=user))


def test_every_money_event_has_its_sentence(workspace, ticket_case):
    agent = _actor(workspace, "eve@resale.test", "agent", "Eve <b>Agent</b>")
    boss = _actor(workspace, "sue@resale.test", "supervisor", "Sue")
    order = ticket_case.order
    money = {"workspace": workspace, "order": order, "case": ticket_case}
    refund = refund_buyer(
        **money,
        actor=agent,
        amount=Money(2000, "EUR"),
        cause="seller_cancelled",
        reason="seller_cancelled",
        note="Seller gone",
        idempotency_key="t-1",
    ).transaction
    credit = credit_buyer(
        **money,
        actor=agent,
        amount=Money(500, "EUR"),
        bearer="platform",
        reason="late_delivery",
        idempotency_key="t-2",
    ).transaction
    reverse_transaction(workspace=workspace, actor=boss, transaction=credit, idempotency_key="t-3")
    settle_refund(workspace=workspace, refund=refund, actor=MoneyActor.system("psp"))
    asked = refund_buyer(
        **money,
        actor=agent,
        amount=Money(15000, "EUR"),
        bearer="seller",
        reason="seller_cancelled",
        idempotency_key="t-4",
    )
    decide_approval(
        workspace=workspace, approval=asked.approval, actor=boss, approve=False, note="Not yet"
    )
    events = {e.kind: e for e in ticket_case.events.all()}
    with translation.override("en"):
        said = {kind: describe_event(e) for kind, e in events.items()}
        assert said["money.refunded"] == (
            "<strong>Eve &lt;b&gt;Agent&lt;/b&gt;</strong> refunded <strong>€20.00</strong> to "
            "the buyer, charged to <strong>Seller</strong>"
        )
        assert "gave <strong>€5.00</strong> store credit" in said["money.credited"]
        assert "reversed a movement of <strong>€5.00</strong>" in said["money.reversed"]
        assert "was paid out to the buyer" in said["money.refund_paid_out"]
        assert (
            "asked approval for a <strong>refund</strong> of <strong>€150.00</strong>"
            in (said["approval.requested"])
        )
        assert "<strong>supervisor</strong> decides" in said["approval.requested"]
        assert "rejected the <strong>refund</strong>" in said["approval.decided"]
        details = event_details(events["money.refunded"])
        assert (
            details
            == (
                "Seller cancelled or backed out · Full refund · rule fault.seller_cancelled · "
                "policy v1 · Seller gone"
            )
            or "rule fault.seller_cancelled · policy v1 · Seller gone" in details
        )
        assert event_details(events["approval.decided"]) == "Not yet"
    with translation.override("nl"):
        assert "betaalde <strong>€\xa020,00</strong> terug aan de koper" in describe_event(
            events["money.refunded"]
        )
        assert "wees <strong>terugbetaling</strong> van" in describe_event(
            events["approval.decided"]
        )
