"""Answering a chargeback with evidence: previewed, submitted to Stripe once through
the outbox, exactly as previewed; Stripe's refusals and outages handled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ombuds.chargebacks.models import (
    CallStatus,
    Chargeback,
    EvidenceSubmission,
    PspCall,
    SubmissionStatus,
)
from ombuds.chargebacks.outbox import send_due
from ombuds.chargebacks.services.evidence import preview_evidence, submit_evidence
from ombuds.conversations.models import CaseEvent
from ombuds.conversations.services import reply_to_customer
from ombuds.core.errors import ApplicationError
from tests import builders

from . import documented as doc
from .stripe_server import StripeStandIn, dispute_answer

DUE = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)


@pytest.fixture
def chargeback(deliver, order, buyer, workspace):
    builders.case(
        workspace,
        requester=buyer,
        order=order,
        subject="Never arrived",
        body="My record player never came.",
    )
    deliver(doc.event("charge.dispute.created", doc.dispute(due_by=DUE)))
    return Chargeback.objects.get()


@pytest.fixture
def stripe(stripe_api):
    return StripeStandIn(stripe_api)


def _files_then_dispute(stripe, *, files=3, dispute_status=200, dispute_answer_body=None):
    for n in range(files):
        stripe.expect("POST", "/v1/files", doc.file_object(f"file_{n}"))
    stripe.expect(
        "POST",
        f"/v1/disputes/{doc.DISPUTE}",
        dispute_answer_body or dispute_answer(),
        status=dispute_status,
    )


def test_the_preview_shows_what_the_desk_knows(chargeback, agent):
    pack = preview_evidence(chargeback=chargeback, statement="The parcel was signed for.")
    assert pack.fields["customer_name"] == "Bram Buyer"
    assert pack.fields["customer_email_address"] == "bram@example.com"
    assert pack.fields["shipping_carrier"] == "PostNL"
    assert pack.fields["shipping_tracking_number"] == "3SABCD1234567"
    assert pack.fields["shipping_date"] == "2026-11-03"
    assert "1 x Vintage record player" in pack.fields["product_description"]
    assert pack.fields["uncategorized_text"].startswith("The parcel was signed for.")
    assert "Delivered by PostNL on 2026-11-05" in pack.fields["uncategorized_text"]
    assert [f.field for f in pack.files] == ["receipt", "customer_communication", "refund_policy"]
    assert "version 1" in pack.fields["refund_policy_disclosure"]
    assert all(f.content.startswith(b"%PDF-1.4") for f in pack.files)
    # The same evidence twice is the same bytes: the fingerprint can be trusted.
    assert preview_evidence(chargeback=chargeback, statement="The parcel was signed for.") == pack
    assert (
        preview_evidence(chargeback=chargeback, statement="The parcel was signed for.").fingerprint
        == pack.fingerprint
    )


def test_internal_notes_are_not_sent_to_the_bank(chargeback, agent):
    from ombuds.conversations.services import add_internal_note

    add_internal_note(case=chargeback.case, author=agent, body="Seller is unreliable, sigh.")
    pack = preview_evidence(chargeback=chargeback)
    conversation = next(f for f in pack.files if f.field == "customer_communication")
    assert b"unreliable" not in conversation.content
    assert b"record player never came" in conversation.content


def test_evidence_is_submitted_to_stripe_once(chargeback, agent, stripe):
    pack = preview_evidence(chargeback=chargeback, statement="Signed for at the door.")
    submission = submit_evidence(
        chargeback=chargeback,
        by=agent,
        fingerprint=pack.fingerprint,
        statement="Signed for at the door.",
    )
    chargeback.refresh_from_db()
    assert chargeback.submission_status == SubmissionStatus.SENDING
    call = PspCall.objects.get()
    assert (call.kind, call.status) == ("submit_evidence", CallStatus.QUEUED)

    _files_then_dispute(stripe)
    assert send_due() == 1

    uploads, update = stripe.seen[:3], stripe.seen[3]
    for upload in uploads:
        stripe.check_sent_by_the_sdk(upload)
        assert upload.form["purpose"] == "dispute_evidence"
        assert upload.headers["Content-Type"].startswith("multipart/form-data")
        assert next(iter(upload.files.values())).startswith(b"%PDF")
    stripe.check_sent_by_the_sdk(update, idempotency_key=call.idempotency_key)
    assert update.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert update.form["submit"] == "true"
    assert update.form["evidence[receipt]"] == "file_0"
    assert update.form["evidence[customer_communication]"] == "file_1"
    assert update.form["evidence[refund_policy]"] == "file_2"
    assert update.form["evidence[shipping_tracking_number]"] == "3SABCD1234567"
    assert update.form["evidence[uncategorized_text]"] == pack.fields["uncategorized_text"]
    assert update.form["metadata[ombuds_submission]"] == str(submission.pk)
    sent = {k[9:-1] for k in update.form if k.startswith("evidence[")}
    assert sent == set(pack.fields) | {"receipt", "customer_communication", "refund_policy"}

    submission.refresh_from_db()
    chargeback.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert chargeback.submission_status == SubmissionStatus.SUBMITTED
    kinds = list(
        CaseEvent.objects.filter(case=chargeback.case, kind__startswith="chargeback.evidence")
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["chargeback.evidence_submitted", "chargeback.evidence_accepted"]

    with pytest.raises(ApplicationError) as second:
        submit_evidence(chargeback=chargeback, by=agent, fingerprint=pack.fingerprint)
    assert (second.value.status, second.value.code) == (409, "evidence_already_submitted")
    assert EvidenceSubmission.objects.count() == 1


def test_a_second_submission_is_refused_while_the_first_is_on_its_way(chargeback, agent):
    pack = preview_evidence(chargeback=chargeback)
    submit_evidence(chargeback=chargeback, by=agent, fingerprint=pack.fingerprint)
    with pytest.raises(ApplicationError) as second:
        submit_evidence(chargeback=chargeback, by=agent, fingerprint=pack.fingerprint)
    assert (second.value.status, second.value.code) == (409, "evidence_already_submitted")


def test_evidence_that_changed_since_the_preview_is_not_sent(chargeback, agent):
    pack = preview_evidence(chargeback=chargeback)
    reply_to_customer(case=chargeback.case, author=agent, body="We are looking into it.")
    with pytest.raises(ApplicationError) as changed:
        submit_evidence(chargeback=chargeback, by=agent, fingerprint=pack.fingerprint)
    assert (changed.value.status, changed.value.code) == (409, "evidence_changed")
    assert not EvidenceSubmission.objects.exists()


def test_a_refusal_by_stripe_is_shown_and_leaves_the_submission_to_be_made(
    chargeback, agent, stripe
):
    pack = preview_evidence(chargeback=chargeback)
    submit_evidence(chargeback=chargeback, by=agent, fingerprint=pack.fingerprint)
    _files_then_dispute(
        stripe,
        dispute_status=400,
        dispute_answer_body=doc.error(
            "invalid_request_error",
            "This dispute is already closed.",
            code="resource_missing",
        ),
    )
    send_due()
    chargeback.refresh_from_db()
    assert chargeback.submission_status == SubmissionStatus.REFUSED
    refused = CaseEvent.objects.get(case=chargeback.case, kind="chargeback.evidence_refused")
    assert "This dispute is already closed." in refused.data["error"]
    assert PspCall.objects.get().status == CallStatus.REFUSED
    # Nothing reached the bank: the single submission is still there to be made.
    again = preview_evidence(chargeback=chargeback)
    submit_evidence(chargeback=chargeback, by=agent, fingerprint=again.fingerprint)
    assert EvidenceSubmission.objects.filter(status=SubmissionStatus.SENDING).count() == 1


def test_a_stripe_outage_is_retried_with_the_same_key(chargeback, agent, stripe):
    pack = preview_evidence(chargeback=chargeback)
    submit_evidence(chargeback=chargeback, by=agent, fingerprint=pack.fingerprint)
    _files_then_dispute(
        stripe,
        dispute_status=500,
        dispute_answer_body=doc.error("api_error", "An unknown error occurred."),
    )
    send_due()
    call = PspCall.objects.get()
    assert (call.status, call.attempts, call.last_status_code) == (CallStatus.QUEUED, 1, 500)
    assert call.next_attempt_at > datetime.now(UTC)
    chargeback.refresh_from_db()
    assert chargeback.submission_status == SubmissionStatus.SENDING

    # The files were uploaded once; the retry sends only the dispute update again.
    PspCall.objects.filter(pk=call.pk).update(next_attempt_at=datetime.now(UTC))
    stripe.expect("POST", f"/v1/disputes/{doc.DISPUTE}", dispute_answer())
    send_due()
    keys = [s.headers["Idempotency-Key"] for s in stripe.seen if s.path.startswith("/v1/dis")]
    assert keys == [call.idempotency_key, call.idempotency_key]
    chargeback.refresh_from_db()
    assert chargeback.submission_status == SubmissionStatus.SUBMITTED


def test_no_evidence_after_the_deadline_or_once_closed(deliver, chargeback, agent):
    Chargeback.objects.filter(pk=chargeback.pk).update(
        evidence_due_by=datetime.now(UTC) - timedelta(minutes=1)
    )
    with pytest.raises(ApplicationError) as late:
        submit_evidence(chargeback=chargeback, by=agent, fingerprint="x")
    assert (late.value.status, late.value.code) == (409, "evidence_past_due")
    deliver(doc.event("charge.dispute.closed", doc.dispute(status="lost", due_by=DUE)))
    with pytest.raises(ApplicationError) as closed:
        submit_evidence(chargeback=chargeback, by=agent, fingerprint="x")
    assert closed.value.code == "evidence_not_awaited"


def test_evidence_submitted_in_stripes_dashboard_uses_up_the_submission(deliver, chargeback, agent):
    deliver(
        doc.event(
            "charge.dispute.updated",
            doc.dispute(status="under_review", due_by=DUE, submission_count=1),
        )
    )
    chargeback.refresh_from_db()
    assert chargeback.submission_status == SubmissionStatus.SUBMITTED
    assert CaseEvent.objects.filter(kind="chargeback.evidence_submitted_elsewhere").exists()


def test_a_read_only_member_cannot_submit(chargeback, workspace):
    viewer = builders.member(workspace, "viewer@resale.test", role="read_only")
    with pytest.raises(ApplicationError) as refused:
        submit_evidence(chargeback=chargeback, by=viewer, fingerprint="x")
    assert refused.value.status == 403
