"""What the platform and the PSP should hear about money, for the webhook outbox.

The ledger does not deliver anything itself. Each movement is turned into an
`Announcement` (an event name and a JSON payload) and handed, inside the transaction
that wrote it, to every listener registered with `listen()`. The signed webhook outbox
registers one that writes its outbox row, so a movement and its announcement commit
together or not at all. `announcements_since()` replays movements already written (for
a new subscriber, or to rebuild deliveries), oldest first.

Captures are not announced: they came from the platform in the first place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ombuds.core.models import Workspace

from .events import MOVED
from .models import Transaction, TransactionKind


@dataclass(frozen=True)
class Announcement:
    event: str  # "money.refunded", the same name as on the case timeline
    workspace_id: int
    transaction_id: int
    payload: dict[str, Any]


Listener = Callable[[Announcement], None]
_LISTENERS: list[tuple[str, Listener]] = []


def listen(name: str, listener: Listener) -> None:
    """Hand every announcement to `listener` from now on (call from AppConfig.ready)."""
    if any(existing == name for existing, _ in _LISTENERS):
        return
    _LISTENERS.append((name, listener))


def announcement_for(tx: Transaction) -> Announcement | None:
    """What a movement says to the outside world; None for what needs no announcing."""
    if tx.kind == TransactionKind.CAPTURE:
        return None
    return Announcement(
        event=MOVED[tx.kind],
        workspace_id=tx.workspace_id,
        transaction_id=tx.pk,
        payload={
            "id": tx.pk,
            "kind": tx.kind,
            "idempotency_key": tx.key,
            "amount": tx.amount,
            "currency": tx.currency,
            "order": tx.order.external_id if tx.order_id else None,
            "case": tx.case.reference if tx.case_id else None,
            "bearer": tx.bearer or None,
            "seller": tx.seller.external_id if tx.seller_id else None,
            "buyer": tx.buyer.external_id if tx.buyer_id else None,
            "reason": tx.reason or None,
            "outcome": tx.outcome or None,
            "reverses": tx.reverses_id,
            "refunds": [
                {"payment": a.payment.external_id, "amount": a.amount} for a in tx.allocations.all()
            ]
            if tx.kind == TransactionKind.REFUND
            else [],
            "created_at": tx.created_at.isoformat(),
        },
    )


def announce(tx: Transaction) -> Announcement | None:
    """Hand the movement's announcement to the listeners (inside its transaction)."""
    if not _LISTENERS:
        # Nobody to tell: building the payload would cost queries for nothing, and
        # `announcements_since` can still replay the movement later.
        return None
    announcement = announcement_for(tx)
    if announcement is not None:
        for _, listener in _LISTENERS:
            listener(announcement)
    return announcement


def announcements_since(
    *, workspace: Workspace, after_id: int = 0, limit: int = 100
) -> list[Announcement]:
    """Announcements of movements written after `after_id`, oldest first: three queries
    per page whatever its size."""
    rows = (
        Transaction.objects.filter(workspace=workspace, pk__gt=after_id)
        .exclude(kind=TransactionKind.CAPTURE)
        .select_related("order", "case", "seller", "buyer")
        .prefetch_related("allocations__payment")
        .order_by("pk")[:limit]
    )
    return [a for tx in rows if (a := announcement_for(tx)) is not None]
