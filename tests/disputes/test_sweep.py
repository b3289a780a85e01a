"""The deadline sweep moves what is due by policy, and only what is due."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ombuds.core.money import Money
from ombuds.disputes.models import DisputeEvent, State
from ombuds.disputes.services.responses import contest_claim, propose_offer
from ombuds.disputes.services.sweep import due_ids, sweep_due_disputes
from tests import builders

from .conftest import claim


def test_a_silent_seller_sends_the_dispute_to_mediation(dispute):
    assert sweep_due_disputes(now=dispute.seller_due_at - timedelta(minutes=1)) == {}

    done = sweep_due_disputes(now=dispute.seller_due_at + timedelta(minutes=1))

    assert done == {"deadline_escalate": 1}
    dispute.refresh_from_db()
    assert dispute.state == State.IN_MEDIATION and dispute.escalated_at
    event = DisputeEvent.objects.filter(dispute=dispute).last()
    assert (event.action, event.actor_role, event.actor_label) == (
        "deadline_escalate",
        "system",
        "deadline",
    )


def test_the_end_of_the_contact_period_opens_the_dispute(workspace, parcel, buyer_actor):
    dispute = claim(workspace, parcel, buyer_actor)

    sweep_due_disputes(now=dispute.contact_due_at + timedelta(seconds=1))

    dispute.refresh_from_db()
    assert dispute.state == State.AWAITING_SELLER
    assert dispute.next_due_at == dispute.seller_due_at


def test_an_offer_the_buyer_leaves_unanswered_lapses(dispute, seller_actor):
    offer = propose_offer(
        dispute=dispute, actor=seller_actor, kind="credit", amount=Money(1000, "EUR")
    )
    dispute.refresh_from_db()

    sweep_due_disputes(now=dispute.buyer_due_at + timedelta(seconds=1))

    dispute.refresh_from_db()
    offer.refresh_from_db()
    assert dispute.state == State.CLOSED and dispute.ending == "lapsed"
    assert offer.status == "lapsed"


def test_a_contest_the_buyer_leaves_unanswered_closes(dispute, seller_actor):
    contest_claim(dispute=dispute, actor=seller_actor, statement="It was delivered.")
    dispute.refresh_from_db()

    sweep_due_disputes(now=dispute.buyer_due_at + timedelta(seconds=1))

    dispute.refresh_from_db()
    assert dispute.state == State.CLOSED


def test_the_sweep_reads_only_what_is_due(workspace, agent_one, seller):
    due_soon = []
    for i in range(6):
        buyer = builders.party(workspace, f"B-{i + 10}", email=f"b{i}@example.com")
        order = builders.order(workspace, f"ORD-{i + 10}", buyer=buyer, seller=seller)
        due_soon.append(claim(workspace, order, agent_one))
    cutoff = min(d.seller_due_at for d in due_soon) - timedelta(seconds=1)

    assert due_ids(cutoff) == []
    with CaptureQueriesContext(connection) as queries:
        due_ids(cutoff)
    assert len(queries) == 1
    assert "next_due_at" in queries[0]["sql"]
