"""The rescue ladder of a hotel reservation whose name change the hotel refused."""

from __future__ import annotations

import pytest

from ombuds.automation.models import CoordinationTask
from ombuds.conversations.models import CaseEvent, Message, MessageKind
from ombuds.conversations.services import receive_customer_message
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.models import ApprovalRequest, MoneyAction, Transaction
from ombuds.ledger.selectors import unbalanced_transactions
from ombuds.ledger.services.approvals import decide_approval
from ombuds.marketplace.models import Payment
from ombuds.rescue import services as rescue
from ombuds.rescue.models import Ladder, LadderStatus, Step, StepStatus

EUR = "EUR"
OPTIONS = [
    {"label": "Hotel V Nesplein, 2 nights", "supplier": "Hotel V", "amount": 8000},
    {"label": "Pulitzer Amsterdam, 2 nights", "supplier": "Pulitzer", "amount": 22000},
]


def replies(case) -> list[str]:
    return list(
        Message.objects.filter(case=case, kind=MessageKind.OUTBOUND)
        .order_by("pk")
        .values_list("body_text", flat=True)
    )


def start(case, order, actor):
    return rescue.start_ladder(case=case, order=order, actor=actor, reason="transfer_refused")


def to_rebooking(case, order, actor):
    ladder = start(case, order, actor)
    rescue.record_original_outcome(ladder=ladder, actor=actor, worked=False, note="Hotel: no")
    rescue.propose_alternatives(ladder=ladder, actor=actor, options=OPTIONS)
    return Ladder.objects.get(pk=ladder.pk)


def test_step_one_asks_the_hotel_and_the_seller_and_tells_the_buyer(
    hotel_case, hotel_order, agent, hotel, seller
):
    ladder = start(hotel_case, hotel_order, agent)
    assert (ladder.rebooking_budget, ladder.compensation_budget) == (10000, 4000)
    step = ladder.steps.get()
    tasks = {t.party_id: t for t in CoordinationTask.objects.filter(pk__in=step.task_ids)}
    assert set(tasks) == {hotel.pk, seller.pk}
    assert "AMS-4471" in tasks[hotel.pk].title
    to_hotel = Message.objects.filter(case=hotel_case, body_text__contains="did not go through")
    assert to_hotel.get().deliveries.get().recipient == "desk@amstel.example"
    to_seller = Message.objects.filter(case=hotel_case, body_text__contains="Hello Sam Seller")
    assert to_seller.get().deliveries.get().recipient == "sam@seller.example"
    # Each email is on its task's thread, so the party's reply comes back to the task.
    assert [link.message for link in tasks[hotel.pk].links.all()] == [to_hotel.get()]
    assert [link.message for link in tasks[seller.pk].links.all()] == [to_seller.get()]
    reply = receive_customer_message(
        case=hotel_case,
        party=seller,
        body="The hotel wants a signed form; sending it now.",
        channel="email",
        reply_to=to_seller.get(),
    )
    assert [link.message for link in tasks[seller.pk].links.all()] == [to_seller.get(), reply]
    assert "put it right" in replies(hotel_case)[-1]
    assert CaseEvent.objects.filter(case=hotel_case, kind="rescue.started").exists()


def test_the_original_working_ends_the_rescue(hotel_case, hotel_order, agent):
    ladder = start(hotel_case, hotel_order, agent)
    rescue.record_original_outcome(ladder=ladder, actor=agent, worked=True, note="Hotel agreed")
    ladder.refresh_from_db()
    assert ladder.status == LadderStatus.SUCCEEDED
    assert "sorted out" in replies(hotel_case)[-1]
    with pytest.raises(ApplicationError) as refused:
        rescue.give_up_step(ladder=ladder, actor=agent)
    assert refused.value.code == "ladder_finished"


