"""Raw MIME posted by a mail provider's inbound route, signed, stored before we answer.

    POST /intake/email/<workspace-slug>/
    X-Ombuds-Timestamp: <unix seconds>
    X-Ombuds-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>

The body is the message itself (`message/rfc822`, or any raw type), or a form whose
field `message` (also `email`, `body-mime`, `mime`) holds it — the shapes providers
post. The secret is the `signing_secret` of one of the workspace's active email
`ChannelAccount`s (several may be active while a secret is rotated). A signature older
or newer than OMBUDS_EMAIL_WEBHOOK_TOLERANCE seconds is refused, so a captured request
cannot be replayed later; one replayed within the window stores nothing new (the
Message-ID makes it the same payload).

200 means the message is stored (it is processed after commit); a refusal is
`{"code", "message", "details"}` with 401 (no signature), 403 (wrong or stale), 413 (too
large), 400/415 (no message in the body).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from email import message_from_bytes
from email.policy import compat32
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ombuds.conversations.models import Channel
from ombuds.core.errors import ApplicationError

from ..inbound import accept
from ..models import ChannelAccount
from .read import external_id_of

log = logging.getLogger(__name__)
TIMESTAMP_HEADER = "X-Ombuds-Timestamp"
SIGNATURE_HEADER = "X-Ombuds-Signature"
FORM_FIELDS = ("message", "email", "body-mime", "mime")
RAW_TYPES = ("message/rfc822", "application/octet-stream", "text/plain", "")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
# A form carries the message with its own encoding around it.
FORM_OVERHEAD = 2


def _refusal(status: int, code: str, message: str, details=None) -> HttpResponse:
    return HttpResponse(
        json.dumps({"code": code, "message": message, "details": details}),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for a body: what a provider (or a test) sends."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _account(slug: str, timestamp: str, signature: str, body: bytes) -> ChannelAccount | None:
    accounts = ChannelAccount.objects.select_related("workspace").filter(
        workspace__slug=slug, channel=Channel.EMAIL, is_active=True
    )
    for account in accounts:
        if account.signing_secret and hmac.compare_digest(
            signature_for(account.signing_secret, timestamp, body), signature
        ):
            return account
    return None


def _form_message(media: str, content_type: str, body: bytes) -> bytes:
    if media == "application/x-www-form-urlencoded":
        # Latin-1 both ways turns every percent-escaped byte back into that same byte.
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
        fields = dict(pairs)
        found = next((fields[f] for f in FORM_FIELDS if f in fields), "")
        return found.encode("latin-1")
    # multipart/form-data is MIME: the mail parser reads it without a size cap.
    form = message_from_bytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + body,
        policy=compat32,
    )
    parts = form.get_payload() if form.is_multipart() else []
    found = {}
    for part in parts:
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str) and name in FORM_FIELDS and name not in found:
            found[name] = part.get_payload(decode=True) or b""
    return next((found[f] for f in FORM_FIELDS if f in found), b"")


@csrf_exempt
def receive_email(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        response = _refusal(405, "method_not_allowed", f"{request.method} is not allowed here.")
        response["Allow"] = "POST"
        return response
    timestamp = request.headers.get(TIMESTAMP_HEADER, "").strip()
    signature = request.headers.get(SIGNATURE_HEADER, "").strip()
    if not timestamp or not signature:
        return _refusal(
            401,
            "signature_missing",
            f"Sign the request: {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}.",
        )
    media = (request.content_type or "").lower()
    if media not in RAW_TYPES + FORM_TYPES:
        return _refusal(
            415,
            "unsupported_media_type",
            "Post the message as message/rfc822, or in a form field named 'message'.",
            details={"accepted": [*RAW_TYPES[:-1], *FORM_TYPES]},
        )
    limit = settings.OMBUDS_MAX_INBOUND_BYTES * (FORM_OVERHEAD if media in FORM_TYPES else 1)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        return _refusal(
            413, "payload_too_large", f"A message may be at most {limit:,} bytes.", {"size": length}
        )
    body = request.read(limit + 1)
    if len(body) > limit:
        return _refusal(413, "payload_too_large", f"A message may be at most {limit:,} bytes.")
    try:
        moment = int(timestamp)
    except ValueError:
        return _refusal(403, "signature_invalid", "The timestamp is not a number of seconds.")
    account = _account(slug, timestamp, signature, body)
    if account is None:
        return _refusal(403, "signature_invalid", "The signature does not match.")
    tolerance = settings.OMBUDS_EMAIL_WEBHOOK_TOLERANCE
    if abs(time.time() - moment) > tolerance:
        return _refusal(
            403,
            "signature_expired",
            "The signature is too old or from the future; sign again.",
            details={"tolerance_seconds": tolerance},
        )
    full_type = request.META.get("CONTENT_TYPE", "")
    try:
        raw = _form_message(media, full_type, body) if media in FORM_TYPES else body
    except (ValueError, UnicodeError, LookupError):
        raw = b""
    if not raw.strip():
        return _refusal(400, "no_message", "The request holds no message.")
    try:
        inbound, created = accept(
            workspace=account.workspace,
            channel=Channel.EMAIL,
            raw=raw,
            external_id=external_id_of(raw),
            source=f"webhook:{account.name}"[:100],
        )
    except ApplicationError as refusal:
        return _refusal(refusal.status, refusal.code, refusal.message, refusal.details)
    log.info("email received", extra={"inbound": inbound.pk, "stored": created})
    answer = {"id": inbound.pk, "created": created, "status": inbound.status}
    return HttpResponse(json.dumps(answer), content_type="application/json; charset=utf-8")
