"""HMAC signatures on webhooks, both ways: `Ombuds-Signature: t=<unix time>,v1=<hex>`.

The signed text is `<t>.<raw body>`, hashed with HMAC-SHA256 under a secret shared with
the other side (the scheme Stripe made familiar). The timestamp bounds replays: a
signature older than the tolerance is refused even when it is correct.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from .errors import ApplicationError

HEADER = "Ombuds-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, body: bytes, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, now: float | None = None) -> str:
    """The header value for `body`."""
    timestamp = int(now if now is not None else time.time())
    return f"t={timestamp},v1={signature(secret, body, timestamp)}"


def verify(
    secret: str,
    header: str | None,
    body: bytes,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """Raise a 401 ApplicationError unless `header` signs `body` with `secret`, recently."""
    if not secret:
        raise ApplicationError("not_configured", "No signing secret is configured.", status=403)
    parts: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        if key and value:
            parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise ApplicationError(
            "signature_missing", f"The {HEADER} header is missing or malformed.", status=401
        ) from None
    current = now if now is not None else time.time()
    if abs(current - timestamp) > tolerance:
        raise ApplicationError(
            "signature_expired", "The signature is too old (or from the future).", status=401
        )
    expected = signature(secret, body, timestamp)
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        raise ApplicationError("signature_invalid", "The signature does not match.", status=401)
