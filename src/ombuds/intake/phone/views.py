"""Webhooks of telephony providers. Each stores the record (`accept`) before answering
200; filing it on a case happens after, in the worker."""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ombuds.conversations.models import Channel
from ombuds.core import signing
from ombuds.core.errors import ApplicationError

from ..inbound import accept
from ..models import ChannelAccount
from .calls import TWILIO_CONTENT_TYPE
from .records import parse_ombuds_json, twilio_params


def _refusal(exc: ApplicationError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.status)


def _account(account_id: str) -> ChannelAccount:
    account = (
        ChannelAccount.objects.select_related("workspace")
        .filter(channel=Channel.PHONE, account_id=account_id, is_active=True)
        .first()
    )
    if account is None:
        raise ApplicationError("unknown_account", "No phone account by that id.", status=404)
    return account


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature: base64 HMAC-SHA1 of the URL followed by every POST parameter,
    name then value, sorted by name (twilio.com/docs/usage/security)."""
    signed = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@csrf_exempt
@require_POST
def ombuds_call(request: HttpRequest, account_id: str) -> JsonResponse:
    """A call record in Ombuds' JSON, signed with the account's secret."""
    try:
        account = _account(account_id)
        body = request.body
        signing.verify(account.signing_secret, request.headers.get(signing.HEADER), body)
        record = parse_ombuds_json(body)  # refuse a malformed record now, not later
        inbound, created = accept(
            workspace=account.workspace,
            channel=Channel.PHONE,
            raw=body,
            external_id=f"{record.call_id}",
            content_type="application/json",
            source=f"phone:{account.pk}",
        )
    except ApplicationError as exc:
        return _refusal(exc)
    return JsonResponse({"id": inbound.pk, "duplicate": not created}, status=200)


@csrf_exempt
@require_POST
def twilio_call(request: HttpRequest, account_id: str) -> JsonResponse:
    """Twilio's voice status and recording callbacks."""
    try:
        account = _account(account_id)
        body = request.body
        params = twilio_params(body)
        url = settings.OMBUDS_PUBLIC_URL + request.get_full_path()
        expected = twilio_signature(account.access_token, url, params)
        given = request.headers.get("X-Twilio-Signature", "")
        if not account.access_token or not hmac.compare_digest(expected, given):
            raise ApplicationError(
                "signature_invalid", "The Twilio signature does not match.", status=401
            )
        if not params.get("CallSid"):
            raise ApplicationError("invalid_call_record", "CallSid is missing.", status=422)
        event = params.get("RecordingSid") or params.get("CallStatus", "")
        inbound, created = accept(
            workspace=account.workspace,
            channel=Channel.PHONE,
            raw=body,
            external_id=f"{params['CallSid']}:{event}",
            content_type=TWILIO_CONTENT_TYPE,
            source=f"twilio:{account.pk}",
        )
    except ApplicationError as exc:
        return _refusal(exc)
    return JsonResponse({"id": inbound.pk, "duplicate": not created}, status=200)
