"""Provider webhooks, store first: the raw event is kept before it is acknowledged, and
processed once per provider event id, in its own transaction (ADR 0041).

`accept_event` writes the row; a second delivery of the same event (Stripe retries, a
replayed request) finds it and changes nothing. After commit a task processes it; a
periodic sweep processes whatever is still pending, so a lost wake-up or a crash only
delays. Processing reads the event into reports and hands each to the services; an
ApplicationError rejects the event for good (kept, with the reason), any other failure
leaves it pending for another attempt.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ombuds.core.errors import ApplicationError

from .models import EventStatus, PspConnection, PspEvent
from .reports import (
    DisputeReport,
    RefundReport,
    Unsupported,
    read_generic_event,
    read_stripe_event,
)
from .states import STRIPE

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BATCH = 50


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_body(raw: bytes) -> dict | None:
    """The event object, or None when the body is not a JSON object."""
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _header_fields(body: dict | None, raw: bytes) -> tuple[str, str, datetime | None]:
    if body is None:
        return "sha256:" + hashlib.sha256(raw).hexdigest(), "", None
    event_id = body.get("id")
    event_type = body.get("type")
    created = body.get("created")
    occurred = None
    if isinstance(created, int) and not isinstance(created, bool) and created >= 0:
        occurred = datetime.fromtimestamp(created, UTC)
    elif isinstance(created, str):
        try:
            parsed = datetime.fromisoformat(created.replace("Z", "+00:00"))
            occurred = parsed.astimezone(UTC) if parsed.tzinfo else None
        except ValueError:
            occurred = None
    if not isinstance(event_id, str) or not event_id.strip():
        event_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    return (
        event_id.strip().replace("\x00", "")[:255],
        event_type.replace("\x00", "")[:100] if isinstance(event_type, str) else "",
        occurred,
    )


def accept_event(*, connection: PspConnection, raw: bytes) -> tuple[PspEvent, bool]:
    """Keep what the provider sent (already verified) before anyone answers it:
    (row, created). A body that is not an event is kept too, rejected, saying so."""
    if len(raw) > settings.OMBUDS_MAX_PSP_EVENT_BYTES:
        raise ApplicationError(
            "payload_too_large",
            f"An event may be at most {settings.OMBUDS_MAX_PSP_EVENT_BYTES:,} bytes.",
            details={"size": len(raw)},
            status=413,
        )
    body = parse_body(raw)
    event_id, event_type, occurred = _header_fields(body, raw)
    invalid = body is None
    try:
        with transaction.atomic():
            event = PspEvent.objects.create(
                workspace_id=connection.workspace_id,
                connection=connection,
                provider=connection.provider,
                event_id=event_id,
                event_type=event_type,
                raw=raw,
                occurred_at=occurred,
                received_at=timezone.now(),
                status=EventStatus.REJECTED if invalid else EventStatus.PENDING,
                outcome="invalid_json" if invalid else "",
                error="The body is not a JSON object." if invalid else "",
            )
    except IntegrityError:
        existing = PspEvent.objects.filter(
            workspace_id=connection.workspace_id, provider=connection.provider, event_id=event_id
        ).first()
        if existing is None:
            raise
        return existing, False
    if not invalid:
        transaction.on_commit(lambda: _wake(event.pk))
    return event, True


def read_event(event: PspEvent) -> list[DisputeReport | RefundReport] | Unsupported:
    body = parse_body(bytes(event.raw))
    if body is None:
        raise ApplicationError("invalid_json", "The body is not a JSON object.", status=422)
    if event.provider == STRIPE:
        return read_stripe_event(body)
    return read_generic_event(event.provider, body)


def process_event(event_id: int) -> PspEvent | None:
    """Apply one pending event (or set it aside, saying why)."""
    with transaction.atomic():
        event = (
            PspEvent.objects.select_for_update(skip_locked=True)
            .select_related("connection", "workspace")
            .filter(pk=event_id, status=EventStatus.PENDING)
            .first()
        )
        if event is None:
            return None
        _process_locked(event)
        return event


def _process_locked(event: PspEvent) -> None:
    from .services import apply_report

    event.attempts += 1
    try:
        with transaction.atomic():
            reports = read_event(event)
            if isinstance(reports, Unsupported):
                event.status, event.outcome = EventStatus.IGNORED, "unsupported_type"
                event.error = f"Ombuds does not act on {reports.event_type or 'this event'}."
            elif not reports:
                event.status, event.outcome = EventStatus.IGNORED, "nothing_to_apply"
                event.error = "The event lists nothing Ombuds acts on."
            else:
                outcomes = [apply_report(event=event, report=report) for report in reports]
                applied = [o for o in outcomes if o.applied]
                event.status = EventStatus.PROCESSED if applied else EventStatus.IGNORED
                event.outcome = (applied or outcomes)[0].outcome[:40]
                event.error = "; ".join(o.detail for o in outcomes if o.detail)[:2000]
                event.chargeback_id = next(
                    (o.chargeback_id for o in outcomes if o.chargeback_id), None
                )
    except ApplicationError as exc:
        event.status, event.outcome, event.error = EventStatus.REJECTED, exc.code[:40], exc.message
    except Exception as exc:
        log.exception("psp event processing failed", extra={"psp_event": event.pk})
        event.error = f"{type(exc).__name__}: {exc}"[:2000]
        if event.attempts >= MAX_ATTEMPTS:
            event.status, event.outcome = EventStatus.REJECTED, "failed"
    event.processed_at = timezone.now()
    event.save(
        update_fields=["status", "outcome", "error", "attempts", "chargeback", "processed_at"]
    )


def pending_event_ids(limit: int = BATCH, *, after: tuple[datetime, int] | None = None) -> list:
    query = PspEvent.objects.filter(status=EventStatus.PENDING)
    if after is not None:
        received_at, pk = after
        query = query.filter(received_at__gte=received_at).exclude(
            received_at=received_at, pk__lte=pk
        )
    return list(query.order_by("received_at", "pk").values_list("pk", "received_at")[:limit])


def process_pending_events() -> int:
    """Process every pending event, oldest first; returns how many were looked at."""
    done, after = 0, None
    while rows := pending_event_ids(after=after):
        for pk, _received in rows:
            process_event(pk)
        after = (rows[-1][1], rows[-1][0])
        done += len(rows)
        if len(rows) < BATCH:
            break
    return done


def _wake(event_id: int) -> None:
    from .tasks import process_psp_event

    process_psp_event(event_id)
