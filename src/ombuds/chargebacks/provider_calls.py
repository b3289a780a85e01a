"""What each kind of provider call sends, and what its outcome changes here.

`perform` runs outside any transaction (the outbox leased the row and committed);
`succeeded`, `refused` and `gave_up` run inside the transaction that records the
outcome, so the call's row and its consequences (a submission accepted, a refund
released in the ledger, an event on the case) commit together.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ombuds.core.errors import ApplicationError

from . import announce, events
from .models import (
    CallKind,
    Chargeback,
    EvidenceDocument,
    EvidenceSubmission,
    PspCall,
    SubmissionStatus,
)
from .stripe import client as stripe_api


def _actor(call: PspCall):
    return events.provider_actor("Stripe" if call.connection.is_stripe else call.connection.name)


# --- evidence ------------------------------------------------------------------------------


def _submit_evidence(call: PspCall) -> tuple[str, dict]:
    submission = call.submission
    evidence = dict(submission.fields)
    for document in EvidenceDocument.objects.filter(submission=submission):
        if not document.provider_file_id:
            file_id = stripe_api.upload_evidence_file(
                call.connection,
                name=document.name,
                content=bytes(document.content),
                idempotency_key=f"{call.idempotency_key}-{document.field}",
            )
            # Kept at once: a retry of the submission need not upload it again.
            with transaction.atomic():
                EvidenceDocument.objects.filter(pk=document.pk).update(provider_file_id=file_id)
            document.provider_file_id = file_id
        evidence[document.field] = document.provider_file_id
    dispute = stripe_api.submit_dispute_evidence(
        call.connection,
        dispute_id=call.params["dispute"],
        evidence=evidence,
        metadata={"ombuds_submission": str(submission.pk)},
        idempotency_key=call.idempotency_key,
    )
    return dispute.get("id", ""), {
        "status": dispute.get("status"),
        "evidence_details": dispute.get("evidence_details"),
    }


def _locked(call: PspCall) -> tuple[Chargeback, EvidenceSubmission]:
    chargeback = Chargeback.objects.select_for_update().get(pk=call.chargeback_id)
    submission = EvidenceSubmission.objects.select_for_update().get(pk=call.submission_id)
    return chargeback, submission


def _evidence_accepted(call: PspCall) -> None:
    chargeback, submission = _locked(call)
    submission.status = SubmissionStatus.SUBMITTED
    submission.accepted_at = timezone.now()
    submission.save(update_fields=["status", "accepted_at"])
    chargeback.submission_status = SubmissionStatus.SUBMITTED
    chargeback.save(update_fields=["submission_status", "updated_at"])
    events.evidence_accepted(chargeback, submission, _actor(call))


def _evidence_refused(call: PspCall) -> None:
    """Stripe did not take it (or could not be reached): nothing was submitted, so the
    single submission is still to be made."""
    chargeback, submission = _locked(call)
    submission.status = SubmissionStatus.REFUSED
    submission.refusal = f"{call.error_code}: {call.last_error}"[:2000]
    submission.save(update_fields=["status", "refusal"])
    if chargeback.submission_status == SubmissionStatus.SENDING:
        chargeback.submission_status = SubmissionStatus.REFUSED
        chargeback.save(update_fields=["submission_status", "updated_at"])
    events.evidence_refused(chargeback, submission, _actor(call))
    announce.announce_chargeback(chargeback, announce.EVIDENCE_REFUSED)


# --- refunds and transfer reversals -------------------------------------------------------


def _refund(call: PspCall) -> tuple[str, dict]:
    refund = stripe_api.create_refund(
        call.connection, params=call.params, idempotency_key=call.idempotency_key
    )
    return refund.get("id", ""), {
        "id": refund.get("id"),
        "status": refund.get("status"),
        "amount": refund.get("amount"),
        "transfer_reversal": refund.get("transfer_reversal"),
    }


def _transfer_reversal(call: PspCall) -> tuple[str, dict]:
    params = dict(call.params)
    transfer = params.pop("transfer", "")
    charge = params.pop("charge", "")
    params.pop("currency", None)
    if not transfer and charge:
        transfer = stripe_api.transfer_of_charge(call.connection, charge_id=charge)
    if not transfer:
        raise ApplicationError(
            "no_transfer",
            "The charge made no transfer to the seller, so there is none to reverse.",
        )
    reversal = stripe_api.reverse_transfer(
        call.connection,
        transfer_id=transfer,
        params=params,
        idempotency_key=call.idempotency_key,
    )
    return reversal.get("id", ""), {"id": reversal.get("id"), "transfer": transfer}


def _refund_sent(call: PspCall) -> None:
    from .services.refunds import refund_call_succeeded

    refund_call_succeeded(call)


def _refund_refused(call: PspCall) -> None:
    from .services.refunds import refund_call_refused

    refund_call_refused(call)


def _reversed(call: PspCall) -> None:
    events.transfer_reversed(call, _actor(call))


def _reversal_refused(call: PspCall) -> None:
    events.transfer_reversal_refused(call, _actor(call))


# --- dispatch ------------------------------------------------------------------------------

_PERFORM = {
    CallKind.SUBMIT_EVIDENCE: _submit_evidence,
    CallKind.REFUND: _refund,
    CallKind.TRANSFER_REVERSAL: _transfer_reversal,
}
_SUCCEEDED = {
    CallKind.SUBMIT_EVIDENCE: _evidence_accepted,
    CallKind.REFUND: _refund_sent,
    CallKind.TRANSFER_REVERSAL: _reversed,
}
_REFUSED = {
    CallKind.SUBMIT_EVIDENCE: _evidence_refused,
    CallKind.REFUND: _refund_refused,
    CallKind.TRANSFER_REVERSAL: _reversal_refused,
}
_GAVE_UP = {CallKind.SUBMIT_EVIDENCE: _evidence_refused}


def perform(call: PspCall) -> tuple[str, dict]:
    return _PERFORM[call.kind](call)


def succeeded(call: PspCall) -> None:
    _SUCCEEDED[call.kind](call)


def refused(call: PspCall) -> None:
    _REFUSED[call.kind](call)


def gave_up(call: PspCall) -> None:
    handler = _GAVE_UP.get(call.kind)
    if handler is not None:
        handler(call)
    else:
        events.call_failed(call, _actor(call))
