"""Calls to the provider's API through an outbox (ADR 0042).

A change that needs Stripe (evidence submitted, a refund booked in the ledger) writes a
`PspCall` row in its own transaction; after commit a task makes the call, and a periodic
sweep catches lost wake-ups. The row is leased first (attempts + 1, invisible for five
minutes) and that is committed before the network call, so no transaction is held open
while Stripe answers and a worker that dies mid-call leaves the row to be tried again.
Every attempt carries the row's Idempotency-Key, so Stripe carries a call out once
however often it is made.

A refusal (4xx) ends the call at once and is shown on the case; 429, 5xx and network
errors are retried after 1, 2, 4 … 60 minutes, MAX_ATTEMPTS in all, after which the call
fails visibly and an admin can send it again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ombuds.core.errors import ApplicationError

from .models import CallKind, CallStatus, PspCall, PspConnection

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
BATCH = 50


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, capped at an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def enqueue_call(
    *,
    connection: PspConnection,
    kind: str,
    idempotency_key: str,
    params: dict,
    **links,
) -> PspCall:
    """Write the call in the caller's transaction; the same key twice is one call."""
    now = timezone.now()
    call, _created = PspCall.objects.get_or_create(
        connection=connection,
        idempotency_key=idempotency_key[:255],
        defaults={
            "workspace_id": connection.workspace_id,
            "kind": kind,
            "params": params,
            "next_attempt_at": now,
            "created_at": now,
            **links,
        },
    )
    transaction.on_commit(_wake)
    return call


def _wake() -> None:
    from .tasks import send_due_psp_calls

    send_due_psp_calls.schedule(delay=0)


def _lease(call_id: int, now: datetime) -> PspCall | None:
    with transaction.atomic():
        call = (
            PspCall.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("connection")
            .filter(pk=call_id, status=CallStatus.QUEUED, next_attempt_at__lte=now)
            .first()
        )
        if call is None:
            return None
        call.attempts += 1
        call.next_attempt_at = now + LEASE
        call.save(update_fields=["attempts", "next_attempt_at"])
    return call


def send_one(call_id: int) -> str | None:
    """Try one due call; its status afterwards (None when it was not due)."""
    from . import provider_calls
    from .stripe.client import StripeFailure

    call = _lease(call_id, timezone.now())
    if call is None:
        return None
    try:
        ref, response = provider_calls.perform(call)
    except StripeFailure as failure:
        _failed(call, failure.retry, failure.status, failure.code, failure.message)
    except ApplicationError as refused:
        # What we hold cannot make this call (no key any more, an evidence file gone).
        _failed(call, False, None, refused.code, refused.message)
    except Exception as exc:
        log.exception("psp call failed", extra={"psp_call": call.pk})
        _failed(call, True, None, type(exc).__name__, str(exc))
    else:
        with transaction.atomic():
            call.status = CallStatus.SUCCEEDED
            call.provider_ref = (ref or "")[:100]
            call.response = response
            call.done_at = timezone.now()
            call.next_attempt_at = None
            call.last_error, call.error_code = "", ""
            call.save()
            provider_calls.succeeded(call)
    return call.status


def _failed(call: PspCall, retry: bool, status: int | None, code: str, message: str) -> None:
    from . import provider_calls

    now = timezone.now()
    with transaction.atomic():
        call.last_status_code = status
        call.error_code = (code or "")[:100]
        call.last_error = (message or "")[:2000]
        if retry and call.attempts < MAX_ATTEMPTS:
            call.next_attempt_at = now + backoff(call.attempts)
            call.save()
            return
        call.status = CallStatus.FAILED if retry else CallStatus.REFUSED
        call.next_attempt_at = None
        call.done_at = now
        call.save()
        if call.status == CallStatus.REFUSED:
            provider_calls.refused(call)
        else:
            provider_calls.gave_up(call)


def due_calls(limit: int = BATCH) -> list[int]:
    return list(
        PspCall.objects.filter(status=CallStatus.QUEUED, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def send_due() -> int:
    """Make every call that is due now; returns how many were tried."""
    tried = 0
    while ids := due_calls():
        for pk in ids:
            send_one(pk)
        tried += len(ids)
        if len(ids) < BATCH:
            break
    return tried


@transaction.atomic
def retry_call(*, call: PspCall) -> PspCall:
    """Someone fixed what made the calls fail (Stripe's outage is over): try again."""
    call = PspCall.objects.select_for_update().get(pk=call.pk)
    if call.kind == CallKind.SUBMIT_EVIDENCE:
        # The submission it carried was set aside when the call gave up; the agent
        # submits again (a new preview), so nothing goes out unseen.
        raise ApplicationError(
            "call_not_retried",
            "A refused or failed evidence submission is made again, not retried.",
            status=409,
        )
    if call.status != CallStatus.FAILED:
        raise ApplicationError(
            "call_not_failed", "Only a call that gave up is tried again.", status=409
        )
    call.status = CallStatus.QUEUED
    call.attempts = 0
    call.next_attempt_at = timezone.now()
    call.done_at = None
    call.save()
    transaction.on_commit(_wake)
    return call
