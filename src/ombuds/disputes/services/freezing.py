"""Freezing disputes while the payment provider runs a chargeback on the same order.

A chargeback is its own process with the provider's deadlines; two processes moving the
same money at once could pay the buyer twice. So while it runs, the buyer–seller
dispute takes no transition at all (the table refuses everything but `unfreeze`), its
deadlines stop, and the time it spent frozen is given back to them afterwards. The
parties can still write and add evidence.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ombuds.core.errors import NotFound
from ombuds.marketplace.models import Order

from ..actors import DisputeActor
from ..models import OPEN_STATES, Dispute
from . import notices
from .machine import apply, check, lock

MAX_REASON = 300
_DEADLINES = ("contact_due_at", "seller_due_at", "buyer_due_at", "appeal_due_at")


def _open_disputes(order: Order):
    return Dispute.objects.filter(
        workspace_id=order.workspace_id, order=order, state__in=OPEN_STATES
    ).order_by("pk")


@transaction.atomic
def freeze_dispute(*, dispute: Dispute, reason: str, actor) -> Dispute:
    """Freeze one dispute; an already frozen one is refused (409, already_frozen)."""
    actor = DisputeActor.from_any(actor)
    dispute = lock(dispute)
    now = timezone.now()
    move = check(dispute, "freeze", actor, now)
    dispute.frozen_at = now
    dispute.frozen_reason = " ".join((reason or "").split())[:MAX_REASON]
    apply(
        dispute,
        "freeze",
        actor,
        now=now,
        checked=move,
        fields=("frozen_at", "frozen_reason"),
        data={"reason": dispute.frozen_reason},
    )
    notices.tell_buyer(dispute, "frozen")
    notices.tell_seller(dispute, "frozen")
    return dispute


@transaction.atomic
def unfreeze_dispute(*, dispute: Dispute, actor) -> Dispute:
    """Let a frozen dispute go on. Each deadline still ahead when it was frozen moves
    by the time it spent frozen, so no party loses time to the chargeback."""
    actor = DisputeActor.from_any(actor)
    dispute = lock(dispute)
    now = timezone.now()
    move = check(dispute, "unfreeze", actor, now)
    frozen_for = now - dispute.frozen_at
    shifted = []
    for name in _DEADLINES:
        due = getattr(dispute, name)
        if due is not None and due > dispute.frozen_at:
            setattr(dispute, name, due + frozen_for)
            shifted.append(name)
    dispute.frozen_at = None
    dispute.frozen_reason = ""
    apply(
        dispute,
        "unfreeze",
        actor,
        now=now,
        checked=move,
        fields=("frozen_at", "frozen_reason", *shifted),
        data={"frozen_seconds": int(frozen_for.total_seconds()), "deadlines_moved": shifted},
    )
    notices.tell_buyer(dispute, "unfrozen")
    notices.tell_seller(dispute, "unfrozen")
    return dispute


@transaction.atomic
def freeze_disputes_for_order(*, order: Order, reason: str, actor) -> list[Dispute]:
    """A chargeback opened on `order`: freeze every open dispute on it (those frozen
    already stay frozen). `actor` is a case `Actor`, the ledger's `MoneyActor` or a
    `DisputeActor`. Returns the disputes now frozen by this call."""
    if not isinstance(order, Order) or order.pk is None:
        raise NotFound("order", getattr(order, "pk", None))
    frozen = []
    for dispute in _open_disputes(order).select_for_update():
        if dispute.is_frozen:
            continue
        frozen.append(freeze_dispute(dispute=dispute, reason=reason, actor=actor))
    return frozen


@transaction.atomic
def unfreeze_disputes_for_order(*, order: Order, actor) -> list[Dispute]:
    """The chargeback on `order` is over: every dispute it froze goes on."""
    if not isinstance(order, Order) or order.pk is None:
        raise NotFound("order", getattr(order, "pk", None))
    thawed = []
    for dispute in _open_disputes(order).filter(frozen_at__isnull=False).select_for_update():
        thawed.append(unfreeze_dispute(dispute=dispute, actor=actor))
    return thawed
