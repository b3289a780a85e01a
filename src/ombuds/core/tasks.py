"""Housekeeping of the shared kernel."""

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .models import IdempotencyRecord

# Clients retry within minutes; a day covers any sane retry policy (Stripe keeps 24 hours).
IDEMPOTENCY_RETENTION = timedelta(hours=24)


def forget_old_idempotency_records(now=None) -> int:
    cutoff = (now or timezone.now()) - IDEMPOTENCY_RETENTION
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@db_periodic_task(crontab(minute="17"))
def purge_idempotency_records() -> int:
    return forget_old_idempotency_records()


@db_task()
def send_due_webhooks() -> int:
    from .webhooks import send_due

    return send_due()


@db_periodic_task(crontab(minute="*"))
def sweep_webhooks() -> int:
    from .webhooks import send_due

    return send_due()
