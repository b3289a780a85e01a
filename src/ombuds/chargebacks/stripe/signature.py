"""Stripe's webhook signature: `Stripe-Signature: t=<unix time>,v1=<hex>[,v1=<hex>…]`.

The signed text is `<t>.<raw body>`, HMAC-SHA256 under the endpoint's signing secret
(whsec_…). Several v1 values are sent while a secret is being rolled; any one that
matches will do. Other schemes (v0) are ignored, as Stripe asks. A timestamp more than
five minutes away from now is refused even with a valid signature, so a captured call
cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from ombuds.core.errors import ApplicationError

HEADER = "Stripe-Signature"
TOLERANCE_SECONDS = 300


def expected_signature(secret: str, body: bytes, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def header_for(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """What Stripe would send for `body` (the desk's own test deliveries use it)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={expected_signature(secret, body, timestamp)}"


def verify_stripe_signature(
    *,
    secret: str,
    header: str | None,
    body: bytes,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """The signed timestamp, or a 401 ApplicationError saying what is wrong."""
    if not secret:
        raise ApplicationError(
            "not_configured", "This connection has no webhook signing secret.", status=403
        )
    timestamp: int | None = None
    given: list[str] = []
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and timestamp is None:
            try:
                timestamp = int(value)
            except ValueError:
                timestamp = None
        elif key == "v1" and value:
            given.append(value.strip())
    if timestamp is None or not given:
        raise ApplicationError(
            "signature_missing", f"The {HEADER} header is missing or malformed.", status=401
        )
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise ApplicationError(
            "signature_expired",
            "The signature's timestamp is outside the five-minute tolerance.",
            status=401,
        )
    expected = expected_signature(secret, body, timestamp)
    # Every candidate is compared in constant time; none short-circuits on a prefix.
    matches = [hmac.compare_digest(expected, candidate) for candidate in given]
    if not any(matches):
        raise ApplicationError("signature_invalid", "The signature does not match.", status=401)
    return timestamp
