"""Delivery and read receipts from the platforms, written onto our outbound deliveries.

A receipt names the provider's id for a reply we sent (a WhatsApp wamid, a Messenger
mid) or, on Messenger and X, a watermark: everything sent to that person up to then.
Receipts arrive in any order and more than once; a time is set only once and "read"
implies "delivered". A receipt about a reply still being sent (its id not yet saved) is
retried; one about a message that is not ours is left aside.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Delivery, DeliveryStatus


class ReceiptBeforeSend(Exception):
    """The receipt is about a reply whose sending has not finished saving: try later."""


def _still_sending(workspace, channel: str, recipient: str) -> bool:
    return Delivery.objects.filter(
        workspace=workspace, channel=channel, recipient=recipient, status=DeliveryStatus.QUEUED
    ).exists()


def record_receipt(
    *,
    workspace,
    channel: str,
    provider_id: str,
    recipient: str,
    status: str,
    at: datetime,
    error: str = "",
) -> int:
    """Mark the delivery with `provider_id` delivered, read or failed; how many matched."""
    deliveries = Delivery.objects.filter(
        workspace=workspace, channel=channel, provider_id=provider_id
    )
    matched = list(deliveries.select_related("message__case"))
    if not matched:
        if recipient and _still_sending(workspace, channel, recipient):
            raise ReceiptBeforeSend(f"no delivery with id {provider_id} yet")
        return 0
    ids = [d.pk for d in matched]
    if status in ("delivered", "read"):
        Delivery.objects.filter(pk__in=ids, delivered_at__isnull=True).update(delivered_at=at)
    if status == "read":
        Delivery.objects.filter(pk__in=ids, read_at__isnull=True).update(read_at=at)
    if status == "failed":
        for delivery in matched:
            if delivery.status == DeliveryStatus.FAILED:
                continue
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = error[:2000]
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
            events.record(
                delivery.message.case,
                "delivery.failed",
                Actor.system(channel),
                data={"recipient": delivery.recipient, "error": delivery.last_error},
                message=delivery.message,
            )
    return len(matched)


def record_watermark(
    *, workspace, channel: str, recipient: str, status: str, at: datetime, provider_ids=()
) -> int:
    """Everything sent to `recipient` up to `at` (and the named ids) was delivered or
    read; how many deliveries changed."""
    sent = Delivery.objects.filter(
        workspace=workspace, channel=channel, recipient=recipient, status=DeliveryStatus.SENT
    ).filter(Q(sent_at__lte=at) | Q(provider_id__in=list(provider_ids)))
    changed = sent.filter(delivered_at__isnull=True).update(delivered_at=at)
    if status == "read":
        changed = max(changed, sent.filter(read_at__isnull=True).update(read_at=at))
    return changed
