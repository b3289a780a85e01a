"""Above the actor's limit a money action waits for approval: routed to someone whose
limit covers it, decided once, never by the requester, executed with its original key."""

from __future__ import annotations

import pytest

from ombuds.conversations.models import CaseEvent
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.ledger.models import ApprovalRequest, MoneyAction, Transaction
from ombuds.ledger.selectors import approvals, order_money
from ombuds.ledger.services import decide_approval, refund_buyer
from ombuds.policies.document import default_document
from ombuds.policies.services import revise_policy
from tests import builders
from tests.ledger.conftest import key


def refund(workspace, actor, order, cents, idempotency_key=None, **extra):
    return refund_buyer(
        workspace=workspace,
        actor=actor,
        order=order,
        amount=Money(cents, "EUR"),
        bearer="seller",
        reason="not_as_described",
        idempotency_key=idempotency_key or key(),
        **extra,
    )


@pytest.fixture
def waiting(workspace, paid_order, order_case, agent_actor):
    """An agent asks to refund 120.00: above their 100.00."""
    return refund(
        workspace,
        agent_actor,
        paid_order,
        12000,
        idempotency_key="big-refund",
        case=order_case,
        note="Parcel never came; the buyer has waited three weeks.",
    )


def test_above_the_limit_nothing_moves_and_an_approval_waits(
    workspace, paid_order, order_case, waiting, agent_actor
):
    assert waiting.status == "awaiting_approval"
    assert waiting.transaction is None
    approval = waiting.approval
    assert (approval.kind, approval.amount, approval.currency) == ("refund", 12000, "EUR")
    assert (approval.hold_reason, approval.requester_limit, approval.routed_to) == (
        "over_limit",
        10000,
        "supervisor",
    )
    assert approval.requested_by == agent_actor.user
    assert approval.justification == "Parcel never came; the buyer has waited three weeks."
    assert not Transaction.objects.filter(kind="refund").exists()
    assert order_money(workspace=workspace, order=paid_order).refundable == Money(12500, "EUR")
    event = order_case.events.get(kind="approval.requested")
    assert event.actor_user == agent_actor.user
    assert event.data["approval"] == approval.pk
    assert [a.pk for a in approvals(workspace=workspace)] == [approval.pk]


def test_asking_again_with_the_same_key_is_the_same_request(
    workspace, paid_order, order_case, waiting, agent_actor
):
    again = refund(
        workspace,
        agent_actor,
        paid_order,
        12000,
        idempotency_key="big-refund",
        case=order_case,
        note="Parcel never came; the buyer has waited three weeks.",
    )
    assert again.replayed and again.approval.pk == waiting.approval.pk
    assert ApprovalRequest.objects.count() == 1


def test_the_requester_cannot_approve_their_own_request(workspace, waiting, agent_actor):
    with pytest.raises(ApplicationError) as refused:
        decide_approval(
            workspace=workspace, approval=waiting.approval, actor=agent_actor, approve=True
        )
    # An agent may not decide approvals at all, their own least of all.
    assert refused.value.code == "forbidden"
    assert ApprovalRequest.objects.get().status == "pending"


def test_a_supervisor_cannot_approve_what_they_asked_for_themselves(
    workspace, paid_order, supervisor_actor
):
    document = default_document()
    document["authority"]["supervisor"]["refund"]["EUR"] = 5000
    admin = builders.member(workspace, "adm@money.test", role="admin")
    revise_policy(workspace=workspace, by=admin, document=document, based_on=1)
    asked = refund(workspace, supervisor_actor, paid_order, 6000)
    assert asked.status == "awaiting_approval"
    with pytest.raises(ApplicationError) as refused:
        decide_approval(
            workspace=workspace, approval=asked.approval, actor=supervisor_actor, approve=True
        )
    assert (refused.value.code, refused.value.status) == ("own_request", 403)


def test_an_agent_cannot_decide_approvals(workspace, waiting, colleague_actor):
    with pytest.raises(ApplicationError) as refused:
        decide_approval(
            workspace=workspace, approval=waiting.approval, actor=colleague_actor, approve=True
        )
    assert (refused.value.code, refused.value.status) == ("forbidden", 403)


