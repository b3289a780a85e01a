"""Deciding approval requests: approve (the action executes with its original key) or
reject (nothing moves). Either way once, by someone allowed who is not the requester,
with the decision on the case's timeline."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ombuds.core.errors import ApplicationError, Conflict, NotFound
from ombuds.core.models import Workspace
from ombuds.core.money import Money
from ombuds.policies.services import policy_in_force

from .. import events
from ..authority import MoneyActor, check_may_decide
from ..models import ActionStatus, ApprovalRequest, ApprovalStatus
from ..requests import request_from_params
from .execution import MoneyResult, execute_approved

MAX_DECISION_NOTE = 2000


@transaction.atomic
def decide_approval(
    *,
    workspace: Workspace,
    approval: ApprovalRequest,
    actor: MoneyActor,
    approve: bool,
    note: str = "",
) -> MoneyResult:
    """Approve or reject a waiting money action. Approving executes it now, under the
    policy version it was asked under; if it can no longer be carried out (the order
    was refunded meanwhile) nothing changes and the approval stays pending."""
    if approval.workspace_id != workspace.pk:
        raise NotFound("approval", approval.pk)
    approval = (
        ApprovalRequest.objects.select_for_update(of=("self",))
        .select_related("action", "requested_by")
        .get(pk=approval.pk)
    )
    if approval.status != ApprovalStatus.PENDING:
        raise Conflict(
            "approval_decided",
            f"This request was already {approval.status}.",
            details={"status": approval.status},
        )
    # The decider's limit is read from the policy in force now: a limit lowered since
    # the request was made applies to whoever decides today.
    check_may_decide(
        policy=policy_in_force(workspace=workspace),
        actor=actor,
        kind=approval.kind,
        amount=Money(approval.amount, approval.currency),
        requested_by_id=approval.requested_by_id,
    )
    note = (note or "").strip()
    if len(note) > MAX_DECISION_NOTE:
        raise ApplicationError(
            "note_too_long", f"A note holds at most {MAX_DECISION_NOTE} characters.", status=422
        )
    if not approve and not note:
        raise ApplicationError(
            "note_required",
            "Say why the request is rejected.",
            details={"field": "note"},
            status=422,
        )
    approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    approval.decided_by = actor.user
    approval.decided_at = timezone.now()
    approval.decision_note = note
    approval.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    action = approval.action
    events.approval_decided(approval, by=actor)
    if not approve:
        action.status = ActionStatus.REJECTED
        action.save(update_fields=["status"])
        return MoneyResult(action, approval=approval)
    request = request_from_params(workspace, action.params)
    tx = execute_approved(workspace, approval, request, by=actor)
    return MoneyResult(action, tx, approval)
