"""The dispute terms are part of the workspace's versioned commerce policy: its
deadlines and what a party's silence leads to, including a seller's silence deciding the
dispute for the buyer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.models import Decision, DisputeEvent, State
from ombuds.disputes.services.decisions import appeal_decision
from ombuds.disputes.services.sweep import sweep_due_disputes
from ombuds.disputes.terms import DisputeRules, terms_for
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.services import refund_buyer
from ombuds.policies.document import check_document, default_document
from ombuds.policies.selectors import latest_version
from ombuds.policies.services import open_default_policy, revise_policy
from tests import builders

from .conftest import claim
from .helpers import books_straight, refunded, told


def set_terms(workspace, **terms):
    admin = builders.member(workspace, "admin@resale.test", role="admin")
    version = open_default_policy(workspace=workspace)
    document = dict(version.document)
    document["disputes"] = {**DisputeRules().to_document(), **terms}
    return revise_policy(workspace=workspace, by=admin, document=document, based_on=version.number)


def test_a_new_workspace_runs_disputes_by_the_default_terms(workspace):
    assert terms_for(workspace) == DisputeRules()
    assert default_document()["disputes"] == {
        "contact_hours": 48,
        "seller_days": 3,
        "buyer_days": 5,
        "appeal_days": 30,
        "silent_seller": "escalate",
        "silent_buyer": "close",
    }


def test_a_policy_stored_before_dispute_terms_reads_the_defaults(workspace):
    version = open_default_policy(workspace=workspace)
    older = {k: v for k, v in version.document.items() if k != "disputes"}
    version.document = check_document(older)
    version.save(update_fields=["document"])

    assert terms_for(workspace) == DisputeRules()


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"seller_days": 0}, "disputes.seller_days"),
        ({"buyer_days": 31}, "disputes.buyer_days"),
        ({"contact_hours": -1}, "disputes.contact_hours"),
        ({"appeal_days": "30"}, "disputes.appeal_days"),
        ({"silent_seller": "close"}, "disputes.silent_seller"),
        ({"silent_buyer": "decide"}, "disputes.silent_buyer"),
        ({"grace_days": 2}, "disputes.grace_days"),
    ],
)
def test_terms_out_of_bounds_are_refused_and_nothing_is_stored(workspace, terms, field):
    before = open_default_policy(workspace=workspace).number

    with pytest.raises(ApplicationError) as refused:
        set_terms(workspace, **terms)

    assert refused.value.status == 422
    assert field in [p["field"] for p in refused.value.details["problems"]]
    assert latest_version(workspace).number == before


def test_the_deadlines_follow_the_policy_in_force(workspace, parcel, seller, buyer_actor):
    set_terms(workspace, contact_hours=0, seller_days=5)

    dispute = claim(workspace, parcel, buyer_actor)

    # No contact period: the seller's five business days start at once.
    assert dispute.state == State.AWAITING_SELLER
    assert dispute.contact_due_at is None
    assert dispute.seller_due_at - dispute.created_at >= timedelta(days=5)


def test_a_waiting_dispute_keeps_the_deadline_it_was_given(workspace, dispute):
    due = dispute.seller_due_at

    set_terms(workspace, seller_days=10)
    sweep_due_disputes(now=due + timedelta(minutes=1))

    dispute.refresh_from_db()
    assert dispute.state == State.IN_MEDIATION


def test_a_silent_seller_lets_the_policy_decide_for_the_buyer(workspace, dispute, seller):
    set_terms(workspace, silent_seller="decide", appeal_days=14)
    now = dispute.seller_due_at + timedelta(minutes=1)

    assert sweep_due_disputes(now=now) == {"deadline_decide": 1}

    dispute.refresh_from_db()
    decision = Decision.objects.get(dispute=dispute)
    assert dispute.state == State.DECIDED
    assert (decision.outcome, decision.amount, decision.bearer) == ("full_refund", 12500, "seller")
    assert decision.decided_by is None and "did not respond" in decision.statement
    assert refunded(dispute) == 12500
    books_straight(workspace)
    assert dispute.appeal_due_at - decision.created_at == timedelta(days=14)
    event = DisputeEvent.objects.filter(dispute=dispute).last()
    assert (event.action, event.actor_role) == ("deadline_decide", "system")
    assert "125" in told(dispute)
    # A second sweep finds nothing more to do, and the seller may still appeal.
    assert sweep_due_disputes(now=now + timedelta(minutes=1)) == {}
    appeal_decision(
        dispute=dispute, actor=DisputeActor.seller(seller), grounds="I never got the notice."
    )
    dispute.refresh_from_db()
    assert dispute.state == State.UNDER_APPEAL


def test_a_silent_seller_decision_asks_only_for_what_the_buyer_asked(workspace, parcel, agent_one):
    set_terms(workspace, silent_seller="decide")
    dispute = claim(
        workspace, parcel, agent_one, desired_outcome="partial_refund", amount=Money(4000, "EUR")
    )

    sweep_due_disputes(now=dispute.seller_due_at + timedelta(minutes=1))

    decision = Decision.objects.get(dispute=dispute)
    assert (decision.outcome, decision.amount) == ("partial_refund", 4000)
    assert refunded(dispute) == 4000


def test_when_the_policy_cannot_decide_the_dispute_goes_to_a_person(workspace, dispute):
    set_terms(workspace, silent_seller="decide")
    # Refunded in full outside the dispute meanwhile: nothing is left to refund.
    refund_buyer(
        workspace=workspace,
        actor=MoneyActor.system("test"),
        order=dispute.order,
        amount=Money(12500, "EUR"),
        bearer="platform",
        reason="not_received",
        idempotency_key="outside",
    )

    done = sweep_due_disputes(now=dispute.seller_due_at + timedelta(minutes=1))

    assert done == {"deadline_escalate": 1}
    dispute.refresh_from_db()
    assert dispute.state == State.IN_MEDIATION
    assert not Decision.objects.filter(dispute=dispute).exists()
    event = DisputeEvent.objects.filter(dispute=dispute).last()
    assert event.action == "deadline_escalate" and event.data["not_decided"]
    assert refunded(dispute) == 12500
    books_straight(workspace)
