"""Proactive care: order problems reach the buyer in their language before they ask, on
one case per order and problem, with updates until the case resolves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ombuds.automation.care import receive_order_event, send_due_updates, sweep_overdue_transfers
from ombuds.automation.models import CareFollowUp
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, MessageKind
from ombuds.conversations.services import update_case
from ombuds.marketplace.models import OrderEvent
from tests import builders

MARKETPLACE = Actor.system("marketplace")
HOUR = timedelta(hours=1)


def report(workspace, order, type, *, external_id=None, data=None):
    return receive_order_event(
        workspace=workspace,
        order=order,
        type=type,
        occurred_at=timezone.now(),
        data=data or {},
        external_id=external_id,
        actor=MARKETPLACE,
    )


def replies(case):
    return list(case.messages.filter(kind=MessageKind.OUTBOUND).order_by("created_at", "pk"))


def test_a_delayed_shipment_opens_a_case_and_tells_the_buyer(defaults, buyer, parcel_order):
    report(defaults, parcel_order, "shipment.delayed", external_id="ev-1")
    case = Case.objects.get(order=parcel_order)
    assert case.requester == buyer
    assert case.status == "pending_third_party"
    opening = case.messages.order_by("created_at", "pk").first()
    assert opening.kind == MessageKind.NOTE  # the desk's words, not the customer's
    (reply,) = replies(case)
    assert "PostNL reports a delay for your order ORD-100" in reply.body_text
    assert "https://track.example/3S123" in reply.body_text
    assert reply.deliveries.get().recipient == "bram@example.com"
    assert reply.macro_use.macro.key == "care-shipment-delayed"
    notified = case.events.get(kind="care.notified")
    assert notified.data["opened"] is True and notified.data["sent"] is True
    assert notified.actor_label == "proactive care"


def test_a_dutch_buyer_is_told_in_dutch(defaults, dutch_buyer, ticket_order):
    report(defaults, ticket_order, "event.moved", data={"booking": "BK-200"})
    case = Case.objects.get(order=ticket_order)
    assert case.language == "nl"
    (reply,) = replies(case)
    assert reply.body_text.startswith("Hallo Noor,")
    assert "De organisator heeft Coldplay — Music of the Spheres verplaatst" in reply.body_text
    assert reply.macro_use.language == "nl"


def test_one_case_per_order_and_problem(defaults, buyer, parcel_order):
    report(defaults, parcel_order, "shipment.delayed", external_id="ev-1")
    report(defaults, parcel_order, "shipment.delayed", external_id="ev-1")  # a retry
    report(defaults, parcel_order, "shipment.exception", external_id="ev-2")
    (case,) = Case.objects.filter(order=parcel_order)
    texts = [r.body_text for r in replies(case)]
    assert len(texts) == 2
    assert "reports a problem delivering" in texts[1]
    assert case.priority == "high"  # the exception's plan raises it
    assert CareFollowUp.objects.get().notices_sent == 2


def test_a_case_the_buyer_opened_is_used_instead_of_a_new_one(defaults, buyer, parcel_order):
    asked = builders.case(defaults, requester=buyer, order=parcel_order, subject="Where?")
    report(defaults, parcel_order, "shipment.delayed")
    assert Case.objects.filter(order=parcel_order).count() == 1
    assert len(replies(asked)) == 1


def test_a_closed_problem_case_gives_way_to_a_new_one(defaults, buyer, agent, parcel_order):
    report(defaults, parcel_order, "shipment.delayed", external_id="a")
    first = Case.objects.get(order=parcel_order)
    update_case(case=first, actor=Actor(user=agent), status="solved")
    update_case(case=first, actor=Actor(user=agent), status="closed")
    report(defaults, parcel_order, "shipment.exception", external_id="b")
    second = Case.objects.exclude(pk=first.pk).get(order=parcel_order)
    assert CareFollowUp.objects.get().case == second


def test_keep_in_the_loop_every_24_hours_until_the_case_resolves(
    defaults, buyer, agent, parcel_order
):
    report(defaults, parcel_order, "shipment.delayed")
    case = Case.objects.get(order=parcel_order)
    follow_up = CareFollowUp.objects.get()
    first_due = follow_up.next_update_at
    assert first_due - follow_up.created_at == 24 * HOUR

    assert send_due_updates(now=first_due - HOUR) == 0
    assert send_due_updates(now=first_due) == 1
    assert "A short update on order ORD-100" in replies(case)[-1].body_text
    follow_up.refresh_from_db()
    assert follow_up.next_update_at == first_due + 24 * HOUR

    # While the desk waits on the buyer, no update goes out; the schedule moves on.
    update_case(case=case, actor=Actor(user=agent), status="pending_customer")
    assert send_due_updates(now=first_due + 24 * HOUR) == 0
    update_case(case=case, actor=Actor(user=agent), status="pending_third_party")
    assert send_due_updates(now=first_due + 48 * HOUR) == 1

    update_case(case=case, actor=Actor(user=agent), status="solved")
    follow_up.refresh_from_db()
    assert follow_up.next_update_at is None
    assert send_due_updates(now=first_due + 30 * 24 * HOUR) == 0
    assert len(replies(case)) == 3  # the notice and two updates


def test_an_event_type_without_a_plan_only_lands_on_the_timeline(defaults, buyer, parcel_order):
    case = builders.case(defaults, requester=buyer, order=parcel_order)
    report(defaults, parcel_order, "shipment.in_transit")
    assert replies(case) == []
    assert case.events.filter(kind="order.event").exists()


def test_without_the_defaults_nothing_is_sent(workspace, buyer, parcel_order):
    report(workspace, parcel_order, "shipment.delayed")
    assert not Case.objects.filter(order=parcel_order).exists()


def test_a_transfer_past_its_deadline_is_found_by_the_sweep(defaults, dutch_buyer, ticket_order):
    booking = ticket_order.bookings.get()
    due = booking.transfer_due_at
    assert sweep_overdue_transfers(now=due - HOUR) == 0
    assert sweep_overdue_transfers(now=due + HOUR) == 1
    assert sweep_overdue_transfers(now=due + 2 * HOUR) == 0  # reported once
    event = OrderEvent.objects.get(order=ticket_order, type="booking.transfer_overdue")
    assert event.data["booking"] == "BK-200"
    case = Case.objects.get(order=ticket_order)
    (reply,) = replies(case)
    assert "De verkoper had Coldplay" in reply.body_text
    assert "Overdracht open" in reply.body_text


def test_a_transfer_done_in_time_is_not_reported(defaults, dutch_buyer, ticket_order):
    ticket_order.bookings.update(transfer_status="done")
    due = ticket_order.bookings.get().transfer_due_at
    assert sweep_overdue_transfers(now=due + HOUR) == 0


@pytest.mark.parametrize("event_type", ["event.cancelled", "shipment.exception"])
def test_missing_values_are_not_sent_but_the_case_still_waits(defaults, buyer, event_type):
    bare = builders.order(defaults, "ORD-BARE", buyer=buyer)  # no shipment, no booking
    report(defaults, bare, event_type)
    case = Case.objects.get(order=bare)
    assert replies(case) == []
    assert case.events.get(kind="automation.skipped").data["missing"]
    assert case.status == "pending_third_party"


def test_care_stays_within_the_workspace(defaults, other_workspace, buyer, parcel_order):
    theirs = builders.party(other_workspace, "B-1", name="Other Bram", email="o@example.com")
    order = builders.order(other_workspace, "ORD-100", buyer=theirs)
    report(other_workspace, order, "shipment.delayed")
    assert not Case.objects.filter(workspace=other_workspace).exists()
    assert not Case.objects.filter(workspace=defaults).exists()
