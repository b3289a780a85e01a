"""Secrets of payment-provider connections, sealed at rest.

A Stripe secret key can refund every payment a marketplace ever took; a copy of the
database (a backup, a support dump) must not hand it out. Values are sealed with Fernet
(AES-128-CBC + HMAC-SHA256) under keys derived from `OMBUDS_SEALING_KEYS` (comma
separated; the first seals, all of them open, so a key can be rotated) or, when that is
not set, from the site's SECRET_KEY. Nothing here ever returns a secret to a page: the
desk only learns whether one is set.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

PREFIX = "sealed:v1:"


def _fernet_key(material: str) -> bytes:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"ombuds", info=b"psp-connection-secrets"
    ).derive(material.encode())
    return base64.urlsafe_b64encode(derived)


@lru_cache(maxsize=4)
def _sealer(materials: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(m)) for m in materials])


def _materials() -> tuple[str, ...]:
    keys = tuple(k for k in getattr(settings, "OMBUDS_SEALING_KEYS", ()) if k)
    return keys or (settings.SECRET_KEY,)


class SecretUnreadable(Exception):
    """The stored secret was sealed under a key this site no longer has."""


def seal(plain: str) -> str:
    if not plain:
        return ""
    return PREFIX + _sealer(_materials()).encrypt(plain.encode()).decode()


def unseal(stored: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        raise SecretUnreadable("not a sealed value")
    try:
        return _sealer(_materials()).decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("sealed under another key") from None


class SealedTextField(models.TextField):
    """A text column whose value is sealed on its way into the database and opened on
    its way out. It cannot be searched by value, which is the point."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return unseal(value)
        except SecretUnreadable:
            # A rotated-away key: the connection shows as "not set" and asks for the secret
            # again, instead of every page that reads the row failing.
            return ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return seal(value)
