"""Opening a dispute: where it starts, the case it lives on, what is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from ombuds.conversations.models import Delivery, MessageKind
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.core.money import Money
from ombuds.disputes.models import Dispute, DisputeEvent, Evidence, State
from tests import builders

from .conftest import claim


def test_a_buyer_first_gives_the_seller_time_to_sort_it_out(workspace, parcel, buyer_actor):
    dispute = claim(workspace, parcel, buyer_actor)

    assert dispute.reference == "DSP-1"
    assert dispute.state == State.AWAITING_CONTACT
    assert dispute.contact_due_at - dispute.created_at == timedelta(hours=48)
    assert dispute.next_due_at == dispute.contact_due_at
    assert dispute.seller_due_at is None


def test_an_agent_opens_it_with_the_seller_deadline_in_business_days(
    workspace, parcel, agent_one, monkeypatch
):
    # Friday 27 November 2026, 14:00 in Amsterdam: three business days are Monday,
    # Tuesday and Wednesday, so the seller has until Wednesday's closing, 17:00.
    friday = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: friday)

    dispute = claim(workspace, parcel, agent_one)

    assert dispute.state == State.AWAITING_SELLER
    assert dispute.seller_due_at == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
    assert dispute.next_due_at == dispute.seller_due_at


def test_a_public_holiday_gives_the_seller_a_day_more(workspace, parcel, agent_one, monkeypatch):
    from ombuds.core.models import BusinessCalendar

    BusinessCalendar.objects.filter(workspace=workspace, is_default=True).update(
        holiday_country="NL", updated_at=timezone.now()
    )
    # Wednesday 23 December 2026: Thursday and Friday are Christmas holidays in the
    # Netherlands, so three business days end on Tuesday 29 December.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 12, 23, 10, 0, tzinfo=UTC))

    dispute = claim(workspace, parcel, agent_one)

    assert dispute.seller_due_at == datetime(2026, 12, 29, 16, 0, tzinfo=UTC)


def test_billing_problems_go_straight_to_the_platform(workspace, parcel, buyer_actor):
    dispute = claim(workspace, parcel, buyer_actor, reason="duplicate_charge")

    assert dispute.state == State.IN_MEDIATION
    assert dispute.next_due_at is None


def test_the_dispute_lives_on_the_buyers_case_tagged_dispute(workspace, parcel, buyer, agent_one):
    earlier = builders.case(workspace, requester=buyer, order=parcel, subject="Where is it?")

    dispute = claim(workspace, parcel, agent_one)

    assert dispute.case == earlier
    assert "dispute" in set(earlier.tags.values_list("name", flat=True))
    event = earlier.events.get(kind="dispute.open")
    assert event.data["dispute"] == dispute.reference
    assert event.after == State.AWAITING_SELLER


def test_without_a_case_a_new_one_is_opened(workspace, parcel, agent_one):
    dispute = claim(workspace, parcel, agent_one)

    case = dispute.case
    assert case.order == parcel and case.requester == parcel.buyer
    assert list(case.tags.values_list("name", flat=True)) == ["dispute"]
    assert case.subject.startswith("DSP-1: Not received")


def test_the_seller_is_emailed_and_the_buyer_answered_through_the_outbox(
    workspace, parcel, agent_one, seller
):
    dispute = claim(workspace, parcel, agent_one)

    outbound = dispute.case.messages.filter(kind=MessageKind.OUTBOUND)
    to_seller = outbound.get(meta__to_party=seller.pk)
    assert dispute.reference in to_seller.meta["subject"]
    assert "respond by" in to_seller.body_text
    to_buyer = outbound.exclude(meta__has_key="to_party").get()
    assert "DSP-1" in to_buyer.body_text
    assert set(Delivery.objects.values_list("recipient", flat=True)) == {
        "sam@shop.example",
        "bram@example.com",
    }


def test_a_dutch_buyer_is_answered_in_dutch(workspace, parcel, agent_one, buyer):
    buyer.language = "nl"
    buyer.save()

    dispute = claim(workspace, parcel, agent_one)

    reply = dispute.case.messages.filter(kind=MessageKind.OUTBOUND).exclude(
        meta__has_key="to_party"
    )
    assert "geschil" in reply.get().body_text.lower()


def test_the_claim_and_the_order_records_become_evidence(workspace, parcel, agent_one):
    dispute = claim(workspace, parcel, agent_one)

    kinds = list(Evidence.objects.filter(dispute=dispute).values_list("kind", flat=True))
    assert kinds == ["statement", "tracking"]
    tracking = dispute.evidence.get(kind="tracking")
    assert tracking.facts["status"] == "lost"
    assert tracking.facts["tracking_number"] == "3S123"


def test_a_booking_code_is_kept_short_in_the_evidence(workspace, stay, agent_one):
    dispute = claim(workspace, stay, agent_one, reason="transfer_refused")

    transfer = dispute.evidence.get(kind="transfer")
    assert transfer.facts["confirmation"] == "…9123"
    assert transfer.facts["transfer_status"] == "failed"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"amount": Money(12501, "EUR")}, "amount_above_order_total"),
        ({"amount": Money(100, "USD")}, "currency_mismatch"),
        ({"reason": "bored"}, "unknown_reason"),
        ({"desired_outcome": "a pony"}, "unknown_desired_outcome"),
        ({"description": "   "}, "empty_description"),
    ],
)
def test_a_claim_that_cannot_stand_is_refused_whole(workspace, parcel, agent_one, overrides, code):
    with pytest.raises(ApplicationError) as refused:
        claim(workspace, parcel, agent_one, **overrides)

    assert refused.value.code == code and refused.value.status == 422
    assert not Dispute.objects.exists()
    assert not parcel.cases.exists()


def test_one_open_dispute_per_order(workspace, parcel, agent_one):
    first = claim(workspace, parcel, agent_one)

    with pytest.raises(ApplicationError) as refused:
        claim(workspace, parcel, agent_one)

    assert refused.value.code == "dispute_already_open"
    assert refused.value.details == {"dispute": first.reference}


def test_the_same_key_opens_it_once(workspace, parcel, agent_one):
    first = claim(workspace, parcel, agent_one, idempotency_key="open-1")
    again = claim(workspace, parcel, agent_one, idempotency_key="open-1")

    assert again == first
    assert DisputeEvent.objects.filter(dispute=first).count() == 1


def test_a_buyer_cannot_dispute_someone_elses_order(workspace, parcel):
    from ombuds.disputes.actors import DisputeActor

    stranger = builders.party(workspace, "B-2", name="Stranger", email="x@example.com")

    with pytest.raises(NotFound):
        claim(workspace, parcel, DisputeActor.buyer(stranger))


def test_another_workspaces_order_does_not_exist_here(workspace, other_workspace, agent_one):
    foreign_buyer = builders.party(other_workspace, "B-9", email="f@example.com")
    foreign = builders.order(other_workspace, "ORD-9", buyer=foreign_buyer)

    with pytest.raises(NotFound):
        claim(workspace, foreign, agent_one)
    assert not Dispute.objects.exists()
