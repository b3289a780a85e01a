"""The buyer says which alternative they prefer while step 3 is open; the agent books."""

from __future__ import annotations

import pytest

from ombuds.automation.models import Notification
from ombuds.conversations.models import CaseEvent, Status
from ombuds.conversations.services import update_case
from ombuds.core.errors import ApplicationError
from ombuds.rescue import services as rescue
from ombuds.rescue.models import Ladder, LadderStatus, Step, StepStatus
from ombuds.web.desk import dispute_timeline
from tests import builders

from .test_ladder import start, to_rebooking


def rebook_step(ladder) -> Step:
    return Step.objects.get(ladder=ladder, number=3)


def test_the_buyer_chooses_and_the_assignee_is_told(hotel_case, hotel_order, agent, buyer):
    update_case(case=hotel_case, actor=agent, assignee=agent.user)
    ladder = to_rebooking(hotel_case, hotel_order, agent)

    step = rescue.choose_alternative(ladder=ladder, party=buyer, option_index=1)

    step.refresh_from_db()
    assert step.buyer_choice == 1 and step.buyer_chose_at is not None
    assert step.status == StepStatus.OPEN and step.chosen is None
    event = CaseEvent.objects.get(case=hotel_case, kind="rescue.buyer_chose")
    assert event.actor_party_id == buyer.pk
    assert event.data["option"] == "Pulitzer Amsterdam, 2 nights"
    assert dispute_timeline.handles(event.kind)
    assert "prefer" in dispute_timeline.describe(event, actor="")
    told = Notification.objects.get(user=agent.user, case=hotel_case)
    assert "Pulitzer Amsterdam" in told.body


def test_a_buyer_waiting_on_us_puts_the_case_back_with_the_desk(
    hotel_case, hotel_order, agent, buyer
):
    ladder = to_rebooking(hotel_case, hotel_order, agent)
    update_case(case=hotel_case, actor=agent, status=Status.PENDING_CUSTOMER)

    rescue.choose_alternative(ladder=ladder, party=buyer, option_index=0)

    hotel_case.refresh_from_db()
    assert hotel_case.status == Status.OPEN


def test_the_buyer_changes_their_mind_until_the_agent_rebooks(
    hotel_case, hotel_order, agent, buyer
):
    ladder = to_rebooking(hotel_case, hotel_order, agent)
    rescue.choose_alternative(ladder=ladder, party=buyer, option_index=1)
    rescue.choose_alternative(ladder=ladder, party=buyer, option_index=0)
    # The same choice again records nothing more.
    rescue.choose_alternative(ladder=ladder, party=buyer, option_index=0)

    assert rebook_step(ladder).buyer_choice == 0
    chose = CaseEvent.objects.filter(case=hotel_case, kind="rescue.buyer_chose").order_by("pk")
    assert [e.data["changed"] for e in chose] == [False, True]

    rescue.rebook(ladder=ladder, actor=agent, option_index=0, idempotency_key="rb-c1")
    ladder.refresh_from_db()
    step = rebook_step(ladder)
    assert ladder.status == LadderStatus.SUCCEEDED
    assert (step.chosen, step.cost, step.buyer_choice) == (0, 8000, 0)
    with pytest.raises(ApplicationError) as refused:
        rescue.choose_alternative(ladder=ladder, party=buyer, option_index=1)
    assert (refused.value.code, refused.value.status) == ("wrong_step", 409)
    assert rebook_step(ladder).buyer_choice == 0


def test_the_agent_may_book_another_than_the_buyer_chose(hotel_case, hotel_order, agent, buyer):
    ladder = to_rebooking(hotel_case, hotel_order, agent)
    rescue.choose_alternative(ladder=ladder, party=buyer, option_index=1)

    rescue.rebook(ladder=ladder, actor=agent, option_index=0, idempotency_key="rb-c2")

    step = rebook_step(ladder)
    assert (step.status, step.chosen, step.buyer_choice) == (StepStatus.DONE, 0, 1)


def test_a_choice_waiting_for_approval_can_no_longer_change(hotel_case, hotel_order, agent, buyer):
    ladder = to_rebooking(hotel_case, hotel_order, agent)
    rescue.choose_alternative(ladder=ladder, party=buyer, option_index=1)
    rescue.rebook(ladder=ladder, actor=agent, option_index=1, idempotency_key="rb-c3")

    with pytest.raises(ApplicationError) as refused:
        rescue.choose_alternative(ladder=ladder, party=buyer, option_index=0)

    assert (refused.value.code, refused.value.status) == ("step_waiting", 409)
    assert rebook_step(ladder).buyer_choice == 1


def test_a_stranger_is_refused_as_if_there_were_no_rescue(
    hotel_case, hotel_order, agent, workspace, other_workspace
):
    ladder = to_rebooking(hotel_case, hotel_order, agent)
    seller = hotel_order.seller
    other_buyer = builders.party(workspace, "B-2", email="olga@example.com")
    foreign = builders.party(other_workspace, "B-1", email="bram@example.com")

    for party in (seller, other_buyer, foreign):
        with pytest.raises(ApplicationError) as refused:
            rescue.choose_alternative(ladder=ladder, party=party, option_index=0)
        assert (refused.value.code, refused.value.status) == ("rescue_not_found", 404)

    assert_nothing_written(ladder, hotel_case)


def test_choosing_before_the_alternatives_is_refused(hotel_case, hotel_order, agent, buyer):
    ladder = start(hotel_case, hotel_order, agent)

    with pytest.raises(ApplicationError) as refused:
        rescue.choose_alternative(ladder=ladder, party=buyer, option_index=0)

    assert (refused.value.code, refused.value.status) == ("wrong_step", 409)
    assert not Step.objects.filter(ladder=ladder, buyer_choice__isnull=False).exists()
    assert not CaseEvent.objects.filter(kind="rescue.buyer_chose").exists()


@pytest.mark.parametrize("index", [-1, 2, 99, True])
def test_an_alternative_that_is_not_there_is_refused(hotel_case, hotel_order, agent, buyer, index):
    ladder = to_rebooking(hotel_case, hotel_order, agent)

    with pytest.raises(ApplicationError) as refused:
        rescue.choose_alternative(ladder=ladder, party=buyer, option_index=index)

    assert (refused.value.code, refused.value.status) == ("unknown_option", 422)
    assert_nothing_written(ladder, hotel_case)


def test_a_closed_request_takes_no_choice(hotel_case, hotel_order, agent, buyer):
    ladder = to_rebooking(hotel_case, hotel_order, agent)
    update_case(case=hotel_case, actor=agent, status=Status.CLOSED)

    with pytest.raises(ApplicationError) as refused:
        rescue.choose_alternative(ladder=ladder, party=buyer, option_index=0)

    assert refused.value.status == 409
    assert_nothing_written(ladder, hotel_case)


def assert_nothing_written(ladder, case) -> None:
    step = rebook_step(Ladder.objects.get(pk=ladder.pk))
    assert (step.buyer_choice, step.buyer_chose_at) == (None, None)
    assert not CaseEvent.objects.filter(case=case, kind="rescue.buyer_chose").exists()
    assert not Notification.objects.filter(case=case).exists()
