"""A chargeback freezes the buyer–seller dispute on its order while it runs, thaws it
when it closes, and answers the bank with what the parties put before the dispute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ombuds.accounts.models import Membership
from ombuds.chargebacks.models import Chargeback
from ombuds.chargebacks.services.evidence import preview_evidence, submit_evidence
from ombuds.conversations.attachments import IncomingFile
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.models import Dispute, Evidence
from ombuds.disputes.services.evidence import submit_evidence as add_dispute_evidence
from ombuds.disputes.services.opening import open_dispute

from . import documented as doc

DUE = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)


@pytest.fixture
def agent_actor(workspace, agent):
    return DisputeActor.agent(Membership.objects.get(workspace=workspace, user=agent))


def claim(workspace, order, actor) -> Dispute:
    return open_dispute(
        workspace=workspace,
        order=order,
        actor=actor,
        reason="not_received",
        description="The parcel never arrived.",
        desired_outcome="full_refund",
        amount=Money(order.total, order.currency),
    )


def opened(deliver):
    deliver(doc.event("charge.dispute.created", doc.dispute(due_by=DUE)))
    return Chargeback.objects.get()


def test_the_dispute_is_frozen_while_the_chargeback_runs(deliver, workspace, order, agent_actor):
    dispute = claim(workspace, order, agent_actor)
    chargeback = opened(deliver)
    dispute.refresh_from_db()
    assert dispute.is_frozen and doc.DISPUTE in dispute.frozen_reason
    assert chargeback.disputes_frozen and chargeback.case == dispute.case
    # The frozen dispute takes no step while the bank decides.
    with pytest.raises(ApplicationError) as refused:
        from ombuds.disputes.services.freezing import freeze_dispute

        freeze_dispute(dispute=dispute, reason="again", actor=agent_actor)
    assert refused.value.status == 409

    deliver(doc.event("charge.dispute.closed", doc.dispute(status="won", due_by=DUE)))
    dispute.refresh_from_db()
    chargeback.refresh_from_db()
    assert not dispute.is_frozen and not chargeback.disputes_frozen


def test_a_dispute_opened_during_the_chargeback_is_frozen_at_once(
    deliver, workspace, order, agent_actor
):
    opened(deliver)
    dispute = claim(workspace, order, agent_actor)
    dispute.refresh_from_db()
    assert dispute.is_frozen


def test_a_closed_chargeback_freezes_nothing(deliver, workspace, order, agent_actor):
    dispute = claim(workspace, order, agent_actor)
    deliver(doc.event("charge.dispute.closed", doc.dispute(status="lost", due_by=DUE)))
    dispute.refresh_from_db()
    assert not dispute.is_frozen and not Chargeback.objects.get().disputes_frozen


def test_the_disputes_evidence_goes_to_the_bank_and_is_locked(
    deliver, workspace, order, buyer, agent, agent_actor
):
    dispute = claim(workspace, order, agent_actor)
    add_dispute_evidence(
        dispute=dispute,
        actor=DisputeActor.buyer(buyer),
        text="The tracking page says delivered but nothing came.",
    )
    photo = add_dispute_evidence(
        dispute=dispute,
        actor=agent_actor,
        files=[IncomingFile("signature.pdf", "application/pdf", b"%PDF-1.4 signed for")],
        visibility="parties",
    )[0]
    add_dispute_evidence(
        dispute=dispute,
        actor=agent_actor,
        text="Seller is on our watch list.",
        visibility="internal",
    )
    chargeback = opened(deliver)
    chosen = {"shipping_documentation": f"dispute-evidence:{photo.pk}"}
    pack = preview_evidence(chargeback=chargeback, chosen_files=chosen)
    text = pack.fields["uncategorized_text"]
    assert f"In the marketplace's dispute {dispute.reference}" in text
    assert "Buyer" in text and "nothing came" in text
    assert "watch list" not in text  # what only the platform sees stays here
    document = next(f for f in pack.files if f.field == "shipping_documentation")
    assert document.content == b"%PDF-1.4 signed for"

    submit_evidence(
        chargeback=chargeback, by=agent, fingerprint=pack.fingerprint, chosen_files=chosen
    )
    locked = Evidence.objects.filter(dispute=dispute, locked_at__isnull=False)
    assert locked.count() == Evidence.objects.filter(dispute=dispute).count()
    assert set(locked.values_list("locked_for", flat=True)) == {"psp"}


def test_a_file_of_another_order_cannot_be_chosen(deliver, workspace, order, agent):
    chargeback = opened(deliver)
    with pytest.raises(ApplicationError) as refused:
        preview_evidence(
            chargeback=chargeback, chosen_files={"uncategorized_file": "attachment:999"}
        )
    assert refused.value.code == "attachment_not_eligible"
