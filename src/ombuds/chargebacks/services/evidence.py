"""Answering a chargeback: the evidence is previewed, then submitted once.

Stripe takes one evidence submission per dispute (`evidence_details.submission_count`),
so the desk enforces one too: while a submission is being sent or after it was accepted
(here, or in Stripe's dashboard as its reports show), another is refused with 409. A
submission Stripe refused does not use it up. What is sent is what was previewed: the
confirm carries the preview's fingerprint, and a change in between (a new message on
the case, another file) asks for a new look instead of sending something unseen.

The call to Stripe leaves through the outbox after commit (outbox.py); the agent's
request never waits on Stripe.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.accounts.roles import WRITE_CASES, role_allows
from ombuds.accounts.selectors import membership_for
from ombuds.conversations.events import Actor
from ombuds.core.errors import ApplicationError, Conflict, PermissionDenied

from .. import announce, events
from ..evidence import EvidencePack, build_evidence
from ..models import (
    CallKind,
    Chargeback,
    EvidenceDocument,
    EvidenceSubmission,
    SubmissionStatus,
)
from ..outbox import enqueue_call
from ..states import AWAITING_EVIDENCE
from .freezing import lock_dispute_evidence
from .policy import refund_policy_for


def check_can_answer(chargeback: Chargeback, user: User) -> None:
    membership = membership_for(user=user, workspace=chargeback.workspace)
    if membership is None or not role_allows(membership.role, WRITE_CASES):
        raise PermissionDenied("Your role cannot answer chargebacks.")


def submission_refusal(chargeback: Chargeback, *, now=None) -> ApplicationError | None:
    """Why evidence cannot be submitted now, or None when it can."""
    now = now or timezone.now()
    if not chargeback.connection.is_stripe:
        return Conflict(
            "evidence_at_provider",
            "This provider takes evidence in its own dashboard, not from the desk.",
        )
    if (
        chargeback.submission_status in (SubmissionStatus.SENDING, SubmissionStatus.SUBMITTED)
        or chargeback.provider_submission_count > 0
    ):
        when = chargeback.evidence_submitted_at
        return Conflict(
            "evidence_already_submitted",
            "Stripe accepts a single evidence submission per dispute, and this one has "
            "been submitted" + (f" on {when:%Y-%m-%d %H:%M} UTC." if when else "."),
            details={"submitted_at": when.isoformat() if when else None},
        )
    if chargeback.state not in AWAITING_EVIDENCE:
        return Conflict(
            "evidence_not_awaited",
            f"Stripe takes evidence only while a dispute needs a response; this one is "
            f"{chargeback.state}.",
            details={"state": chargeback.state},
        )
    if chargeback.evidence_due_by is not None and now > chargeback.evidence_due_by:
        return Conflict(
            "evidence_past_due",
            "The deadline for evidence has passed.",
            details={"due_by": chargeback.evidence_due_by.isoformat()},
        )
    return None


def preview_evidence(
    *, chargeback: Chargeback, statement: str = "", chosen_files: dict[str, str] | None = None
) -> EvidencePack:
    """What would be sent to Stripe now (nothing is written)."""
    return build_evidence(
        chargeback=chargeback,
        statement=statement,
        chosen_files=chosen_files,
        refund_policy=refund_policy_for(chargeback),
    )


@transaction.atomic
def submit_evidence(
    *,
    chargeback: Chargeback,
    by: User,
    fingerprint: str,
    statement: str = "",
    chosen_files: dict[str, str] | None = None,
) -> EvidenceSubmission:
    """Send the previewed evidence to Stripe, once; Stripe has it after the outbox call."""
    check_can_answer(chargeback, by)
    chargeback = (
        Chargeback.objects.select_for_update()
        .select_related("connection", "order", "order__buyer", "payment", "workspace")
        .get(pk=chargeback.pk)
    )
    refusal = submission_refusal(chargeback)
    if refusal is not None:
        raise refusal
    pack = preview_evidence(chargeback=chargeback, statement=statement, chosen_files=chosen_files)
    if fingerprint != pack.fingerprint:
        raise Conflict(
            "evidence_changed",
            "The evidence changed since it was previewed; look at it again before sending.",
            details={"fingerprint": pack.fingerprint},
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            submission = EvidenceSubmission.objects.create(
                workspace_id=chargeback.workspace_id,
                chargeback=chargeback,
                status=SubmissionStatus.SENDING,
                fields=pack.fields,
                fingerprint=pack.fingerprint,
                submitted_by=by,
                created_at=now,
            )
    except IntegrityError:
        raise Conflict(
            "evidence_already_submitted",
            "Stripe accepts a single evidence submission per dispute; one is on its way.",
        ) from None
    EvidenceDocument.objects.bulk_create(
        EvidenceDocument(
            workspace_id=chargeback.workspace_id,
            submission=submission,
            field=f.field,
            name=f.name,
            source=f.source,
            content_type=f.content_type,
            content=f.content,
            size=f.size,
            sha256=f.sha256,
        )
        for f in pack.files
    )
    chargeback.submission_status = SubmissionStatus.SENDING
    chargeback.evidence_submitted_at = now
    chargeback.save(update_fields=["submission_status", "evidence_submitted_at", "updated_at"])
    enqueue_call(
        connection=chargeback.connection,
        kind=CallKind.SUBMIT_EVIDENCE,
        idempotency_key=f"ombuds-evidence-{chargeback.pk}-{submission.pk}",
        params={
            "dispute": chargeback.provider_dispute_id,
            "evidence": sorted(pack.fields),
            "files": [f.field for f in pack.files],
            "submit": True,
        },
        chargeback=chargeback,
        submission=submission,
        case_id=chargeback.case_id,
        payment=chargeback.payment,
    )
    lock_dispute_evidence(chargeback)
    events.evidence_submitted(chargeback, submission, Actor(user=by))
    announce.announce_chargeback(chargeback, announce.EVIDENCE_SUBMITTED)
    return submission
