"""What the case page shows of a case's chargebacks: the provider's state, the deadline,
the evidence checklist and whether the single submission is still to be made."""

from __future__ import annotations

from ombuds.chargebacks.evidence import FILE_FIELDS, TEXT_FIELDS
from ombuds.chargebacks.models import EvidenceSubmission
from ombuds.chargebacks.selectors import calls_of_case, chargebacks_of_case
from ombuds.chargebacks.services.evidence import preview_evidence, submission_refusal
from ombuds.chargebacks.states import reason_label
from ombuds.core.errors import ApplicationError

from .chargeback_refusals import chargeback_refusal_message


def _submitted_checklist(submission: EvidenceSubmission) -> list[tuple[str, str, bool]]:
    files = {d.field for d in submission.documents.all()}
    return [(k, str(v), k in submission.fields) for k, v in TEXT_FIELDS.items()] + [
        (k, str(v), k in files) for k, v in FILE_FIELDS.items()
    ]


def chargeback_panel(case) -> dict:
    """The chargeback panel's context; nothing (and no query past the first) for a case
    without chargebacks."""
    chargebacks = chargebacks_of_case(case)
    if not chargebacks:
        return {"chargebacks": []}
    latest = {
        s.chargeback_id: s
        for s in EvidenceSubmission.objects.filter(chargeback__in=chargebacks)
        .prefetch_related("documents")
        .order_by("created_at", "pk")
    }
    rows = []
    for chargeback in chargebacks:
        refusal = submission_refusal(chargeback)
        submission = latest.get(chargeback.pk)
        checklist, error = [], ""
        if refusal is None:
            try:
                checklist = preview_evidence(chargeback=chargeback).checklist()
            except ApplicationError as refused:
                error = chargeback_refusal_message(refused)
        elif submission is not None:
            checklist = _submitted_checklist(submission)
        rows.append(
            {
                "chargeback": chargeback,
                "reason": reason_label(chargeback.provider, chargeback.reason),
                "refusal": chargeback_refusal_message(refusal) if refusal else "",
                "can_prepare": refusal is None,
                "submission": submission,
                "checklist": checklist,
                "error": error,
            }
        )
    return {"chargebacks": rows, "psp_calls": calls_of_case(case)}
