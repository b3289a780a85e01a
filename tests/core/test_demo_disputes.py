"""The demo's disputes: loaded once for this module, rolled back afterwards."""

from datetime import timedelta
from itertools import pairwise

import pytest
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ombuds.core.models import Workspace
from ombuds.demo import load_demo
from ombuds.disputes.models import Dispute, DisputeMessage, Evidence, State
from ombuds.disputes.selectors import DisputeFilters, disputes_for_desk
from ombuds.disputes.transitions import ALLOWED_MOVES

pytestmark = pytest.mark.slow

# Every state of the dispute process.
STATES = set(State)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield load_demo()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def resale(demo, db):
    return Workspace.objects.get(slug="resale")


def test_the_demo_holds_a_dispute_in_every_state(resale):
    states = set(Dispute.objects.filter(workspace=resale).values_list("state", flat=True))
    assert states >= STATES
    reasons = set(Dispute.objects.filter(workspace=resale).values_list("reason", flat=True))
    assert len(reasons) >= 6
    assert set(Dispute.objects.filter(workspace=resale).values_list("language", flat=True)) == {
        "en",
        "nl",
    }
    assert not Dispute.objects.filter(workspace__slug="outlet").exists()


def test_each_dispute_got_there_by_the_table_and_in_the_past(resale):
    now = timezone.now()
    for dispute in Dispute.objects.filter(workspace=resale).prefetch_related("events"):
        events = sorted(dispute.events.all(), key=lambda e: (e.created_at, e.pk))
        assert events[0].from_state == ""
        assert events[-1].to_state == dispute.state
        for before, after in pairwise(events):
            assert before.to_state == after.from_state or after.from_state == after.to_state
        for event in events:
            move = (event.action, event.from_state, event.to_state)
            assert move in ALLOWED_MOVES, (dispute.reference, move)
        assert dispute.created_at == events[0].created_at < now - timedelta(minutes=10)
        assert events[-1].created_at <= dispute.updated_at
        # It lives on its case's timeline, inside the case's life.
        case = dispute.case
        assert case.created_at <= dispute.created_at and dispute.updated_at <= case.updated_at
        assert case.updated_at < now


def test_the_sweep_moved_disputes_whose_deadline_passed(resale):
    from ombuds.disputes.models import DisputeEvent

    swept = DisputeEvent.objects.filter(workspace=resale, actor_role="system")
    assert {"contact_over", "deadline_escalate", "deadline_lapse"} <= set(
        swept.values_list("action", flat=True)
    )
    lapsed = Dispute.objects.get(workspace=resale, state=State.CLOSED, ending="lapsed")
    assert lapsed.ended_at > lapsed.buyer_due_at
    assert lapsed.offers.get().status == "lapsed"


def test_deadlines_show_as_due_soon_and_overdue_in_the_desk(resale):
    overdue = disputes_for_desk(workspace=resale, filters=DisputeFilters(deadline="overdue"))
    soon = disputes_for_desk(workspace=resale, filters=DisputeFilters(deadline="today"))
    assert [d.state for d in overdue.items] == [State.AWAITING_SELLER]
    assert len(soon.items) >= 1
    for dispute in soon.items:
        assert timezone.now() < dispute.next_due_at < timezone.now() + timedelta(days=1)


def test_a_notice_names_the_deadline_the_dispute_has(resale):
    from ombuds.disputes.services.notices import buyer_url, when

    waiting = Dispute.objects.filter(workspace=resale, state=State.AWAITING_CONTACT)
    assert waiting.exists()
    for dispute in waiting:
        # The opening notice was re-dated with the dispute: it names the deadline it has.
        notice = dispute.case.messages.filter(body_text__contains=buyer_url(dispute)).earliest(
            "created_at"
        )
        assert notice.created_at == dispute.created_at
        assert when(dispute, dispute.contact_due_at, dispute.language) in notice.body_text


def test_threads_have_every_visibility_and_evidence_has_files(resale):
    messages = DisputeMessage.objects.filter(workspace=resale)
    assert set(messages.values_list("visibility", flat=True)) == {
        "parties",
        "buyer",
        "seller",
        "internal",
    }
    assert set(messages.values_list("author_role", flat=True)) == {"buyer", "seller", "agent"}
    pieces = Evidence.objects.filter(workspace=resale)
    assert {"statement", "file", "tracking"} <= set(pieces.values_list("kind", flat=True))
    assert pieces.filter(kind="file", submitted_by_role="seller").exists()


def test_the_stripe_chargeback_freezes_the_dispute_on_its_order(resale):
    from ombuds.chargebacks.models import Chargeback

    (frozen,) = Dispute.objects.filter(workspace=resale, frozen_at__isnull=False)
    chargeback = Chargeback.objects.get(workspace=resale, order=frozen.order)
    assert chargeback.is_open and chargeback.connection.is_stripe
    assert chargeback.provider_dispute_id in frozen.frozen_reason
    assert frozen.next_due_at is None  # its deadlines wait for the bank
    assert frozen.events.filter(action="freeze").exists()