def test_rebooking_within_budget_is_paid_and_ends_the_rescue(hotel_case, hotel_order, agent):
    ladder = to_rebooking(hotel_case, hotel_order, agent)
    step = ladder.steps.get(number=3)
    assert [o["over_budget"] for o in step.options] == [False, True]
    assert "Pulitzer Amsterdam, 2 nights (" in replies(hotel_case)[-1]
    rescue.rebook(ladder=ladder, actor=agent, option_index=0, idempotency_key="rb-1")
    ladder.refresh_from_db()
    step.refresh_from_db()
    assert ladder.status == LadderStatus.SUCCEEDED
    assert (step.status, step.cost) == (StepStatus.DONE, 8000)
    tx = Transaction.objects.get(kind="rebooking", order=hotel_order)
    assert (tx.amount, tx.bearer) == (8000, "seller")
    assert "Hotel V Nesplein" in replies(hotel_case)[-1]
    assert unbalanced_transactions(workspace=hotel_case.workspace) == []


def test_rebooking_above_budget_waits_for_approval_then_completes(
    hotel_case, hotel_order, agent, supervisor
):
    ladder = to_rebooking(hotel_case, hotel_order, agent)
    rescue.rebook(ladder=ladder, actor=agent, option_index=1, idempotency_key="rb-2")
    step = Step.objects.get(ladder=ladder, number=3)
    assert step.status == StepStatus.AWAITING_APPROVAL
    assert not Transaction.objects.filter(kind="rebooking").exists()
    assert "approves it first" in replies(hotel_case)[-1]
    with pytest.raises(ApplicationError) as refused:
        rescue.give_up_step(ladder=ladder, actor=agent)
    assert refused.value.code == "step_waiting"

    approval = ApprovalRequest.objects.get(action=step.money_action)
    sue = MoneyActor(user=supervisor.user, role="supervisor")
    decide_approval(workspace=hotel_case.workspace, approval=approval, actor=sue, approve=True)
    step.refresh_from_db()
    ladder.refresh_from_db()
    assert (step.status, ladder.status) == (StepStatus.DONE, LadderStatus.SUCCEEDED)
    assert Transaction.objects.get(kind="rebooking").amount == 22000
    assert unbalanced_transactions(workspace=hotel_case.workspace) == []


def test_a_rejected_rebooking_climbs_to_the_refund(hotel_case, hotel_order, agent, supervisor):
    ladder = to_rebooking(hotel_case, hotel_order, agent)
    rescue.rebook(ladder=ladder, actor=agent, option_index=1, idempotency_key="rb-3")
    approval = ApprovalRequest.objects.get()
    sue = MoneyActor(user=supervisor.user, role="supervisor")
    decide_approval(
        workspace=hotel_case.workspace, approval=approval, actor=sue, approve=False, note="Too dear"
    )
    ladder.refresh_from_db()
    assert (ladder.step, ladder.status) == (4, LadderStatus.RUNNING)
    assert "refund you instead" in replies(hotel_case)[-1]


def test_the_ladder_climbs_to_refund_and_credit_with_costs(hotel_case, hotel_order, supervisor):
    ladder = start(hotel_case, hotel_order, supervisor)
    rescue.give_up_step(ladder=ladder, actor=supervisor, note="Hotel refuses")
    rescue.give_up_step(ladder=ladder, actor=supervisor, note="Nothing free that weekend")
    ladder.refresh_from_db()
    assert ladder.step == 4
    rescue.refund(ladder=ladder, actor=supervisor, amount=Money(40000, EUR), idempotency_key="rf-1")
    rescue.compensate(
        ladder=ladder, actor=supervisor, amount=Money(4000, EUR), idempotency_key="cr-1"
    )
    ladder.refresh_from_db()
    assert ladder.status == LadderStatus.ENDED
    steps = {s.number: (s.status, s.cost) for s in ladder.steps.all()}
    assert steps == {
        1: (StepStatus.FAILED, 0),
        2: (StepStatus.FAILED, 0),
        4: (StepStatus.DONE, 40000),
        5: (StepStatus.DONE, 4000),
    }
    costs = [
        e.data["cost"]
        for e in CaseEvent.objects.filter(case=hotel_case, kind__startswith="rescue.")
    ]
    assert 40000 in costs and 4000 in costs
    assert unbalanced_transactions(workspace=hotel_case.workspace) == []
    text = replies(hotel_case)
    assert any("refunded" in t and "400" in t for t in text)
    assert "store credit" in text[-1]


