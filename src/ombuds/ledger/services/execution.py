"""The course every money action takes, shared by the public actions (actions.py) and
the approvals that carry one out later (approvals.py). See actions.py for the steps."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction
from django.utils import timezone

from ombuds.core.errors import ApplicationError, Conflict
from ombuds.core.models import Workspace
from ombuds.marketplace.models import Order, Party, Payment
from ombuds.policies.document import Policy
from ombuds.policies.fault import FaultAttribution, attribute_fault
from ombuds.policies.models import ActionKind
from ombuds.policies.selectors import policy_by_version_id
from ombuds.policies.services import policy_in_force

from .. import events
from ..announcements import announce
from ..authority import AuthorityCheck, MoneyActor, check_authority
from ..legs import action_legs, reversal_legs
from ..models import (
    ActionStatus,
    ApprovalRequest,
    MoneyAction,
    Outcome,
    RefundAllocation,
    Transaction,
    TransactionKind,
)
from ..postings import post
from ..requests import (
    ActionRequest,
    check_key,
    check_owned,
    check_request,
    check_reversible,
    tidy,
)
from ..room import allocate, rooms
from ..tallies import count_cost
from .payments import lock_order, sync_captures

_TX_KIND = {
    ActionKind.REFUND: TransactionKind.REFUND,
    ActionKind.CREDIT: TransactionKind.CREDIT,
    ActionKind.SELLER_DEBIT: TransactionKind.SELLER_DEBIT,
    ActionKind.REBOOKING: TransactionKind.REBOOKING,
    ActionKind.REVERSAL: TransactionKind.REVERSAL,
}
# What counts toward the cost of resolutions; a reversal counts minus its original's.
_COSTS = (ActionKind.REFUND, ActionKind.CREDIT, ActionKind.REBOOKING)
_DEFAULT_OUTCOME = {
    ActionKind.CREDIT: Outcome.COMPENSATION,
    ActionKind.SELLER_DEBIT: Outcome.COST_RECOVERY,
    ActionKind.REBOOKING: Outcome.REBOOKING,
}


@dataclass(frozen=True)
class MoneyResult:
    """What became of a money action: executed (with its transaction), waiting for
    approval, or rejected. `replayed` when the key had been seen before."""

    action: MoneyAction
    transaction: Transaction | None = None
    approval: ApprovalRequest | None = None
    replayed: bool = False

    @property
    def status(self) -> str:
        return self.action.status


def _lock(req: ActionRequest) -> tuple[ActionRequest, list[Payment]]:
    """Take the locks the action needs and read its order again under them."""
    if req.order is not None:
        order, payments = lock_order(req.order)
        return replace(req, order=order), payments
    Party.objects.select_for_update().filter(pk=req.buyer_id).first()
    return req, []


def _replay(action: MoneyAction, req: ActionRequest) -> MoneyResult:
    if action.fingerprint != req.fingerprint():
        raise Conflict(
            "idempotency_key_reused",
            "This idempotency key was already used for a different money action.",
            details={"kind": action.kind, "amount": action.amount, "currency": action.currency},
        )
    approval = ApprovalRequest.objects.filter(action=action).first()
    return MoneyResult(action, action.transaction, approval, replayed=True)


def _attribution(
    policy: Policy, req: ActionRequest, locked_order: Order | None
) -> FaultAttribution | None:
    if req.cause is None:
        return None
    found = attribute_fault(policy=policy, cause=req.cause, order=locked_order)
    if found.ledger_bearer is None:
        raise ApplicationError(
            "buyer_bears_cost",
            "Under the fault rules the buyer bears this; nothing is owed to them.",
            details={"rule": found.rule, "policy_version": found.policy_number},
            status=422,
        )
    if req.bearer and req.bearer != found.ledger_bearer:
        raise ApplicationError(
            "bearer_contradicts_policy",
            f"The fault rule {found.rule} says the {found.ledger_bearer} bears this.",
            details={"rule": found.rule, "bearer": found.ledger_bearer},
            status=422,
        )
    return found


def _refund_room(req: ActionRequest, payments: list[Payment]) -> list:
    payment_rooms = rooms(payments)
    available = sum(r.room for r in payment_rooms)
    if req.amount.amount > available:
        raise ApplicationError(
            "refund_exceeds_capture",
            "A refund cannot exceed what was captured minus what was already refunded.",
            details={
                "refundable": available,
                "requested": req.amount.amount,
                "currency": req.amount.currency,
            },
            status=409,
        )
    return payment_rooms


def _claim(workspace: Workspace, key: str, req: ActionRequest, actor, policy, status):
    try:
        with transaction.atomic():
            return MoneyAction.objects.create(
                workspace=workspace,
                key=key,
                fingerprint=req.fingerprint(),
                kind=req.kind,
                params=req.params(),
                amount=req.amount.amount,
                currency=req.amount.currency,
                order=req.order,
                case=req.case,
                requested_by=actor.user,
                actor_label=str(actor)[:100],
                status=status,
                policy_version_id=policy.version_id,
                created_at=timezone.now(),
            )
    except IntegrityError:
        return None


@transaction.atomic
def submit(workspace: Workspace, actor: MoneyActor, key: str, req: ActionRequest) -> MoneyResult:
    """Carry out a money action, or hold it for approval, under its idempotency key."""
    key = check_key(key)
    req = tidy(req)
    check_owned(workspace, req)
    req, payments = _lock(req)
    existing = MoneyAction.objects.filter(workspace=workspace, key=key).first()
    if existing is not None:
        return _replay(existing, req)
    req = check_request(workspace, req)
    policy = policy_in_force(workspace=workspace)
    attribution = _attribution(policy, req, req.order)
    payment_rooms = []
    if req.kind == ActionKind.REFUND:
        sync_captures(req.order, payments, workspace)
        payment_rooms = _refund_room(req, payments)
    check = check_authority(
        policy=policy, actor=actor, kind=req.kind, amount=req.amount, order=req.order
    )
    status = ActionStatus.EXECUTED if check.allowed else ActionStatus.AWAITING_APPROVAL
    action = _claim(workspace, key, req, actor, policy, status)
    if action is None:
        # The same key arrived through another lock (another order) a moment ago.
        return _replay(MoneyAction.objects.get(workspace=workspace, key=key), req)
    if not check.allowed:
        return MoneyResult(action, approval=_hold(action, req, actor, check))
    tx = execute(
        workspace,
        action,
        req,
        policy,
        attribution,
        payments,
        requester=actor,
        by=actor,
        payment_rooms=payment_rooms,
    )
    return MoneyResult(action, tx)


def _hold(
    action: MoneyAction, req: ActionRequest, actor: MoneyActor, check: AuthorityCheck
) -> ApprovalRequest:
    approval = ApprovalRequest.objects.create(
        workspace_id=action.workspace_id,
        action=action,
        kind=req.kind,
        amount=req.amount.amount,
        currency=req.amount.currency,
        case=req.case,
        order=req.order,
        requested_by=actor.user,
        justification=req.note,
        hold_reason=check.hold_reason,
        requester_limit=check.limit,
        budget=check.budget.amount if check.budget is not None else None,
        routed_to=check.routed_to,
        created_at=action.created_at,
    )
    events.approval_requested(approval, by=actor)
    return approval


def execute(
    workspace: Workspace,
    action: MoneyAction,
    req: ActionRequest,
    policy: Policy,
    attribution: FaultAttribution | None,
    payments: list[Payment],
    *,
    requester: MoneyActor,
    by: MoneyActor,
    approval: ApprovalRequest | None = None,
    payment_rooms: list | None = None,
) -> Transaction:
    """Write the action's transaction. The caller holds the locks `_lock` takes and has
    checked authority (or an approval stands in for it); `payment_rooms` is the refund
    room it read under those locks, read again here when not given."""
    order = req.order
    bearer = req.bearer or (attribution.ledger_bearer if attribution else "")
    if req.kind == ActionKind.REFUND and not payment_rooms:
        payment_rooms = _refund_room(req, payments)
    if req.kind == ActionKind.REVERSAL:
        original = req.reverses
        check_reversible(workspace, original)
        if RefundAllocation.objects.filter(refund=original, settled_at__isnull=False).exists():
            raise Conflict(
                "refund_paid_out",
                "This refund was already paid out; it cannot be reversed. Debit the seller "
                "or credit the buyer instead.",
            )
        legs, cost, bearer = reversal_legs(original), -original.cost, original.bearer
    else:
        original = None
        legs = action_legs(
            kind=req.kind, amount=req.amount, bearer=bearer, order=order, buyer_id=req.buyer_id
        )
        cost = req.amount.amount if req.kind in _COSTS else 0
    outcome = req.outcome or _DEFAULT_OUTCOME.get(req.kind, "")
    if req.kind == ActionKind.REFUND and not outcome:
        full = req.amount.amount >= order.total
        outcome = Outcome.FULL_REFUND if full else Outcome.PARTIAL_REFUND
    tx = post(
        workspace=workspace,
        kind=_TX_KIND[req.kind],
        key=action.key,
        legs=legs,
        actor=requester,
        amount=req.amount.amount,
        currency=req.amount.currency,
        cost=cost,
        order=order,
        case=req.case,
        seller_id=order.seller_id if order is not None else None,
        buyer_id=req.buyer_id,
        reason=req.reason,
        outcome=outcome,
        bearer=bearer,
        policy_version_id=policy.version_id,
        fault_rule=attribution.rule if attribution else "",
        memo=req.note,
        reverses=original,
    )
    if payment_rooms:
        RefundAllocation.objects.bulk_create(
            RefundAllocation(workspace=workspace, refund=tx, payment=payment, amount=part)
            for payment, part in allocate(req.amount.amount, payment_rooms)
        )
    if original is not None and original.kind == TransactionKind.REFUND:
        RefundAllocation.objects.filter(refund=original).update(released=True)
    count_cost(tx, workspace=workspace)
    action.transaction, action.status = tx, ActionStatus.EXECUTED
    action.save(update_fields=["transaction", "status"])
    events.money_moved(tx, by=by, approval=approval)
    announce(tx)
    return tx


def execute_approved(
    workspace: Workspace, approval: ApprovalRequest, req: ActionRequest, *, by: MoneyActor
) -> Transaction:
    """Carry out an approved action with its original key, under the policy version it
    was asked under, with the locks taken again and the refund room checked again."""
    check_owned(workspace, req)
    req, payments = _lock(req)
    req = check_request(workspace, req)
    action = approval.action
    policy = policy_by_version_id(workspace=workspace, version_id=action.policy_version_id)
    attribution = _attribution(policy, req, req.order)
    if req.kind == ActionKind.REFUND:
        sync_captures(req.order, payments, workspace)
    requester = MoneyActor(user=approval.requested_by, label=action.actor_label)
    return execute(
        workspace,
        action,
        req,
        policy,
        attribution,
        payments,
        requester=requester,
        by=by,
        approval=approval,
    )
