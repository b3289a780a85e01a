"""The transition table: who may do what from which state, and the guards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ombuds.core.errors import PermissionDenied
from ombuds.core.money import Money
from ombuds.disputes.models import State
from ombuds.disputes.services.responses import (
    contest_claim,
    end_contact_period,
    escalate_dispute,
    propose_offer,
)
from ombuds.disputes.transitions import ALLOWED_MOVES, NEW, TABLE, TransitionRefused

from .conftest import claim


def test_every_state_can_be_reached_and_only_final_states_have_no_way_out():
    targets = {to for _, _, to in ALLOWED_MOVES}
    assert targets >= set(State.values)
    exits = {source for _, source, to in ALLOWED_MOVES if to != source}
    assert exits | {State.RESOLVED, State.CLOSED, State.WITHDRAWN} == {NEW, *State.values}
    assert not exits & {State.RESOLVED, State.CLOSED, State.WITHDRAWN}


def test_no_transition_leaves_a_final_state():
    final = {State.RESOLVED, State.CLOSED, State.WITHDRAWN}
    for move in TABLE.values():
        assert not move.sources & final, move.action


def test_an_offer_on_a_decided_dispute_says_what_is_possible(
    workspace, parcel, agent_one, seller_actor
):
    dispute = claim(workspace, parcel, agent_one)
    escalate_dispute(dispute=dispute, actor=agent_one)

    with pytest.raises(TransitionRefused) as refused:
        contest_claim(dispute=dispute, actor=seller_actor, statement="Not true.")

    assert refused.value.status == 409
    assert refused.value.code == "invalid_transition"
    assert "is in mediation" in refused.value.message
    assert "awaiting the seller" in refused.value.message


def test_only_the_seller_makes_an_offer(workspace, parcel, agent_one, buyer_actor):
    dispute = claim(workspace, parcel, agent_one)

    with pytest.raises(PermissionDenied):
        propose_offer(dispute=dispute, actor=buyer_actor, kind="credit", amount=Money(500, "EUR"))


def test_the_buyer_escalates_only_after_the_seller_deadline(
    workspace, parcel, agent_one, buyer_actor, monkeypatch
):
    dispute = claim(workspace, parcel, agent_one)

    with pytest.raises(TransitionRefused) as refused:
        escalate_dispute(dispute=dispute, actor=buyer_actor)
    assert refused.value.code == "seller_still_has_time"

    later = dispute.seller_due_at + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    escalate_dispute(dispute=dispute, actor=buyer_actor)
    dispute.refresh_from_db()
    assert dispute.state == State.IN_MEDIATION


def test_the_seller_escalates_only_after_the_buyer_let_the_deadline_pass(
    workspace, parcel, agent_one, seller_actor, monkeypatch
):
    dispute = claim(workspace, parcel, agent_one)
    contest_claim(dispute=dispute, actor=seller_actor, statement="Delivered on the 3rd.")
    dispute.refresh_from_db()

    with pytest.raises(TransitionRefused) as refused:
        escalate_dispute(dispute=dispute, actor=seller_actor)
    assert refused.value.code == "buyer_still_has_time"

    later = dispute.buyer_due_at + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    escalate_dispute(dispute=dispute, actor=seller_actor)
    dispute.refresh_from_db()
    assert dispute.state == State.IN_MEDIATION


def test_the_buyer_may_end_the_contact_period_only_when_it_is_over(
    workspace, parcel, buyer_actor, agent_one
):
    dispute = claim(workspace, parcel, buyer_actor)

    with pytest.raises(TransitionRefused) as refused:
        end_contact_period(dispute=dispute, actor=buyer_actor)
    assert refused.value.code == "contact_period_running"

    end_contact_period(dispute=dispute, actor=agent_one)  # the desk may cut it short
    dispute.refresh_from_db()
    assert dispute.state == State.AWAITING_SELLER and dispute.seller_due_at


def test_an_unknown_action_is_a_422():
    from ombuds.core.errors import ApplicationError
    from ombuds.disputes.transitions import transition

    with pytest.raises(ApplicationError) as refused:
        transition("teleport")
    assert refused.value.status == 422
