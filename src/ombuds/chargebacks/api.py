"""Chargebacks for integrations: list and read them, preview the evidence the desk would
send to Stripe, and submit it once (with the preview's fingerprint)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from ombuds.accounts.api_auth import can_read_cases, can_write_cases

from .selectors import VIEWS, chargeback_of, chargebacks_of
from .services.evidence import preview_evidence, submit_evidence
from .states import reason_label

router = Router(tags=["chargebacks"])


class ChargebackOut(Schema):
    id: int
    provider: str
    provider_dispute_id: str
    charge: str
    order: str
    payment: str
    case: str | None
    amount: int = Field(description="Minor units")
    currency: str
    reason: str
    reason_label: str
    state: str
    evidence_due_by: datetime | None
    evidence: str = Field(description="none, sending, submitted or refused")
    funds: str
    opened_at: datetime
    closed_at: datetime | None


class EvidenceChoices(Schema):
    statement: str = Field("", max_length=20000, description="Sent first in uncategorized_text")
    files: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Evidence file field → a file of the case (`attachment:<id>`) or of the order's "
            "dispute (`dispute-evidence:<id>`); PDF, JPEG or PNG"
        ),
    )


class EvidenceFileOut(Schema):
    field: str
    name: str
    content_type: str
    size: int
    sha256: str


class EvidencePreviewOut(Schema):
    fields: dict[str, str]
    files: list[EvidenceFileOut]
    fingerprint: str
    text_chars: int


class EvidenceSubmit(EvidenceChoices):
    fingerprint: str = Field(max_length=64, description="The preview's fingerprint")


class SubmissionOut(Schema):
    id: int
    status: str
    fingerprint: str
    fields: list[str]


def _out(chargeback) -> ChargebackOut:
    return ChargebackOut(
        id=chargeback.pk,
        provider=chargeback.provider,
        provider_dispute_id=chargeback.provider_dispute_id,
        charge=chargeback.charge_id,
        order=chargeback.order.external_id,
        payment=chargeback.payment.external_id,
        case=chargeback.case.reference if chargeback.case_id else None,
        amount=chargeback.amount,
        currency=chargeback.currency,
        reason=chargeback.reason,
        reason_label=reason_label(chargeback.provider, chargeback.reason),
        state=chargeback.state,
        evidence_due_by=chargeback.evidence_due_by,
        evidence=chargeback.submission_status,
        funds=chargeback.funds,
        opened_at=chargeback.opened_at,
        closed_at=chargeback.closed_at,
    )


@router.get("/chargebacks", response=list[ChargebackOut], auth=can_read_cases)
def list_chargebacks(request: HttpRequest, view: str = "open", offset: int = 0):
    """Open chargebacks soonest deadline first, closed ones newest first, or all (100 a
    page, `offset` for the next)."""
    if view not in VIEWS:
        view = "open"
    found = chargebacks_of(workspace=request.auth.workspace, view=view, offset=max(0, offset))
    return [_out(c) for c in found]


@router.get("/chargebacks/{chargeback_id}", response=ChargebackOut, auth=can_read_cases)
def get_chargeback(request: HttpRequest, chargeback_id: int):
    return _out(chargeback_of(workspace=request.auth.workspace, pk=chargeback_id))


def _preview_out(pack) -> EvidencePreviewOut:
    return EvidencePreviewOut(
        fields=pack.fields,
        files=[
            EvidenceFileOut(**{k: v for k, v in f.describe().items() if k != "source"})
            for f in pack.files
        ],
        fingerprint=pack.fingerprint,
        text_chars=pack.text_chars,
    )


@router.post(
    "/chargebacks/{chargeback_id}/evidence/preview",
    response=EvidencePreviewOut,
    auth=can_read_cases,
)
def preview_chargeback_evidence(request: HttpRequest, chargeback_id: int, payload: EvidenceChoices):
    """Exactly what would be sent to Stripe for these choices (nothing is written)."""
    chargeback = chargeback_of(workspace=request.auth.workspace, pk=chargeback_id)
    pack = preview_evidence(
        chargeback=chargeback, statement=payload.statement, chosen_files=payload.files
    )
    return _preview_out(pack)


@router.post(
    "/chargebacks/{chargeback_id}/evidence",
    response={202: SubmissionOut},
    auth=can_write_cases,
)
def submit_chargeback_evidence(request: HttpRequest, chargeback_id: int, payload: EvidenceSubmit):
    """Send the previewed evidence to Stripe, once: 202 while it is on its way, 409 when
    the single submission was made, the dispute takes no evidence, or the evidence
    changed since the preview."""
    chargeback = chargeback_of(workspace=request.auth.workspace, pk=chargeback_id)
    submission = submit_evidence(
        chargeback=chargeback,
        by=request.auth.user,
        fingerprint=payload.fingerprint,
        statement=payload.statement,
        chosen_files=payload.files,
    )
    return 202, SubmissionOut(
        id=submission.pk,
        status=submission.status,
        fingerprint=submission.fingerprint,
        fields=sorted(submission.fields),
    )
