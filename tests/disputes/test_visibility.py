"""Who reads what: each message and piece of evidence says who besides the platform
may see it, and each side reads only that."""

from __future__ import annotations

import pytest

from ombuds.conversations.attachments import IncomingFile
from ombuds.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from ombuds.disputes.models import Role
from ombuds.disputes.selectors import evidence_for, thread_for
from ombuds.disputes.services.evidence import (
    change_evidence_visibility,
    lock_evidence_for,
    submit_evidence,
    withdraw_evidence,
)
from ombuds.disputes.services.thread import post_message

PHOTO = IncomingFile("box.jpg", "image/jpeg", b"\xff\xd8\xff photo of a crushed box")


@pytest.fixture
def conversation(dispute, buyer_actor, seller_actor, agent_one):
    post_message(dispute=dispute, actor=buyer_actor, body="To all", visibility="parties")
    post_message(dispute=dispute, actor=buyer_actor, body="Buyer to platform", visibility="buyer")
    post_message(
        dispute=dispute, actor=seller_actor, body="Seller to platform", visibility="seller"
    )
    post_message(dispute=dispute, actor=agent_one, body="Note for the team", visibility="internal")
    return dispute


def _bodies(messages):
    return [m.body for m in messages]


def test_each_side_reads_only_what_it_may(conversation):
    assert _bodies(thread_for(conversation, role=Role.BUYER)) == ["To all", "Buyer to platform"]
    assert _bodies(thread_for(conversation, role=Role.SELLER)) == ["To all", "Seller to platform"]
    assert len(thread_for(conversation, role=Role.AGENT)) == 4


def test_a_party_cannot_write_to_the_other_party_privately(dispute, buyer_actor):
    with pytest.raises(PermissionDenied):
        post_message(dispute=dispute, actor=buyer_actor, body="psst", visibility="seller")
    with pytest.raises(PermissionDenied):
        post_message(dispute=dispute, actor=buyer_actor, body="psst", visibility="internal")


def test_a_stranger_cannot_write_on_someone_elses_dispute(workspace, dispute):
    from ombuds.disputes.actors import DisputeActor
    from tests import builders

    other = builders.party(workspace, "S-2", kind="seller", name="Other Seller")
    before = (dispute.messages.count(), dispute.evidence.count())
    # To a stranger the dispute does not exist, whatever they try.
    with pytest.raises(NotFound):
        post_message(dispute=dispute, actor=DisputeActor.seller(other), body="Hello")
    with pytest.raises(NotFound):
        submit_evidence(dispute=dispute, actor=DisputeActor.seller(other), text="Proof")
    assert (dispute.messages.count(), dispute.evidence.count()) == before


def test_the_other_party_is_told_where_to_read_a_message(dispute, seller, seller_actor):
    before = dispute.case.messages.count()

    post_message(dispute=dispute, actor=seller_actor, body="Shipped with PostNL.")

    new = list(dispute.case.messages.order_by("pk")[before:])
    assert len(new) == 1  # the buyer's notice; the seller wrote it and is not told
    assert "new message" in new[0].body_text
    assert "Shipped with PostNL." not in new[0].body_text


def test_evidence_follows_its_visibility(dispute, buyer_actor, seller_actor):
    submit_evidence(dispute=dispute, actor=buyer_actor, files=[PHOTO])
    submit_evidence(
        dispute=dispute, actor=seller_actor, text="Invoice of the courier", visibility="seller"
    )

    buyer_sees = {e.title or e.kind for e in evidence_for(dispute, role=Role.BUYER)}
    seller_sees = {e.title or e.kind for e in evidence_for(dispute, role=Role.SELLER)}
    assert "box.jpg" in buyer_sees and "box.jpg" in seller_sees
    assert "statement" in seller_sees
    assert (
        len(evidence_for(dispute, role=Role.SELLER))
        == len(evidence_for(dispute, role=Role.BUYER)) + 1
    )


def test_locked_evidence_cannot_change(dispute, buyer_actor, agent_one):
    [photo] = submit_evidence(dispute=dispute, actor=buyer_actor, files=[PHOTO])

    locked = lock_evidence_for(dispute)

    assert photo.pk in {e.pk for e in locked}
    assert all(e.locked_for == "psp" for e in locked)
    photo.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        withdraw_evidence(evidence=photo, actor=buyer_actor)
    assert refused.value.code == "evidence_locked"
    with pytest.raises(Conflict):
        change_evidence_visibility(evidence=photo, actor=agent_one, visibility="internal")
    # Locking again locks nothing new and returns the same pieces.
    assert {e.pk for e in lock_evidence_for(dispute)} == {e.pk for e in locked}


def test_withdrawn_evidence_is_gone_for_the_parties_not_for_the_platform(
    dispute, buyer_actor, seller_actor
):
    [photo] = submit_evidence(dispute=dispute, actor=buyer_actor, files=[PHOTO])

    with pytest.raises(PermissionDenied):
        withdraw_evidence(evidence=photo, actor=seller_actor)
    withdraw_evidence(evidence=photo, actor=buyer_actor)

    assert photo.pk not in {e.pk for e in evidence_for(dispute, role=Role.SELLER)}
    assert photo.pk in {e.pk for e in evidence_for(dispute, role=Role.AGENT)}


def test_a_blocked_file_type_is_refused(dispute, buyer_actor):
    with pytest.raises(ApplicationError) as refused:
        submit_evidence(
            dispute=dispute,
            actor=buyer_actor,
            files=[IncomingFile("proof.html", "text/html", b"<script>")],
        )
    assert refused.value.code == "attachment_type_not_allowed"