def test_approved_it_executes_once_with_the_original_key(
    workspace, paid_order, order_case, waiting, supervisor_actor, agent_actor
):
    decided = decide_approval(
        workspace=workspace,
        approval=waiting.approval,
        actor=supervisor_actor,
        approve=True,
        note="Checked the tracking.",
    )
    tx = decided.transaction
    assert decided.status == "executed"
    assert tx.key == "big-refund"
    assert tx.actor_user == agent_actor.user  # the requester's action…
    approval = ApprovalRequest.objects.get()
    assert (approval.status, approval.decided_by, approval.decision_note) == (
        "approved",
        supervisor_actor.user,
        "Checked the tracking.",
    )
    # …moved by the approver's decision, both on the timeline
    decided_event = order_case.events.get(kind="approval.decided")
    assert (decided_event.after, decided_event.actor_user) == ("approved", supervisor_actor.user)
    moved = order_case.events.get(kind="money.refunded")
    assert moved.actor_user == supervisor_actor.user
    assert moved.data["approval"] == approval.pk
    # Deciding again is refused and moves nothing more
    with pytest.raises(ApplicationError) as refused:
        decide_approval(
            workspace=workspace, approval=approval, actor=supervisor_actor, approve=True
        )
    assert refused.value.code == "approval_decided"
    # The requester's retry of the original request now returns the executed refund
    again = refund(
        workspace,
        agent_actor,
        paid_order,
        12000,
        idempotency_key="big-refund",
        case=order_case,
        note="Parcel never came; the buyer has waited three weeks.",
    )
    assert again.transaction.pk == tx.pk
    assert Transaction.objects.filter(kind="refund").count() == 1


def test_rejected_it_moves_nothing_and_needs_a_reason(
    workspace, paid_order, order_case, waiting, supervisor_actor
):
    with pytest.raises(ApplicationError) as refused:
        decide_approval(
            workspace=workspace, approval=waiting.approval, actor=supervisor_actor, approve=False
        )
    assert refused.value.code == "note_required"
    decided = decide_approval(
        workspace=workspace,
        approval=waiting.approval,
        actor=supervisor_actor,
        approve=False,
        note="Tracking shows delivered; ask the neighbours first.",
    )
    assert decided.status == "rejected"
    assert MoneyAction.objects.get().status == "rejected"
    assert not Transaction.objects.filter(kind="refund").exists()
    assert order_case.events.get(kind="approval.decided").after == "rejected"
    assert not order_case.events.filter(kind="money.refunded").exists()


def test_above_the_supervisors_limit_it_goes_to_finance(
    workspace, buyer, seller, agent_actor, supervisor_actor, finance_actor
):
    from ombuds.marketplace.inputs import PaymentInput

    order = builders.order(
        workspace,
        "ORD-BIG",
        buyer=buyer,
        seller=seller,
        total=90000,
        payments=[PaymentInput("PAY-B", status="captured", amount=90000, captured_amount=90000)],
    )
    asked = refund(workspace, agent_actor, order, 80000)
    assert asked.approval.routed_to == "finance"
    with pytest.raises(ApplicationError) as refused:
        decide_approval(
            workspace=workspace, approval=asked.approval, actor=supervisor_actor, approve=True
        )
    assert refused.value.code == "approval_above_limit"
    done = decide_approval(
        workspace=workspace, approval=asked.approval, actor=finance_actor, approve=True
    )
    assert done.transaction.amount == 80000


def test_an_approval_that_can_no_longer_be_carried_out_stays_pending(
    workspace, paid_order, waiting, supervisor_actor
):
    # Meanwhile the supervisor refunded most of the order directly
    refund(workspace, supervisor_actor, paid_order, 10000)
    with pytest.raises(ApplicationError) as refused:
        decide_approval(
            workspace=workspace, approval=waiting.approval, actor=supervisor_actor, approve=True
        )
    assert refused.value.code == "refund_exceeds_capture"
    approval = ApprovalRequest.objects.get()
    assert approval.status == "pending"
    assert not CaseEvent.objects.filter(kind="approval.decided").exists()


def test_within_the_limit_it_executes_at_once(workspace, paid_order, agent_actor):
    assert refund(workspace, agent_actor, paid_order, 10000).status == "executed"


def test_an_approval_of_another_workspace_does_not_exist_here(
    workspace, other_workspace, waiting, supervisor_actor
):
    with pytest.raises(ApplicationError) as refused:
        decide_approval(
            workspace=other_workspace,
            approval=waiting.approval,
            actor=supervisor_actor,
            approve=True,
        )
    assert refused.value.status == 404