def test_a_refund_never_exceeds_what_was_captured(hotel_case, hotel_order, supervisor):
    ladder = start(hotel_case, hotel_order, supervisor)
    rescue.give_up_step(ladder=ladder, actor=supervisor)
    rescue.give_up_step(ladder=ladder, actor=supervisor)
    with pytest.raises(ApplicationError):
        rescue.refund(
            ladder=ladder, actor=supervisor, amount=Money(40001, EUR), idempotency_key="rf-2"
        )
    ladder.refresh_from_db()
    assert ladder.step == 4
    assert Step.objects.get(ladder=ladder, number=4).status == StepStatus.OPEN
    assert not Transaction.objects.filter(kind="refund").exists()
    payment = Payment.objects.get(order=hotel_order)
    assert payment.refunded_amount == 0


def test_replaying_a_step_with_its_key_moves_nothing_twice(hotel_case, hotel_order, agent):
    ladder = to_rebooking(hotel_case, hotel_order, agent)
    rescue.rebook(ladder=ladder, actor=agent, option_index=0, idempotency_key="rb-same")
    with pytest.raises(ApplicationError) as refused:
        rescue.rebook(ladder=ladder, actor=agent, option_index=0, idempotency_key="rb-same")
    assert refused.value.code == "ladder_finished"
    assert MoneyAction.objects.filter(key="rb-same").count() == 1
    assert Transaction.objects.filter(kind="rebooking").count() == 1


def test_steps_go_only_forward(hotel_case, hotel_order, agent):
    ladder = start(hotel_case, hotel_order, agent)
    with pytest.raises(ApplicationError) as refused:
        rescue.rebook(ladder=ladder, actor=agent, option_index=0, idempotency_key="rb-4")
    assert refused.value.code == "wrong_step"
    rescue.give_up_step(ladder=ladder, actor=agent)
    rescue.give_up_step(ladder=ladder, actor=agent)
    with pytest.raises(ApplicationError) as refused:
        rescue.record_original_outcome(ladder=ladder, actor=agent, worked=True)
    assert refused.value.code == "wrong_step"
    with pytest.raises(ApplicationError) as refused:
        rescue.propose_alternatives(ladder=ladder, actor=agent, options=OPTIONS)
    assert refused.value.code == "wrong_step"


def test_bad_alternatives_are_refused_and_nothing_is_written(hotel_case, hotel_order, agent):
    ladder = start(hotel_case, hotel_order, agent)
    rescue.record_original_outcome(ladder=ladder, actor=agent, worked=False)
    for options in ([], [{"label": "", "amount": 100}], [{"label": "X", "amount": -1}]):
        with pytest.raises(ApplicationError) as refused:
            rescue.propose_alternatives(ladder=ladder, actor=agent, options=options)
        assert refused.value.status == 422
    ladder.refresh_from_db()
    assert ladder.step == 2
    assert Step.objects.get(ladder=ladder, number=2).status == StepStatus.OPEN


def test_one_running_ladder_per_booking(hotel_case, hotel_order, agent):
    start(hotel_case, hotel_order, agent)
    with pytest.raises(ApplicationError) as refused:
        start(hotel_case, hotel_order, agent)
    assert refused.value.code == "ladder_running"


def test_an_order_without_a_booking_has_no_ladder(workspace, buyer, agent):
    from tests import builders

    parcel = builders.order(workspace, "ORD-G1", buyer=buyer)
    case = builders.case(workspace, requester=buyer, order=parcel)
    with pytest.raises(ApplicationError) as refused:
        start(case, parcel, agent)
    assert refused.value.code == "no_booking"


def test_another_workspaces_order_is_not_found(hotel_case, other_workspace, agent):
    from tests import builders

    stranger = builders.party(other_workspace, "B-9")
    foreign = builders.order(other_workspace, "ORD-X", buyer=stranger, kind="hotel")
    with pytest.raises(ApplicationError) as refused:
        start(hotel_case, foreign, agent)
    assert refused.value.status == 404
    assert not Ladder.objects.exists()


def test_a_dutch_buyer_hears_in_dutch(hotel_case, hotel_order, agent, buyer):
    buyer.language = "nl"
    buyer.save(update_fields=["language"])
    ladder = start(hotel_case, hotel_order, agent)
    rescue.record_original_outcome(ladder=ladder, actor=agent, worked=False)
    assert "alternatief" in replies(hotel_case)[-1]
