"""One appeal within the window, reviewed by another agent; a revision moves only the
difference of money."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ombuds.core.errors import ApplicationError
from ombuds.core.models import WebhookDelivery
from ombuds.core.money import Money
from ombuds.disputes.models import Decision, Dispute, Ending, State
from ombuds.disputes.services.decisions import appeal_decision, decide_dispute, review_appeal
from ombuds.disputes.services.sweep import sweep_due_disputes
from tests.disputes.conftest import agent_actor
from tests.disputes.helpers import books_straight, endpoint, in_mediation, movements, refunded, told


def eur(cents):
    return Money(cents, "EUR")


@pytest.fixture
def decided(dispute, agent_one):
    in_mediation(dispute, agent_one)
    decide_dispute(
        dispute=dispute,
        actor=agent_one,
        outcome="partial_refund",
        amount=eur(4000),
        bearer="seller",
        statement="Half the order arrived; the seller refunds the missing half.",
    )
    dispute.refresh_from_db()
    return dispute


def test_a_party_appeals_once_within_the_window(workspace, decided, buyer_actor, seller_actor):
    endpoint(workspace)

    appeal_decision(dispute=decided, actor=buyer_actor, grounds="Nothing arrived at all.")

    decided.refresh_from_db()
    assert decided.state == State.UNDER_APPEAL and decided.next_due_at is None
    assert decided.evidence.filter(title="Grounds of appeal", locked_at__isnull=True).exists()
    assert "was appealed" in told(decided)
    assert WebhookDelivery.objects.filter(event="dispute.appealed").count() == 1
    with pytest.raises(ApplicationError) as again:
        appeal_decision(dispute=decided, actor=seller_actor, grounds="Me too.")
    assert (again.value.code, again.value.status) == ("invalid_transition", 409)


def test_an_appeal_needs_grounds_and_a_party(decided, buyer_actor, agent_two):
    with pytest.raises(ApplicationError) as bare:
        appeal_decision(dispute=decided, actor=buyer_actor, grounds=" ")
    assert (bare.value.code, bare.value.status) == ("grounds_required", 422)
    with pytest.raises(ApplicationError) as agent:
        appeal_decision(dispute=decided, actor=agent_two, grounds="I disagree.")
    assert agent.value.status == 403
    decided.refresh_from_db()
    assert decided.state == State.DECIDED


def test_the_window_closes(decided, buyer_actor):
    past = timezone.now() - timedelta(minutes=1)
    Dispute.objects.filter(pk=decided.pk).update(appeal_due_at=past, next_due_at=past)
    decided.refresh_from_db()

    with pytest.raises(ApplicationError) as late:
        appeal_decision(dispute=decided, actor=buyer_actor, grounds="Too late?")

    assert (late.value.code, late.value.status) == ("appeal_window_closed", 409)
    sweep_due_disputes(now=timezone.now())
    decided.refresh_from_db()
    assert (decided.state, decided.ending) == (State.CLOSED, Ending.DECIDED)


def test_a_second_appeal_after_a_new_decision_is_refused(decided, buyer_actor, agent_one):
    # An appeal recorded on the dispute's history counts, whatever decision followed.
    appeal_decision(dispute=decided, actor=buyer_actor, grounds="Nothing arrived.")
    Dispute.objects.filter(pk=decided.pk).update(state=State.DECIDED)
    decided.refresh_from_db()

    with pytest.raises(ApplicationError) as again:
        appeal_decision(dispute=decided, actor=buyer_actor, grounds="Once more.")

    assert (again.value.code, again.value.status) == ("appeal_taken", 409)


def test_the_deciding_agent_does_not_review(decided, buyer_actor, agent_one):
    appeal_decision(dispute=decided, actor=buyer_actor, grounds="Nothing arrived at all.")

    with pytest.raises(ApplicationError) as refused:
        review_appeal(dispute=decided, actor=agent_one, verdict="uphold", statement="Fine.")

    assert (refused.value.code, refused.value.status) == ("same_reviewer", 409)
    assert Decision.objects.count() == 1


def test_upholding_moves_no_more_money(workspace, decided, buyer_actor, agent_two):
    appeal_decision(dispute=decided, actor=buyer_actor, grounds="Nothing arrived at all.")

    review = review_appeal(
        dispute=decided,
        actor=agent_two,
        verdict="uphold",
        statement="The carrier's scan shows half delivered.",
    )

    decided.refresh_from_db()
    assert (decided.state, decided.ending) == (State.CLOSED, Ending.APPEAL_DECIDED)
    assert (review.kind, review.verdict, review.outcome, review.amount) == (
        "appeal_review",
        "uphold",
        "partial_refund",
        4000,
    )
    assert decided.latest_decision == review and review.revises.kind == "decision"
    assert len(movements(decided)) == 1 and refunded(decided) == 4000
    assert "the decision is upheld" in told(decided)


def test_a_revision_refunds_only_the_difference(workspace, decided, buyer_actor, agent_two):
    endpoint(workspace)
    appeal_decision(dispute=decided, actor=buyer_actor, grounds="Nothing arrived at all.")

    review = review_appeal(
        dispute=decided,
        actor=agent_two,
        verdict="revise",
        statement="The tracking shows nothing delivered.",
        outcome="partial_refund",
        amount=eur(9000),
        idempotency_key="review-1",
    )
    again = review_appeal(
        dispute=decided,
        actor=agent_two,
        verdict="revise",
        statement="The tracking shows nothing delivered.",
        outcome="partial_refund",
        amount=eur(9000),
        idempotency_key="review-1",
    )

    assert again == review
    first, extra = movements(decided)
    assert (first.amount, extra.amount, extra.bearer) == (4000, 5000, "seller")
    assert review.transactions == [extra.pk] and refunded(decided) == 9000
    hook = WebhookDelivery.objects.get(event="dispute.appeal_decided")
    assert hook.payload["verdict"] == "revise" and hook.payload["amount"] == 9000
    books_straight(workspace)


def test_a_revision_for_the_seller_reverses_the_refund(workspace, decided, seller_actor):
    appeal_decision(dispute=decided, actor=seller_actor, grounds="The parcel was delivered.")
    # Reversing money is beyond an agent's authority; a supervisor reviews this one.
    supervisor = agent_actor(workspace, "sue@resale.test", role="supervisor")

    review = review_appeal(
        dispute=decided,
        actor=supervisor,
        verdict="revise",
        statement="The signature on delivery matches the buyer's name.",
        outcome="no_refund",
    )

    refund, reversal = movements(decided)
    assert reversal.kind == "reversal" and reversal.reverses_id == refund.pk
    assert review.transactions == [reversal.pk]
    assert refunded(decided) == 0
    books_straight(workspace)


def test_a_revision_must_say_what_the_decision_becomes(decided, buyer_actor, agent_two):
    appeal_decision(dispute=decided, actor=buyer_actor, grounds="Nothing arrived at all.")

    with pytest.raises(ApplicationError) as refused:
        review_appeal(dispute=decided, actor=agent_two, verdict="revise", statement="More.")
    assert (refused.value.code, refused.value.status) == ("outcome_required", 422)
    with pytest.raises(ApplicationError) as unknown:
        review_appeal(dispute=decided, actor=agent_two, verdict="maybe", statement="Hm.")
    assert (unknown.value.code, unknown.value.status) == ("unknown_verdict", 422)
    with pytest.raises(ApplicationError) as bare:
        review_appeal(dispute=decided, actor=agent_two, verdict="uphold", statement="")
    assert bare.value.code == "statement_required"
    decided.refresh_from_db()
    assert decided.state == State.UNDER_APPEAL and Decision.objects.count() == 1


def test_a_review_cannot_reuse_the_decisions_key(dispute, agent_one, agent_two, buyer_actor):
    in_mediation(dispute, agent_one)
    decision = decide_dispute(
        dispute=dispute,
        actor=agent_one,
        outcome="partial_refund",
        amount=eur(4000),
        bearer="seller",
        statement="Half the order arrived; the seller refunds the missing half.",
        idempotency_key="form-1",
    )
    appeal_decision(dispute=dispute, actor=buyer_actor, grounds="Nothing arrived at all.")

    with pytest.raises(ApplicationError) as refused:
        review_appeal(
            dispute=dispute,
            actor=agent_two,
            verdict="uphold",
            statement="The photos show half the order delivered.",
            idempotency_key="form-1",
        )

    assert refused.value.code == "idempotency_key_reused"
    dispute.refresh_from_db()
    assert dispute.state == State.UNDER_APPEAL
    assert list(Decision.objects.filter(dispute=dispute)) == [decision]
