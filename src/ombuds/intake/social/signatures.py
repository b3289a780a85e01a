"""Proving a webhook came from the platform: every comparison in constant time.

Meta (WhatsApp, Messenger) signs the raw body with the app secret
(`X-Hub-Signature-256: sha256=<hex>`); X signs it with the app's consumer secret
(`x-twitter-webhooks-signature: sha256=<base64>`) and proves the endpoint with a CRC
challenge; Telegram echoes a secret token we chose when the webhook was set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def _hmac(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()


def meta_signature(secret: str, body: bytes) -> str:
    return "sha256=" + _hmac(secret, body).hex()


def meta_signature_valid(*, secret: str, body: bytes, header: str) -> bool:
    """Whether `X-Hub-Signature-256` is the app secret's HMAC of exactly these bytes."""
    if not secret or not header:
        return False
    return hmac.compare_digest(meta_signature(secret, body), header.strip().lower())


def x_signature(secret: str, body: bytes) -> str:
    return "sha256=" + base64.b64encode(_hmac(secret, body)).decode()


def x_signature_valid(*, secret: str, body: bytes, header: str) -> bool:
    """Whether `x-twitter-webhooks-signature` is the consumer secret's HMAC of the body."""
    if not secret or not header:
        return False
    return hmac.compare_digest(x_signature(secret, body), header.strip())


def x_crc_response(*, secret: str, crc_token: str) -> str:
    """The `response_token` that proves to X we hold the consumer secret."""
    return x_signature(secret, crc_token.encode())


def token_matches(*, expected: str, given: str) -> bool:
    """A shared token (Telegram's secret token, Meta's verify token) compared in constant
    time; an account without one never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
