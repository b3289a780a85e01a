"""Background work of the outbox. The queue only wakes the worker; the truth is the
Delivery rows, so a lost wake-up is caught by the periodic sweep."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ombuds.core.transports import PermanentFailure, transport_for

from . import events
from .events import Actor
from .models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
BATCH = 100


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, capped at an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def deliver_one(delivery_id: int) -> None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("message__case__requester", "message__author_user")
            .filter(pk=delivery_id, status=DeliveryStatus.QUEUED)
            .first()
        )
        if delivery is None:
            return
        transport = transport_for(delivery.channel)
        now = timezone.now()
        delivery.attempts += 1
        try:
            if transport is None:
                raise PermanentFailure(f"no transport for channel {delivery.channel}")
            sent = transport(delivery)
        except PermanentFailure as exc:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = str(exc)[:2000]
            delivery.next_attempt_at = None
            events.record(
                delivery.message.case,
                "delivery.failed",
                Actor.system("outbox"),
                data={"recipient": delivery.recipient, "error": delivery.last_error},
                message=delivery.message,
            )
        except Exception as exc:  # network, server busy: try again later
            log.warning("delivery failed", extra={"delivery": delivery.pk, "error": str(exc)})
            delivery.last_error = str(exc)[:2000]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
                events.record(
                    delivery.message.case,
                    "delivery.failed",
                    Actor.system("outbox"),
                    data={
                        "recipient": delivery.recipient,
                        "error": delivery.last_error,
                        "attempts": delivery.attempts,
                    },
                    message=delivery.message,
                )
            else:
                delivery.next_attempt_at = now + backoff(delivery.attempts)
        else:
            delivery.status = DeliveryStatus.SENT
            delivery.provider_id = sent.provider_id
            delivery.sent_at = now
            delivery.next_attempt_at = None
            message = delivery.message
            if not message.external_id and sent.provider_id:
                # A reply to this message on its channel names this id (In-Reply-To, a
                # WhatsApp context id): that is how the answer finds its case again.
                message.external_id = sent.provider_id[:255]
                message.save(update_fields=["external_id"])
        delivery.save()


def due_deliveries(limit: int = BATCH) -> list[int]:
    return list(
        Delivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def drain_outbox() -> int:
    """Send every delivery that is due; returns how many were tried."""
    tried = 0
    while ids := due_deliveries():
        for pk in ids:
            deliver_one(pk)
        tried += len(ids)
        if len(ids) < BATCH:
            break
    return tried


@db_task()
def deliver_due() -> int:
    return drain_outbox()


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    return drain_outbox()
