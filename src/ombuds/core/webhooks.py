"""Signed calls to the workspace's own systems, through an outbox.

`enqueue()` writes one `WebhookDelivery` per endpoint that takes the event, inside the
caller's transaction, so a call is announced exactly when the change it reports commits.
After commit a task sends what is due; a periodic sweep catches lost wake-ups. Each call is
a JSON POST signed like Stripe's:

    Ombuds-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>

and carries `Idempotency-Key` (the same on every retry), `Ombuds-Event` and
`Ombuds-Delivery`. A 2xx answer is success; 408, 409, 425, 429, 5xx and network errors
are retried with back-off (1, 2, 4 … 60 minutes, MAX_ATTEMPTS in all); any other answer,
or the last attempt, fails the delivery for good and tells the registered failure
listeners (the case timeline shows it). No network call ever runs inside a database
transaction: a row is leased, the transaction commits, then the call is made.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .errors import ApplicationError
from .models import WebhookDelivery, WebhookEndpoint, WebhookStatus, Workspace

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "Ombuds-Signature"
MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 10
# A leased delivery is invisible to other workers this long; a worker that dies mid-call
# leaves it to be retried after the lease, never lost.
LEASE = timedelta(minutes=5)
BATCH = 50
RETRIED_STATUSES = frozenset({408, 409, 425, 429})
USER_AGENT = "Ombuds-Webhooks/1"

FailureListener = Callable[[WebhookDelivery], None]
_FAILURE_LISTENERS: list[FailureListener] = []


def on_failure(listener: FailureListener) -> None:
    """Call `listener` with each delivery that failed for good (from AppConfig.ready)."""
    if listener not in _FAILURE_LISTENERS:
        _FAILURE_LISTENERS.append(listener)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `Ombuds-Signature` header value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300, now=None) -> bool:
    """What a receiver checks: the signature matches and is at most `tolerance` seconds
    old (so a captured call cannot be replayed later)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, capped at an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def check_endpoint_url(url: str) -> str:
    url = (url or "").strip()
    if not url.lower().startswith(("https://", "http://")):
        raise ApplicationError(
            "invalid_webhook_url", "A webhook URL starts with https:// or http://.", status=422
        )
    return url


def endpoints_for(workspace: Workspace, event: str) -> list[WebhookEndpoint]:
    return [
        e
        for e in WebhookEndpoint.objects.filter(workspace=workspace, is_active=True)
        if e.takes(event)
    ]


def enqueue(
    *,
    workspace: Workspace,
    event: str,
    payload: dict,
    idempotency_key: str,
    subject: str = "",
    endpoint: WebhookEndpoint | None = None,
) -> list[WebhookDelivery]:
    """Announce `event` to one endpoint, or to every active endpoint that takes it. The
    same key twice for an endpoint is one delivery, not two."""
    if endpoint is not None and endpoint.workspace_id != workspace.pk:
        raise ApplicationError("unknown_webhook", "No such webhook endpoint.", status=422)
    targets = [endpoint] if endpoint is not None else endpoints_for(workspace, event)
    now = timezone.now()
    deliveries = []
    for target in targets:
        delivery, _ = WebhookDelivery.objects.get_or_create(
            endpoint=target,
            idempotency_key=idempotency_key[:200],
            defaults={
                "workspace": workspace,
                "event": event,
                "subject": subject[:100],
                "payload": json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
                "next_attempt_at": now,
                "created_at": now,
            },
        )
        deliveries.append(delivery)
    if deliveries:
        transaction.on_commit(_wake)
    return deliveries


def _wake() -> None:
    from .tasks import send_due_webhooks

    send_due_webhooks.schedule(delay=0)


def body_of(delivery: WebhookDelivery) -> bytes:
    envelope = {
        "id": delivery.idempotency_key,
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "workspace": delivery.workspace.slug,
        "data": delivery.payload,
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


def _lease(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "workspace")
            .filter(pk=delivery_id, status=WebhookStatus.QUEUED, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """Make the call; returns (HTTP status or None for a network error, error text)."""
    body = body_of(delivery)
    request = urllib.request.Request(
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: sign(delivery.endpoint.secret, int(time.time()), body),
            "Idempotency-Key": delivery.idempotency_key,
            "Ombuds-Event": delivery.event,
            "Ombuds-Delivery": str(delivery.pk),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
            return answer.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}: {exc.read(500).decode('utf-8', 'replace')}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))


def send_one(delivery_id: int) -> str | None:
    """Try one due delivery; returns its status afterwards (None when it was not due)."""
    now = timezone.now()
    delivery = _lease(delivery_id, now)
    if delivery is None:
        return None
    code, error = _post(delivery)
    done = timezone.now()
    delivery.last_status_code = code
    if code is not None and 200 <= code < 300:
        delivery.status = WebhookStatus.SENT
        delivery.sent_at = done
        delivery.next_attempt_at = None
        delivery.last_error = ""
    else:
        retry = code is None or code >= 500 or code in RETRIED_STATUSES
        delivery.last_error = error[:2000]
        if retry and delivery.attempts < MAX_ATTEMPTS:
            delivery.next_attempt_at = done + backoff(delivery.attempts)
        else:
            delivery.status = WebhookStatus.FAILED
            delivery.next_attempt_at = None
    with transaction.atomic():
        delivery.save(
            update_fields=[
                "status",
                "sent_at",
                "next_attempt_at",
                "last_status_code",
                "last_error",
            ]
        )
        if delivery.status == WebhookStatus.FAILED:
            log.warning(
                "webhook failed", extra={"delivery": delivery.pk, "error": delivery.last_error}
            )
            for listener in _FAILURE_LISTENERS:
                listener(delivery)
    return delivery.status


def due_webhooks(limit: int = BATCH) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookStatus.QUEUED, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def send_due() -> int:
    """Send every delivery that is due now; returns how many were tried."""
    tried = 0
    while ids := due_webhooks():
        for pk in ids:
            send_one(pk)
        tried += len(ids)
        if len(ids) < BATCH:
            break
    return tried


@transaction.atomic
def retry(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Someone fixed the receiving end: send a failed delivery again, from attempt one."""
    if delivery.status != WebhookStatus.FAILED:
        raise ApplicationError("webhook_not_failed", "Only a failed call is retried.", status=409)
    delivery.status = WebhookStatus.QUEUED
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    transaction.on_commit(_wake)
    return delivery
