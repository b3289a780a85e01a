"""What the parties do between them: offers, contests, escalation, withdrawal."""

from __future__ import annotations

import pytest

from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.disputes.models import OfferStatus, State
from ombuds.disputes.services.responses import (
    contest_claim,
    escalate_dispute,
    propose_offer,
    withdraw_dispute,
)


def test_an_offer_starts_the_buyers_clock(dispute, seller_actor):
    offer = propose_offer(
        dispute=dispute,
        actor=seller_actor,
        kind="partial_refund",
        amount=Money(4000, "EUR"),
        note="Half back, you keep it.",
    )

    dispute.refresh_from_db()
    assert dispute.state == State.OFFER_PENDING
    assert dispute.buyer_due_at and dispute.next_due_at == dispute.buyer_due_at
    assert dispute.seller_responded_at is not None
    assert offer.status == OfferStatus.PENDING and offer.bearer == "seller"
    notice = dispute.case.messages.order_by("-pk").first()
    assert "Partial refund, €40.00" in notice.body_text


def test_a_newer_offer_replaces_the_one_waiting(dispute, seller_actor):
    first = propose_offer(
        dispute=dispute, actor=seller_actor, kind="credit", amount=Money(1000, "EUR")
    )
    second = propose_offer(dispute=dispute, actor=seller_actor, kind="replacement", amount=None)

    first.refresh_from_db()
    assert first.status == OfferStatus.SUPERSEDED
    assert second.number == 2 and second.amount is None


def test_the_same_key_makes_the_offer_once(dispute, seller_actor):
    one = propose_offer(
        dispute=dispute,
        actor=seller_actor,
        kind="credit",
        amount=Money(1000, "EUR"),
        idempotency_key="offer-1",
    )
    two = propose_offer(
        dispute=dispute,
        actor=seller_actor,
        kind="credit",
        amount=Money(1000, "EUR"),
        idempotency_key="offer-1",
    )

    assert one == two
    assert dispute.offers.count() == 1


@pytest.mark.parametrize(
    ("kind", "amount", "code"),
    [
        ("partial_refund", None, "amount_required"),
        ("partial_refund", Money(12501, "EUR"), "amount_above_order_total"),
        ("replacement", Money(100, "EUR"), "offer_takes_no_amount"),
        ("cash_in_an_envelope", Money(100, "EUR"), "unknown_offer_kind"),
        ("credit", Money(100, "USD"), "currency_mismatch"),
    ],
)
def test_an_offer_that_does_not_hold_is_refused(dispute, seller_actor, kind, amount, code):
    with pytest.raises(ApplicationError) as refused:
        propose_offer(dispute=dispute, actor=seller_actor, kind=kind, amount=amount)
    assert refused.value.code == code
    assert not dispute.offers.exists()


def test_contest_needs_a_statement_and_keeps_it_as_evidence(dispute, seller_actor):
    with pytest.raises(ApplicationError):
        contest_claim(dispute=dispute, actor=seller_actor, statement=" ")

    contest_claim(dispute=dispute, actor=seller_actor, statement="Signed for on the 3rd.")

    dispute.refresh_from_db()
    assert dispute.state == State.CONTESTED
    assert dispute.evidence.filter(kind="statement", submitted_by_role="seller").exists()


def test_escalating_declines_the_waiting_offer(dispute, seller_actor, buyer_actor):
    offer = propose_offer(
        dispute=dispute, actor=seller_actor, kind="credit", amount=Money(500, "EUR")
    )

    escalate_dispute(dispute=dispute, actor=buyer_actor, note="Five euros is not enough.")

    offer.refresh_from_db()
    dispute.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
    assert dispute.state == State.IN_MEDIATION and dispute.next_due_at is None
    assert dispute.messages.get().body == "Five euros is not enough."


def test_the_platform_may_propose_a_settlement_it_pays_for(dispute, agent_one):
    escalate_dispute(dispute=dispute, actor=agent_one)

    offer = propose_offer(
        dispute=dispute,
        actor=agent_one,
        kind="credit",
        amount=Money(1500, "EUR"),
        bearer="platform",
    )

    dispute.refresh_from_db()
    assert dispute.state == State.IN_MEDIATION  # a proposal in mediation moves nothing
    assert offer.bearer == "platform" and offer.made_by_role == "agent"


def test_withdrawing_ends_the_dispute(dispute, buyer_actor):
    withdraw_dispute(dispute=dispute, actor=buyer_actor, note="It arrived today.")

    dispute.refresh_from_db()
    assert dispute.state == State.WITHDRAWN and dispute.ending == "withdrawn"
    assert dispute.ended_at is not None and dispute.next_due_at is None
