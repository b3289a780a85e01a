"""Taking one transition: check it against the table under the row lock, move the state,
keep `next_due_at` in step, and record it on the dispute's events, the case timeline and
the webhook outbox, all in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ombuds.conversations import events
from ombuds.core import webhooks

from .. import transitions
from ..actors import DisputeActor
from ..models import Dispute, DisputeEvent, State
from ..transitions import Context, Transition


def lock(dispute: Dispute) -> Dispute:
    """The dispute read again under its row lock (its case and parties with it)."""
    return (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("workspace", "case", "order", "buyer", "seller")
        .get(pk=dispute.pk)
    )


def context_for(actor: DisputeActor, now: datetime, **extra) -> Context:
    return Context(role=actor.role, now=now, user_id=actor.user_id, extra=extra)


def check(dispute: Dispute, action: str, actor: DisputeActor, now: datetime, **extra) -> Transition:
    return transitions.check(dispute, action, context_for(actor, now, **extra))


def due_next(dispute: Dispute) -> datetime | None:
    """The deadline the sweep acts on in the dispute's state (none while frozen)."""
    if dispute.is_frozen or not dispute.is_open:
        return None
    return dispute.deadline()


def summary(dispute: Dispute) -> dict:
    """What a dispute is, in plain values: for events, timeline and webhooks alike."""
    return {
        "dispute": dispute.reference,
        "order": dispute.order.external_id,
        "case": dispute.case.reference,
        "buyer": dispute.buyer.external_id,
        "seller": dispute.seller.external_id if dispute.seller_id else None,
        "reason": dispute.reason,
        "amount": dispute.amount,
        "currency": dispute.currency,
        "state": dispute.state,
        "ending": dispute.ending or None,
        "frozen": dispute.is_frozen,
        "deadline": _iso(dispute.deadline()),
    }


def _iso(moment):
    return moment.isoformat() if moment else None


def record(
    dispute: Dispute,
    move: Transition,
    actor: DisputeActor,
    *,
    before: str,
    now: datetime,
    data: dict | None = None,
) -> DisputeEvent:
    """Write the transition's event row, its case timeline event and its webhook."""
    data = data or {}
    event = DisputeEvent.objects.create(
        workspace_id=dispute.workspace_id,
        dispute=dispute,
        action=move.action,
        from_state=before,
        to_state=dispute.state,
        actor_role=actor.role,
        actor_user=actor.user,
        actor_party=actor.party,
        actor_label=(actor.label or str(actor))[:100],
        data=data,
        created_at=now,
    )
    events.record(
        dispute.case,
        f"dispute.{move.action}",
        actor.on_case(),
        before=before or None,
        after=dispute.state,
        data={"dispute": dispute.reference, "dispute_id": dispute.pk, "role": actor.role, **data},
        at=now,
    )
    webhooks.enqueue(
        workspace=dispute.workspace,
        event="dispute.opened" if not before else "dispute.updated",
        payload={
            **summary(dispute),
            "action": move.action,
            "from": before or None,
            "to": dispute.state,
            "by": actor.role,
            "details": data,
            "at": now.isoformat(),
        },
        idempotency_key=f"dispute-event:{event.pk}",
        subject=f"case:{dispute.case_id}",
    )
    return event


def apply(
    dispute: Dispute,
    action: str,
    actor: DisputeActor,
    *,
    now: datetime | None = None,
    data: dict | None = None,
    fields: tuple[str, ...] = (),
    checked: Transition | None = None,
    **extra,
) -> DisputeEvent:
    """Take `action` on a dispute the caller holds locked: check (unless the caller
    checked it already, before writing its own rows), move, save and record.

    `fields` names the columns the caller changed besides state and deadlines."""
    assert transaction.get_connection().in_atomic_block, "transitions run in a transaction"
    now = now or timezone.now()
    move = checked or check(dispute, action, actor, now, **extra)
    before = dispute.state
    if move.target is not None:
        dispute.state = move.target
    if dispute.state in (State.RESOLVED, State.CLOSED, State.WITHDRAWN) and not dispute.ended_at:
        dispute.ended_at = now
    dispute.next_due_at = due_next(dispute)
    dispute.updated_at = now
    dispute.save(update_fields=sorted({"state", "ended_at", "next_due_at", "updated_at", *fields}))
    return record(dispute, move, actor, before=before, now=now, data=data)


def publish(dispute: Dispute, event: str, *, key: str, now: datetime, details: dict) -> None:
    """Tell the marketplace of a settlement or a decision with what it needs to act on
    it (the outcome, the money), besides the `dispute.updated` every transition sends.
    `key` names the step, so a replay sends nothing twice."""
    webhooks.enqueue(
        workspace=dispute.workspace,
        event=event,
        payload={**summary(dispute), **details, "at": now.isoformat()},
        idempotency_key=f"{event}:{dispute.pk}:{key}",
        subject=f"case:{dispute.case_id}",
    )
