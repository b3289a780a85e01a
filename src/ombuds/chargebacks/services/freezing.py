"""The chargeback and the buyer–seller dispute on the same order (ADR 0040).

While a chargeback on an order is open, that order's disputes take no step: the bank is
deciding the same money. A dispute opened during the chargeback is frozen as it opens.
When the last open chargeback on the order closes, the disputes go on. Evidence the
desk sends to the provider is locked on the dispute, so it stays what was sent.
"""

from __future__ import annotations

from ombuds.conversations.events import Actor
from ombuds.conversations.models import CaseEvent
from ombuds.disputes.models import Dispute
from ombuds.disputes.selectors import open_dispute_of_order
from ombuds.disputes.services.evidence import lock_evidence_for
from ombuds.disputes.services.freezing import (
    freeze_dispute,
    freeze_disputes_for_order,
    unfreeze_disputes_for_order,
)

from ..models import Chargeback
from ..states import OPEN_STATES

DISPUTE_OPENINGS = ("dispute.open", "dispute.open_to_platform", "dispute.open_contact_first")


def _reason(chargeback: Chargeback) -> str:
    return f"{chargeback.connection.name} chargeback {chargeback.provider_dispute_id}"


def keep_disputes_in_step(chargeback: Chargeback, actor: Actor) -> None:
    """Freeze the order's disputes while the chargeback runs; let them go when it ends
    (unless another chargeback on the order still runs)."""
    if chargeback.is_open and not chargeback.disputes_frozen:
        freeze_disputes_for_order(order=chargeback.order, reason=_reason(chargeback), actor=actor)
        chargeback.disputes_frozen = True
        chargeback.save(update_fields=["disputes_frozen", "updated_at"])
    elif not chargeback.is_open and chargeback.disputes_frozen:
        others = Chargeback.objects.filter(
            order_id=chargeback.order_id, state__in=OPEN_STATES
        ).exclude(pk=chargeback.pk)
        if not others.exists():
            unfreeze_disputes_for_order(order=chargeback.order, actor=actor)
        chargeback.disputes_frozen = False
        chargeback.save(update_fields=["disputes_frozen", "updated_at"])


def lock_dispute_evidence(chargeback: Chargeback) -> None:
    """The evidence goes to the provider: the dispute's evidence on the order is locked."""
    dispute = open_dispute_of_order(order=chargeback.order)
    if dispute is not None:
        lock_evidence_for(dispute)


def freeze_new_dispute(event: CaseEvent) -> None:
    """Timeline listener: a dispute opened on an order whose chargeback runs is frozen."""
    if event.kind not in DISPUTE_OPENINGS or not event.case.order_id:
        return
    running = (
        Chargeback.objects.filter(
            workspace_id=event.workspace_id, order_id=event.case.order_id, state__in=OPEN_STATES
        )
        .select_related("connection")
        .first()
    )
    dispute_id = (event.data or {}).get("dispute_id")
    if running is None or not dispute_id:
        return
    dispute = Dispute.objects.filter(pk=dispute_id, workspace_id=event.workspace_id).first()
    if dispute is not None and not dispute.is_frozen:
        freeze_dispute(dispute=dispute, reason=_reason(running), actor=Actor.system("chargebacks"))
