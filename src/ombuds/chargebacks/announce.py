"""What the marketplace hears about chargebacks, through the signed webhook outbox.

Every change of a chargeback's state, each evidence submission, and every money
movement a chargeback or a provider's refund report causes is enqueued with
`core.webhooks.enqueue` in the transaction of the change (ADR 0017), so it is announced
exactly when it commits. Keys name the change, so a report processed twice announces
once; a money movement uses `money:<transaction id>`, the key any announcement of that
movement uses, so it is never announced twice however many listeners tell of it.
"""

from __future__ import annotations

from ombuds.core import webhooks

from .models import Chargeback

OPENED = "chargeback.opened"
UPDATED = "chargeback.updated"
CLOSED = "chargeback.closed"
EVIDENCE_SUBMITTED = "chargeback.evidence_submitted"
EVIDENCE_REFUSED = "chargeback.evidence_refused"


def chargeback_payload(chargeback: Chargeback, *, before: str | None = None) -> dict:
    return {
        "id": chargeback.pk,
        "provider": chargeback.provider,
        "provider_dispute_id": chargeback.provider_dispute_id,
        "charge": chargeback.charge_id,
        "order": chargeback.order.external_id,
        "payment": chargeback.payment.external_id,
        "case": chargeback.case.reference if chargeback.case_id else None,
        "amount": chargeback.amount,
        "currency": chargeback.currency,
        "reason": chargeback.reason,
        "state": chargeback.state,
        "previous_state": before,
        "evidence_due_by": chargeback.evidence_due_by,
        "evidence": chargeback.submission_status,
        "funds": chargeback.funds,
        "opened_at": chargeback.opened_at,
        "closed_at": chargeback.closed_at,
    }


def _subject(chargeback: Chargeback) -> str:
    return f"case:{chargeback.case_id}" if chargeback.case_id else f"chargeback:{chargeback.pk}"


def announce_chargeback(chargeback: Chargeback, event: str, *, before: str | None = None) -> None:
    """Tell the marketplace's endpoints of a chargeback change."""
    webhooks.enqueue(
        workspace=chargeback.workspace,
        event=event,
        payload=chargeback_payload(chargeback, before=before),
        idempotency_key=(
            f"chargeback:{chargeback.pk}:{event}:{chargeback.state}:"
            f"{chargeback.submission_status}:{chargeback.observed_event_id}"
        ),
        subject=_subject(chargeback),
    )


def announce_money(*, workspace, event: str, transaction_id: int, payload: dict, subject: str):
    """Tell the marketplace of a money movement (keyed by the movement itself)."""
    webhooks.enqueue(
        workspace=workspace,
        event=event,
        payload=payload,
        idempotency_key=f"money:{transaction_id}",
        subject=subject,
    )
