"""A bounce marks the reply it reports on as failed, on its case, for the agent to see.

The bounce names the original by its Message-ID, which is the outbound message's
`external_id` once it was sent (`own.message_id_for`). Nothing here opens a case: a
bounce is the mail system talking, not a customer.
"""

from __future__ import annotations

from django.db import transaction

from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Delivery, DeliveryStatus, Message, MessageKind
from ombuds.core.models import Workspace

from .classify import Bounce


def deliveries_bounced(*, workspace: Workspace, bounce: Bounce) -> list[Delivery]:
    """The outbound deliveries a bounce reports on (all recipients of the original, or
    the ones the report names)."""
    if not bounce.original_ids:
        return []
    messages = Message.objects.filter(
        workspace=workspace, external_id__in=bounce.original_ids, kind=MessageKind.OUTBOUND
    )
    deliveries = list(
        Delivery.objects.filter(workspace=workspace, message__in=messages.values("pk"))
        .select_related("message__case")
        .order_by("pk")
    )
    named = {r.address for r in bounce.recipients if r.address}
    matching = [d for d in deliveries if d.recipient.lower() in named]
    return matching or deliveries


@transaction.atomic
def record_bounce(*, workspace: Workspace, bounce: Bounce) -> list[Delivery]:
    """A mail server reports a reply undeliverable: its delivery fails, with the server's
    reason, and the case says so. Reported twice, it is recorded once."""
    if not bounce.permanent:
        return []
    failed = []
    for delivery in deliveries_bounced(workspace=workspace, bounce=bounce):
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status == DeliveryStatus.FAILED:
            continue
        reason = bounce.diagnostic or "The receiving mail server returned the message."
        locked.status = DeliveryStatus.FAILED
        locked.last_error = f"Bounced: {reason}"[:2000]
        locked.next_attempt_at = None
        locked.save(update_fields=["status", "last_error", "next_attempt_at"])
        events.record(
            delivery.message.case,
            "delivery.failed",
            Actor.system("mail server"),
            data={
                "recipient": locked.recipient,
                "error": locked.last_error,
                "bounced": True,
                "status": next((r.status for r in bounce.recipients if r.status), ""),
            },
            message=delivery.message,
        )
        failed.append(locked)
    return failed