def test_the_ledger_still_balances(resale):
    from ombuds.ledger.selectors import unbalanced_transactions

    assert unbalanced_transactions(workspace=resale) == []


def test_decisions_give_reasons_and_a_colleague_reviewed_the_appeals(resale):
    from ombuds.disputes.models import Decision

    decisions = Decision.objects.filter(workspace=resale)
    assert decisions.filter(kind="decision").count() >= 4
    for decision in decisions:
        assert len(decision.statement) >= 20
        assert decision.created_at < timezone.now() - timedelta(minutes=10)
    decided = Dispute.objects.get(workspace=resale, state=State.DECIDED)
    (decision,) = decided.decisions.all()
    assert (decision.outcome, decision.bearer) == ("full_refund", "seller")
    assert decision.money_status == "executed"
    assert timezone.now() < decided.appeal_due_at == decided.next_due_at
    appealed = Dispute.objects.get(workspace=resale, state=State.UNDER_APPEAL)
    assert appealed.decisions.get().outcome == "no_refund"
    assert appealed.events.get(action="appeal").actor_role == "buyer"
    reviews = decisions.filter(kind="appeal_review")
    assert set(reviews.values_list("verdict", flat=True)) == {"uphold", "revise"}
    for review in reviews:
        assert review.decided_by_id != review.revises.decided_by_id
        assert review.dispute.state == State.CLOSED and review.dispute.ending == "appeal_decided"
    revised = reviews.get(verdict="revise")
    assert (revised.outcome, revised.money_status) == ("partial_refund", "executed")


def test_disputes_settled_three_ways(resale):
    endings = set(
        Dispute.objects.filter(workspace=resale, state=State.RESOLVED).values_list(
            "ending", flat=True
        )
    )
    assert endings == {"seller_accepted", "offer_accepted", "rescued"}


def test_the_money_of_decisions_and_settlements_is_on_the_ledger_in_the_past(resale):
    from ombuds.ledger.models import Transaction

    paid = Dispute.objects.filter(workspace=resale).filter(
        Q(ending__in=["seller_accepted", "offer_accepted", "appeal_decided"])
        | Q(state=State.DECIDED)
    )
    assert paid.count() == 5
    for dispute in paid:
        refunds = Transaction.objects.filter(case=dispute.case, kind="refund")
        assert refunds.exists(), dispute.reference
        for tx in refunds:
            assert tx.created_at <= dispute.updated_at < timezone.now() - timedelta(minutes=10)


def test_two_hotel_stays_climb_the_rescue_ladder(resale):
    from ombuds.automation.models import CoordinationTask
    from ombuds.ledger.models import ApprovalRequest
    from ombuds.rescue.models import Ladder

    ladders = Ladder.objects.filter(workspace=resale, order__kind="hotel").order_by("opened_at")
    rebooked, waiting = ladders
    steps = {s.number: s for s in rebooked.steps.all()}
    assert rebooked.status == "succeeded"
    assert [steps[n].status for n in (1, 2, 3)] == ["failed", "done", "done"]
    tasks = CoordinationTask.objects.filter(pk__in=steps[1].task_ids)
    assert tasks.count() == 2 and tasks.filter(party__kind="third_party").exists()
    assert all(o["amount"] > 0 for o in steps[2].options)
    assert 0 < steps[3].cost <= rebooked.rebooking_budget
    assert steps[3].money_action.status == "executed"

    step = waiting.steps.get(number=3)
    assert (waiting.status, step.status) == ("running", "awaiting_approval")
    assert step.cost > waiting.rebooking_budget
    approval = ApprovalRequest.objects.get(action=step.money_action)
    assert approval.status == "pending"
    for ladder in ladders:
        assert ladder.opened_at < timezone.now() - timedelta(minutes=10)
        assert ladder.case.updated_at < timezone.now()


def test_the_rebooking_waits_in_the_approvals_queue(resale, client):
    from ombuds.accounts.models import Membership
    from ombuds.ledger.models import ApprovalRequest
    from ombuds.rescue.models import Ladder

    step = Ladder.objects.get(workspace=resale, status="running").steps.get(number=3)
    approval = ApprovalRequest.objects.get(action=step.money_action)
    assert approval.hold_reason == "over_budget"
    supervisor = Membership.objects.filter(workspace=resale, role="supervisor").first()
    client.force_login(supervisor.user)
    page = client.get("/w/resale/approvals/")
    assert page.status_code == 200
    assert f'id="approval-{approval.pk}"' in page.content.decode()
