"""An agent decides a dispute in mediation: reasons in writing, evidence locked, the money
moved through the ledger (or held for approval above the agent's authority)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ombuds.core.errors import ApplicationError
from ombuds.core.models import WebhookDelivery
from ombuds.core.money import Money
from ombuds.disputes.models import Decision, DisputeEvent, MoneyStatus, State
from ombuds.disputes.services.decisions import decide_dispute, preview_decision
from ombuds.disputes.services.evidence import record_statement
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.models import ApprovalRequest, MoneyAction
from ombuds.ledger.services import decide_approval
from tests.disputes.conftest import agent_actor, claim
from tests.disputes.helpers import (
    books_straight,
    endpoint,
    in_mediation,
    movements,
    refunded,
    told,
)

REASONS = "The tracking shows the parcel lost in transit; the seller chose the carrier."


def eur(cents):
    return Money(cents, "EUR")


def decide(dispute, agent, **overrides):
    spec = {
        "outcome": "partial_refund",
        "amount": eur(4000),
        "bearer": "seller",
        "statement": REASONS,
        **overrides,
    }
    return decide_dispute(dispute=dispute, actor=agent, **spec)


def test_a_decision_refunds_the_buyer_at_the_bearers_cost(
    workspace, dispute, agent_one, buyer_actor
):
    endpoint(workspace)
    record_statement(dispute=dispute, actor=buyer_actor, text="It never came.")
    in_mediation(dispute, agent_one)

    decision = decide(dispute, agent_one)

    dispute.refresh_from_db()
    assert dispute.state == State.DECIDED
    assert dispute.latest_decision == decision
    assert (decision.outcome, decision.amount, decision.bearer) == (
        "partial_refund",
        4000,
        "seller",
    )
    assert decision.statement == REASONS and decision.decided_by == agent_one.user
    assert decision.money_status == MoneyStatus.EXECUTED
    [refund] = movements(dispute)
    assert (refund.kind, refund.amount, refund.bearer) == ("refund", 4000, "seller")
    assert decision.transactions == [refund.pk]
    assert refunded(dispute) == 4000
    # The window to appeal is the workspace's 30 calendar days.
    assert abs(dispute.appeal_due_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert dispute.next_due_at == dispute.appeal_due_at
    # The evidence it was decided on stays as it was.
    assert dispute.evidence.filter(locked_at__isnull=True).count() == 0
    assert dispute.evidence.filter(locked_for="decision").count() >= 1
    assert decision.evidence_locked >= 1
    assert "We decided dispute" in told(dispute)  # the buyer
    assert "€40.00 is refunded to you" in told(dispute)
    assert "Resale decided dispute" in told(dispute)  # the seller
    hook = WebhookDelivery.objects.get(event="dispute.decided")
    assert hook.payload["outcome"] == "partial_refund"
    assert hook.payload["movements"][0]["transaction"] == refund.pk
    books_straight(workspace)


def test_the_fault_rule_that_agrees_with_the_bearer_is_named(workspace, stay, agent_one):
    dispute = claim(
        workspace,
        stay,
        agent_one,
        reason="booking_not_honoured",
        description="The hotel had no room for us.",
    )
    in_mediation(dispute, agent_one)

    decision = decide(dispute, agent_one, amount=eur(6000))

    assert decision.rule == "fault.seller_error"
    assert decision.policy_number >= 1
    assert movements(dispute)[0].fault_rule == "fault.seller_error"


def test_a_decision_without_reasons_is_refused_and_writes_nothing(dispute, agent_one):
    in_mediation(dispute, agent_one)
    events = DisputeEvent.objects.count()

    with pytest.raises(ApplicationError) as refused:
        decide(dispute, agent_one, statement="   ")

    assert (refused.value.code, refused.value.status) == ("statement_required", 422)
    dispute.refresh_from_db()
    assert dispute.state == State.IN_MEDIATION
    assert not Decision.objects.exists() and not MoneyAction.objects.exists()
    assert DisputeEvent.objects.count() == events
    assert dispute.evidence.filter(locked_at__isnull=False).count() == 0


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"outcome": "jackpot"}, "unknown_outcome"),
        ({"bearer": "nobody"}, "unknown_bearer"),
        ({"bearer": "buyer"}, "buyer_bears_cost"),
        ({"amount": None}, "amount_required"),
        ({"amount": Money(4000, "USD")}, "currency_mismatch"),
        ({"amount": eur(99999)}, "amount_above_order_total"),
        ({"outcome": "replacement", "amount": eur(100)}, "outcome_takes_no_amount"),
    ],
)
def test_a_decision_that_cannot_be_carried_out_is_refused(dispute, agent_one, overrides, code):
    in_mediation(dispute, agent_one)

    with pytest.raises(ApplicationError) as refused:
        decide(dispute, agent_one, **overrides)

    assert (refused.value.code, refused.value.status) == (code, 422)
    assert not Decision.objects.exists()


def test_only_an_agent_decides_and_only_in_mediation(dispute, agent_one, seller_actor, buyer_actor):
    with pytest.raises(ApplicationError) as early:
        decide(dispute, agent_one)
    assert (early.value.code, early.value.status) == ("invalid_transition", 409)

    in_mediation(dispute, agent_one)
    for party in (seller_actor, buyer_actor):
        with pytest.raises(ApplicationError) as refused:
            decide(dispute, party)
        assert refused.value.status == 403
    assert not Decision.objects.exists() and not MoneyAction.objects.exists()


def test_the_same_key_decides_once(workspace, dispute, agent_one):
    in_mediation(dispute, agent_one)

    one = decide(dispute, agent_one, idempotency_key="decide-1")
    two = decide(dispute, agent_one, idempotency_key="decide-1")

    assert one == two
    assert Decision.objects.count() == 1 and len(movements(dispute)) == 1
    assert dispute.events.filter(action="decide").count() == 1
    books_straight(workspace)


def test_a_decision_for_the_seller_moves_no_money(dispute, agent_one):
    in_mediation(dispute, agent_one)

    decision = decide(dispute, agent_one, outcome="no_refund", amount=None, bearer="seller")

    assert (decision.bearer, decision.amount) == ("buyer", None)
    assert decision.money_status == MoneyStatus.NONE
    assert movements(dispute) == []


def test_a_credit_decision_credits_the_buyer(dispute, agent_one):
    in_mediation(dispute, agent_one)

    decide(dispute, agent_one, outcome="credit", amount=eur(1000), bearer="platform")

    [credit] = movements(dispute)
    assert (credit.kind, credit.amount, credit.bearer) == ("credit", 1000, "platform")


def test_above_the_agents_authority_the_decision_stands_and_its_money_waits(
    workspace, dispute, agent_one
):
    in_mediation(dispute, agent_one)

    decision = decide(dispute, agent_one, outcome="full_refund", amount=None)

    dispute.refresh_from_db()
    assert dispute.state == State.DECIDED
    assert decision.amount == 12500  # the disputed amount, above the agent's 100.00
    assert decision.money_status == MoneyStatus.AWAITING_APPROVAL
    assert decision.approval.status == "pending" and movements(dispute) == []
    assert "waits for approval" in told(dispute)

    supervisor = agent_actor(workspace, "sue@resale.test", role="supervisor")
    decide_approval(
        workspace=workspace,
        approval=decision.approval,
        actor=MoneyActor(user=supervisor.user, role="supervisor"),
        approve=True,
    )

    decision.refresh_from_db()
    [refund] = movements(dispute)
    assert decision.money_status == MoneyStatus.EXECUTED
    assert decision.transactions == [refund.pk] and refund.amount == 12500
    books_straight(workspace)


def test_refused_money_takes_the_dispute_back_to_mediation(workspace, dispute, agent_one):
    in_mediation(dispute, agent_one)
    decision = decide(dispute, agent_one, outcome="full_refund", amount=None)
    supervisor = agent_actor(workspace, "sue@resale.test", role="supervisor")
    seller_mails = dispute.case.messages.filter(body_text__contains="back in mediation").count()

    decide_approval(
        workspace=workspace,
        approval=ApprovalRequest.objects.get(pk=decision.approval_id),
        actor=MoneyActor(user=supervisor.user, role="supervisor"),
        approve=False,
        note="The carrier pays this, not the seller.",
    )

    dispute.refresh_from_db()
    decision.refresh_from_db()
    assert dispute.state == State.IN_MEDIATION
    assert dispute.appeal_due_at is None and dispute.next_due_at is None
    assert decision.money_status == MoneyStatus.REFUSED
    assert movements(dispute) == []
    refused = dispute.events.get(action="money_refused")
    assert (refused.from_state, refused.to_state, refused.actor_role) == (
        "decided",
        "in_mediation",
        "system",
    )
    bodies = list(dispute.case.messages.values_list("body_text", flat=True))
    assert any("another look at dispute" in b for b in bodies)  # the buyer
    assert (
        dispute.case.messages.filter(body_text__contains="not approved").count() > seller_mails
    )  # the seller
    # The agent decides again, now within their authority.
    again = decide(dispute, agent_one, outcome="full_refund", amount=None, bearer="carrier")
    assert again.money_status == MoneyStatus.AWAITING_APPROVAL


def test_the_preview_writes_nothing_and_says_what_would_happen(dispute, agent_one):
    in_mediation(dispute, agent_one)

    small = preview_decision(
        dispute=dispute,
        actor=agent_one,
        outcome="partial_refund",
        amount=eur(4000),
        bearer="seller",
    )
    large = preview_decision(
        dispute=dispute, actor=agent_one, outcome="full_refund", amount=None, bearer="seller"
    )
    wrong = preview_decision(
        dispute=dispute, actor=agent_one, outcome="credit", amount=None, bearer="seller"
    )
    nothing = preview_decision(
        dispute=dispute, actor=agent_one, outcome="no_refund", amount=None, bearer="seller"
    )

    assert small.problems == [] and not small.needs_approval
    assert small.ledger.amount == eur(4000)
    assert sum(leg.amount.amount for leg in small.ledger.legs) == 0
    assert large.amount == eur(12500) and large.needs_approval
    assert [p["code"] for p in wrong.problems] == ["amount_required"] and wrong.ledger is None
    assert nothing.ledger is None and nothing.bearer == "buyer"
    assert not Decision.objects.exists() and not MoneyAction.objects.exists()
    dispute.refresh_from_db()
    assert dispute.state == State.IN_MEDIATION


def test_another_workspaces_dispute_is_out_of_reach(workspace, other_workspace, dispute, agent_one):
    in_mediation(dispute, agent_one)
    stranger = agent_actor(other_workspace, "olga@other.test", role="supervisor")

    with pytest.raises(ApplicationError) as refused:
        decide(dispute, stranger)

    assert refused.value.status == 404
    assert not Decision.objects.exists() and not MoneyAction.objects.exists()


def _past_the_appeal_window(dispute):
    from ombuds.disputes.services.sweep import sweep_due_disputes

    dispute.refresh_from_db()
    return sweep_due_disputes(now=dispute.appeal_due_at + timedelta(minutes=1))


def test_the_appeal_window_does_not_close_on_money_still_waiting(workspace, dispute, agent_one):
    in_mediation(dispute, agent_one)
    decision = decide(dispute, agent_one, outcome="full_refund", amount=None)

    assert _past_the_appeal_window(dispute) == {"waits_for_approval": 1}
    dispute.refresh_from_db()
    assert dispute.state == State.DECIDED and dispute.next_due_at is None
    assert _past_the_appeal_window(dispute) == {}  # off the index: not read again

    supervisor = agent_actor(workspace, "sue@resale.test", role="supervisor")
    decide_approval(
        workspace=workspace,
        approval=ApprovalRequest.objects.get(pk=decision.approval_id),
        actor=MoneyActor(user=supervisor.user, role="supervisor"),
        approve=False,
        note="The carrier pays this, not the seller.",
    )
    # Refused after the window: the dispute still goes back to mediation.
    dispute.refresh_from_db()
    assert dispute.state == State.IN_MEDIATION


def test_granted_money_lets_the_closed_appeal_window_close_the_dispute(
    workspace, dispute, agent_one
):
    in_mediation(dispute, agent_one)
    decision = decide(dispute, agent_one, outcome="full_refund", amount=None)
    _past_the_appeal_window(dispute)
    supervisor = agent_actor(workspace, "sue@resale.test", role="supervisor")

    decide_approval(
        workspace=workspace,
        approval=ApprovalRequest.objects.get(pk=decision.approval_id),
        actor=MoneyActor(user=supervisor.user, role="supervisor"),
        approve=True,
    )

    dispute.refresh_from_db()
    assert dispute.next_due_at == dispute.appeal_due_at
    assert _past_the_appeal_window(dispute) == {"appeal_window_over": 1}
    dispute.refresh_from_db()
    assert (dispute.state, dispute.ending) == (State.CLOSED, "decided")
    assert refunded(dispute) == 12500
    books_straight(workspace)
