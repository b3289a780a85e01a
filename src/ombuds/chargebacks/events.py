"""The chargeback timeline of a case: one function per event, each with actor and time.

    chargeback.opened, chargeback.state_changed, chargeback.due_changed,
    chargeback.due_soon, chargeback.evidence_submitted, chargeback.evidence_accepted,
    chargeback.evidence_refused, chargeback.evidence_submitted_elsewhere,
    psp.refund_sent, psp.refund_refused, psp.refund_failed, psp.call_failed,
    psp.transfer_reversed, psp.transfer_reversal_refused

Recorded through `conversations.events.record`, so automations hear them too. What the
provider wrote (a reason, an error message) is stored as data and escaped wherever it is
shown (web/desk/chargeback_timeline.py).
"""

from __future__ import annotations

from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import CaseEvent

from .models import Chargeback, EvidenceSubmission, PspCall

KINDS = (
    "chargeback.opened",
    "chargeback.state_changed",
    "chargeback.due_changed",
    "chargeback.due_soon",
    "chargeback.evidence_submitted",
    "chargeback.evidence_accepted",
    "chargeback.evidence_refused",
    "chargeback.evidence_submitted_elsewhere",
    "psp.refund_sent",
    "psp.refund_refused",
    "psp.refund_failed",
    "psp.call_failed",
    "psp.transfer_reversed",
    "psp.transfer_reversal_refused",
)


def provider_actor(provider_label: str) -> Actor:
    return Actor.system(provider_label)


def _facts(chargeback: Chargeback) -> dict:
    return {
        "chargeback": chargeback.pk,
        "provider": chargeback.provider,
        "dispute": chargeback.provider_dispute_id,
        "amount": chargeback.amount,
        "currency": chargeback.currency,
        "reason": chargeback.reason,
        "due_by": chargeback.evidence_due_by.isoformat() if chargeback.evidence_due_by else None,
    }


def opened(chargeback: Chargeback, actor: Actor) -> CaseEvent | None:
    if chargeback.case_id is None:
        return None
    return events.record(
        chargeback.case, "chargeback.opened", actor, after=chargeback.state, data=_facts(chargeback)
    )


def state_changed(chargeback: Chargeback, actor: Actor, *, before: str) -> CaseEvent | None:
    if chargeback.case_id is None:
        return None
    return events.record(
        chargeback.case,
        "chargeback.state_changed",
        actor,
        before=before,
        after=chargeback.state,
        data=_facts(chargeback),
    )


def due_changed(chargeback: Chargeback, actor: Actor, *, before) -> CaseEvent | None:
    if chargeback.case_id is None:
        return None
    return events.record(
        chargeback.case,
        "chargeback.due_changed",
        actor,
        before=before.isoformat() if before else None,
        after=chargeback.evidence_due_by.isoformat() if chargeback.evidence_due_by else None,
        data=_facts(chargeback),
    )


def due_soon(chargeback: Chargeback) -> CaseEvent | None:
    if chargeback.case_id is None:
        return None
    return events.record(
        chargeback.case, "chargeback.due_soon", Actor.system("deadlines"), data=_facts(chargeback)
    )


def _files(submission: EvidenceSubmission) -> list[dict]:
    return [{"field": d.field, "name": d.name} for d in submission.documents.all()]


def evidence_submitted(chargeback: Chargeback, submission: EvidenceSubmission, actor: Actor):
    if chargeback.case_id is None:
        return None
    return events.record(
        chargeback.case,
        "chargeback.evidence_submitted",
        actor,
        data={
            **_facts(chargeback),
            "submission": submission.pk,
            "fields": sorted(submission.fields),
            "files": _files(submission),
        },
    )


def evidence_accepted(chargeback: Chargeback, submission: EvidenceSubmission, actor: Actor):
    if chargeback.case_id is None:
        return None
    return events.record(
        chargeback.case,
        "chargeback.evidence_accepted",
        actor,
        data={**_facts(chargeback), "submission": submission.pk},
    )


def evidence_refused(chargeback: Chargeback, submission: EvidenceSubmission, actor: Actor):
    if chargeback.case_id is None:
        return None
    return events.record(
        chargeback.case,
        "chargeback.evidence_refused",
        actor,
        data={**_facts(chargeback), "submission": submission.pk, "error": submission.refusal},
    )


def evidence_submitted_elsewhere(chargeback: Chargeback, actor: Actor):
    if chargeback.case_id is None:
        return None
    return events.record(
        chargeback.case, "chargeback.evidence_submitted_elsewhere", actor, data=_facts(chargeback)
    )


def _call_facts(call: PspCall) -> dict:
    params = call.params or {}
    return {
        "call": call.pk,
        "kind": call.kind,
        "amount": params.get("amount"),
        "currency": (params.get("currency") or "").upper() or None,
        "reference": call.provider_ref,
        "error_code": call.error_code,
        "error": call.last_error[:500],
        "transaction": call.ledger_transaction_id,
    }


def refund_sent(call: PspCall, actor: Actor) -> CaseEvent | None:
    if call.case_id is None:
        return None
    return events.record(call.case, "psp.refund_sent", actor, data=_call_facts(call))


def refund_refused(call: PspCall, actor: Actor) -> CaseEvent | None:
    if call.case_id is None:
        return None
    return events.record(call.case, "psp.refund_refused", actor, data=_call_facts(call))


def refund_failed(case, actor: Actor, *, refund_id: str, amount: int, currency: str, reason: str):
    if case is None:
        return None
    return events.record(
        case,
        "psp.refund_failed",
        actor,
        data={"reference": refund_id, "amount": amount, "currency": currency, "error": reason},
    )


def transfer_reversed(call: PspCall, actor: Actor) -> CaseEvent | None:
    if call.case_id is None:
        return None
    return events.record(call.case, "psp.transfer_reversed", actor, data=_call_facts(call))


def transfer_reversal_refused(call: PspCall, actor: Actor) -> CaseEvent | None:
    if call.case_id is None:
        return None
    return events.record(call.case, "psp.transfer_reversal_refused", actor, data=_call_facts(call))


def call_failed(call: PspCall, actor: Actor) -> CaseEvent | None:
    if call.case_id is None:
        return None
    return events.record(call.case, "psp.call_failed", actor, data=_call_facts(call))
