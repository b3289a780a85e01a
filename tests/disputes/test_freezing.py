"""A chargeback freezes the buyer–seller dispute on its order: nothing moves but the
unfreeze, the deadlines stop and get their time back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ombuds.conversations.events import Actor
from ombuds.core.money import Money
from ombuds.disputes.models import DisputeEvent, State
from ombuds.disputes.services.freezing import (
    freeze_disputes_for_order,
    unfreeze_disputes_for_order,
)
from ombuds.disputes.services.responses import escalate_dispute, propose_offer, withdraw_dispute
from ombuds.disputes.services.sweep import sweep_due_disputes
from ombuds.disputes.services.thread import post_message
from ombuds.disputes.transitions import DisputeFrozen, TransitionRefused

STRIPE = Actor.system("stripe")


def test_freezing_stops_every_transition_with_a_clear_error(
    dispute, parcel, seller_actor, buyer_actor, agent_one
):
    frozen = freeze_disputes_for_order(order=parcel, reason="Chargeback dp_1", actor=STRIPE)
    assert [d.pk for d in frozen] == [dispute.pk]

    attempts = [
        lambda: propose_offer(
            dispute=dispute,
            actor=seller_actor,
            kind="partial_refund",
            amount=Money(4000, "EUR"),
        ),
        lambda: escalate_dispute(dispute=dispute, actor=agent_one),
        lambda: withdraw_dispute(dispute=dispute, actor=buyer_actor),
    ]
    for attempt in attempts:
        with pytest.raises(DisputeFrozen) as refused:
            attempt()
        assert refused.value.status == 409
        assert refused.value.code == "dispute_frozen"
        assert "frozen while the payment provider's chargeback runs" in refused.value.message
    dispute.refresh_from_db()
    assert dispute.state == State.AWAITING_SELLER
    assert dispute.next_due_at is None  # its deadline stopped


def test_the_parties_can_still_write_while_frozen(dispute, parcel, seller_actor):
    freeze_disputes_for_order(order=parcel, reason="Chargeback", actor=STRIPE)

    message = post_message(dispute=dispute, actor=seller_actor, body="Here is the proof.")

    assert message.pk


def test_unfreezing_gives_the_deadline_the_time_it_was_frozen(dispute, parcel, monkeypatch):
    due = dispute.seller_due_at
    freeze_disputes_for_order(order=parcel, reason="Chargeback", actor=STRIPE)
    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)

    [thawed] = unfreeze_disputes_for_order(order=parcel, actor=STRIPE)

    assert not thawed.is_frozen
    assert thawed.seller_due_at - due == pytest.approx(timedelta(days=2), abs=timedelta(seconds=5))
    assert thawed.next_due_at == thawed.seller_due_at
    actions = list(DisputeEvent.objects.filter(dispute=dispute).values_list("action", flat=True))
    assert actions == ["open", "freeze", "unfreeze"]


def test_a_frozen_dispute_is_not_swept(dispute, parcel):
    freeze_disputes_for_order(order=parcel, reason="Chargeback", actor=STRIPE)

    done = sweep_due_disputes(now=timezone.now() + timedelta(days=30))

    assert done == {}
    dispute.refresh_from_db()
    assert dispute.state == State.AWAITING_SELLER


def test_freezing_twice_is_harmless_and_only_open_disputes_freeze(dispute, parcel, buyer_actor):
    assert len(freeze_disputes_for_order(order=parcel, reason="one", actor=STRIPE)) == 1
    assert freeze_disputes_for_order(order=parcel, reason="two", actor=STRIPE) == []
    unfreeze_disputes_for_order(order=parcel, actor=STRIPE)
    withdraw_dispute(dispute=dispute, actor=buyer_actor)

    assert freeze_disputes_for_order(order=parcel, reason="three", actor=STRIPE) == []


def test_unfreeze_of_a_dispute_that_is_not_frozen_is_refused(dispute, agent_one):
    from ombuds.disputes.services.freezing import unfreeze_dispute

    with pytest.raises(TransitionRefused) as refused:
        unfreeze_dispute(dispute=dispute, actor=agent_one)
    assert refused.value.code == "not_frozen"


def test_the_freeze_is_on_the_case_timeline_with_who_and_why(dispute, parcel):
    freeze_disputes_for_order(order=parcel, reason="Stripe dp_123", actor=STRIPE)

    event = dispute.case.events.get(kind="dispute.freeze")
    assert event.actor_label == "stripe"
    assert event.data["reason"] == "Stripe dp_123"
