"""The money timeline of a case: one function per event, each with actor and time.

    money.refunded, money.credited, money.seller_debited, money.rebooking_paid,
    money.reversed, money.refund_paid_out, approval.requested, approval.decided

Recorded through `conversations.events.record`, so apps that listen to the timeline
(automations escalate on approval.requested) hear them in the same transaction.
"""

from __future__ import annotations

from ombuds.conversations import events
from ombuds.conversations.models import CaseEvent

from .authority import MoneyActor
from .models import ApprovalRequest, Transaction, TransactionKind

MOVED = {
    TransactionKind.REFUND: "money.refunded",
    TransactionKind.CREDIT: "money.credited",
    TransactionKind.SELLER_DEBIT: "money.seller_debited",
    TransactionKind.REBOOKING: "money.rebooking_paid",
    TransactionKind.REVERSAL: "money.reversed",
    TransactionKind.REFUND_SETTLEMENT: "money.refund_paid_out",
    TransactionKind.CHARGEBACK: "money.charged_back",
    TransactionKind.CHARGEBACK_REVERSAL: "money.chargeback_reinstated",
}
APPROVAL_REQUESTED = "approval.requested"
APPROVAL_DECIDED = "approval.decided"


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


def money_moved(
    tx: Transaction, *, by: MoneyActor, approval: ApprovalRequest | None = None
) -> CaseEvent | None:
    """The movement on its case's timeline (nothing when it concerns no case)."""
    if tx.case_id is None:
        return None
    return events.record(
        tx.case,
        MOVED[tx.kind],
        by.on_case(),
        data={
            "transaction": tx.pk,
            "kind": tx.kind,
            "amount": tx.amount,
            "currency": tx.currency,
            "bearer": tx.bearer,
            "reason": tx.reason,
            "outcome": tx.outcome,
            "fault_rule": tx.fault_rule,
            "policy_version": tx.policy_version.number if tx.policy_version_id else None,
            "reverses": tx.reverses_id,
            "approval": approval.pk if approval else None,
            "requested_by": _person(tx.actor_user),
            "memo": tx.memo,
        },
        at=tx.created_at,
    )


def approval_requested(approval: ApprovalRequest, *, by: MoneyActor) -> CaseEvent | None:
    if approval.case_id is None:
        return None
    return events.record(
        approval.case,
        APPROVAL_REQUESTED,
        by.on_case(),
        after=approval.status,
        data={
            "approval": approval.pk,
            "kind": approval.kind,
            "amount": approval.amount,
            "currency": approval.currency,
            "routed_to": approval.routed_to,
            "hold_reason": approval.hold_reason,
            "limit": approval.requester_limit,
            "budget": approval.budget,
            "justification": approval.justification,
        },
        at=approval.created_at,
    )


def approval_decided(approval: ApprovalRequest, *, by: MoneyActor) -> CaseEvent | None:
    if approval.case_id is None:
        return None
    return events.record(
        approval.case,
        APPROVAL_DECIDED,
        by.on_case(),
        before="pending",
        after=approval.status,
        data={
            "approval": approval.pk,
            "kind": approval.kind,
            "amount": approval.amount,
            "currency": approval.currency,
            "note": approval.decision_note,
            "requested_by": _person(approval.requested_by),
        },
        at=approval.decided_at,
    )
