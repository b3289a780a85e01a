"""The providers' webhooks: prove the call is the provider's, store it, answer at once.

Stripe signs with `Stripe-Signature` (stripe/signature.py); other providers sign the
generic shape with `Ombuds-Signature` (core.signing). The check uses the secret of the
one connection the URL names, so a call signed with another workspace's secret is
refused before a byte of it is stored. Processing happens after the answer, from the
stored row (receiving.py).
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ombuds.core import signing
from ombuds.core.errors import ApplicationError

from .connections import note_error, note_event, webhook_connection
from .receiving import accept_event
from .stripe.signature import HEADER as STRIPE_HEADER
from .stripe.signature import verify_stripe_signature


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": None}, status=status)


@csrf_exempt
@require_POST
def receive_webhook(request, workspace: str, provider: str):
    """A provider calling with one event."""
    connection = webhook_connection(workspace_slug=workspace, provider=provider)
    if connection is None:
        # The same answer for an unknown workspace and an unconnected provider: the
        # address must not confirm which tenants exist.
        return _error(404, "unknown_connection", "No such payment provider connection.")
    try:
        raw = request.body
    except RequestDataTooBig:
        return _error(413, "payload_too_large", "The event is too large.")
    try:
        if connection.is_stripe:
            verify_stripe_signature(
                secret=connection.webhook_secret,
                header=request.headers.get(STRIPE_HEADER),
                body=raw,
            )
        else:
            signing.verify(connection.webhook_secret, request.headers.get(signing.HEADER), raw)
    except ApplicationError as refused:
        note_error(connection, f"{refused.code}: {refused.message}")
        return _error(refused.status, refused.code, refused.message)
    try:
        event, created = accept_event(connection=connection, raw=raw)
    except ApplicationError as refused:
        note_error(connection, f"{refused.code}: {refused.message}")
        return _error(refused.status, refused.code, refused.message)
    except DatabaseError:
        # Not stored, so not acknowledged: the provider will deliver it again.
        return _error(503, "try_again", "The event could not be stored; send it again.")
    note_event(connection)
    if event.outcome == "invalid_json":
        return _error(400, "invalid_json", "The body is not a JSON event object.")
    return JsonResponse({"received": True, "duplicate": not created, "id": event.event_id})
