"""The platforms' webhooks: prove the call is the platform's, store every item it
carries, answer at once.

Each connected account has its own URL (`/intake/<platform>/<account id>/`), which
answers the platform's handshake (Meta's verify token, X's CRC challenge) with that
account's secrets. A POST is checked against the account's secret before anything is
read; then each message or status in it is stored as one payload row for the account it
names. Meta and X send everything an app serves to one URL, so an item may name another
account than the URL's: it is stored for that account only when the body's signature is
valid with that account's own secret too, so one workspace's secret can never put words
into another workspace. Nothing is processed here: the rows wake the intake worker.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ombuds.conversations.models import Channel
from ombuds.core.errors import ApplicationError

from ..inbound import accept
from ..models import ChannelAccount
from . import messenger, telegram, whatsapp, x
from .accounts import note_webhook, note_webhook_error, webhook_account
from .reading import Item
from .signatures import meta_signature_valid, token_matches, x_crc_response, x_signature_valid

log = logging.getLogger(__name__)
CRC_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{1,255}")


@dataclass(frozen=True)
class Platform:
    channel: str
    name: str
    signature_header: str
    verify: Callable[[ChannelAccount, bytes, str], bool]
    split: Callable[[dict, ChannelAccount], list[Item]]


def _meta_verify(account: ChannelAccount, body: bytes, header: str) -> bool:
    return meta_signature_valid(secret=account.signing_secret, body=body, header=header)


def _x_verify(account: ChannelAccount, body: bytes, header: str) -> bool:
    return x_signature_valid(secret=account.signing_secret, body=body, header=header)


def _telegram_verify(account: ChannelAccount, body: bytes, header: str) -> bool:
    return token_matches(expected=account.signing_secret, given=header)


PLATFORMS = {
    Channel.WHATSAPP: Platform(
        Channel.WHATSAPP,
        "WhatsApp",
        "X-Hub-Signature-256",
        _meta_verify,
        lambda payload, account: whatsapp.split_webhook(payload),
    ),
    Channel.MESSENGER: Platform(
        Channel.MESSENGER,
        "Messenger",
        "X-Hub-Signature-256",
        _meta_verify,
        lambda payload, account: messenger.split_webhook(payload),
    ),
    Channel.TELEGRAM: Platform(
        Channel.TELEGRAM,
        "Telegram",
        "X-Telegram-Bot-Api-Secret-Token",
        _telegram_verify,
        lambda payload, account: telegram.split_webhook(payload, bot_id=account.account_id),
    ),
    Channel.X: Platform(
        Channel.X,
        "X",
        "x-twitter-webhooks-signature",
        _x_verify,
        lambda payload, account: x.split_webhook(payload),
    ),
}


def _refused(account: ChannelAccount | None, status: int, code: str, message: str):
    if account is not None:
        note_webhook_error(account, message)
    return JsonResponse({"code": code, "message": message, "details": None}, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request, platform: str, account_id: str):
    """A platform calling: its endpoint check (GET) or its events (POST)."""
    spec = PLATFORMS[platform]
    account = webhook_account(channel=spec.channel, account_id=account_id)
    if account is None:
        return _refused(None, 404, "unknown_account", "No such account is connected.")
    if request.method == "GET":
        return _handshake(request, spec, account)
    return _receive(request, spec, account)


def _handshake(request, spec: Platform, account: ChannelAccount):
    if spec.channel in (Channel.WHATSAPP, Channel.MESSENGER):
        # Meta's check: echo the challenge when the verify token is the one we set.
        mode = request.GET.get("hub.mode", "")
        given = request.GET.get("hub.verify_token", "")
        if mode != "subscribe" or not token_matches(expected=account.verify_token, given=given):
            return _refused(
                account,
                403,
                "bad_verify_token",
                "The webhook check came with a wrong verify token.",
            )
        note_webhook([account.pk])
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    if spec.channel == Channel.X:
        crc_token = request.GET.get("crc_token", "")
        if not CRC_TOKEN.fullmatch(crc_token):
            # The answer is the same HMAC that signs X's events: signing anything but a
            # short token would let anyone have us sign a forged event body.
            return _refused(
                account, 400, "invalid_crc_token", "X's check came without a valid crc_token."
            )
        if not account.signing_secret:
            return _refused(account, 403, "no_secret", "Set the app's consumer secret first.")
        note_webhook([account.pk])
        return JsonResponse(
            {"response_token": x_crc_response(secret=account.signing_secret, crc_token=crc_token)}
        )
    return HttpResponse(status=405, headers={"Allow": "POST"})


def _receive(request, spec: Platform, account: ChannelAccount):
    try:
        body = request.body
    except RequestDataTooBig:
        return _refused(account, 413, "payload_too_large", "The webhook call was too large.")
    given = request.headers.get(spec.signature_header, "")
    if not given:
        return _refused(
            account,
            401,
            "missing_signature",
            f"A webhook call came without {spec.signature_header}.",
        )
    if not spec.verify(account, body, given):
        return _refused(
            account,
            403,
            "bad_signature",
            f"A webhook call came with a wrong {spec.signature_header}.",
        )
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict):
        return _refused(
            account, 400, "invalid_json", "A webhook call's body was not a JSON object."
        )
    items = spec.split(payload, account)
    try:
        stored = _store(spec, account, items, body, given)
    except ApplicationError as refused:
        return _refused(account, refused.status, refused.code, refused.message)
    except DatabaseError:
        log.exception("webhook not stored", extra={"channel": spec.channel})
        # Not acknowledged: the platform sends it again, and the ids make that harmless.
        return JsonResponse(
            {"code": "unavailable", "message": "Try again later.", "details": None}, status=503
        )
    return JsonResponse({"received": len(items), "stored": stored})


def _store(spec: Platform, account: ChannelAccount, items: list[Item], body: bytes, given: str):
    named = {item.account_id for item in items}
    targets = {
        a.account_id: a
        for a in ChannelAccount.objects.select_related("workspace").filter(
            channel=spec.channel, account_id__in=named, is_active=True
        )
    }
    trusted: dict[str, ChannelAccount] = {}
    for account_id, target in targets.items():
        if target.pk == account.pk or spec.verify(target, body, given):
            trusted[account_id] = target
        else:
            note_webhook_error(
                target,
                "A webhook naming this account was signed with another secret; it was refused.",
            )
    if unknown := named - trusted.keys() - targets.keys():
        note_webhook_error(
            account,
            "Items for accounts not connected here were left out: "
            + ", ".join(sorted(unknown))[:300],
        )
    stored = 0
    with transaction.atomic():
        for item in items:
            target = trusted.get(item.account_id)
            if target is None:
                continue
            _inbound, created = accept(
                workspace=target.workspace,
                channel=target.channel,
                raw=json.dumps(item.payload, ensure_ascii=False, separators=(",", ":")).encode(),
                external_id=item.external_id,
                content_type="application/json",
                source=f"{spec.name} webhook {target.account_id}",
            )
            stored += created
    note_webhook([account.pk, *(t.pk for t in trusted.values())])
    return stored
