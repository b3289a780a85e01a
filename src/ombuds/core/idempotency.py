"""Idempotency-Key on POST: a retried request gets the first answer back instead of a
second write.

Two wrappers, installed once on the API (config/api.py), not per endpoint:

- `writes_in_one_transaction` wraps the whole operation (auth, parsing, handler, error
  handling) of every unsafe request in one transaction. A refusal or a crash rolls back
  everything the handler wrote, so an error never leaves half a write behind.
- `honour_idempotency_key` wraps the handler itself. It claims the key by inserting the
  record before the handler runs; `writes_in_one_transaction` fills in the answer just
  before commit. A concurrent duplicate blocks on the unique (workspace, key) index until
  the first commits, then replays its answer: one case, never two.

Only successful answers are kept. A refused request leaves no record, so the client can
correct it and retry with the same key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from .errors import ApplicationError
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_MAX_KEY = IdempotencyRecord._meta.get_field("key").max_length
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_CLAIM = "_ombuds_idempotency_claim"


def request_fingerprint(request: HttpRequest) -> str:
    """What makes two requests 'the same': method, path and body. JSON bodies are
    compared by content, so a client that reorders keys on retry is not refused."""
    body = request.body
    # Multipart or not JSON at all: the raw bytes are the fingerprint.
    with contextlib.suppress(ValueError):
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _key_of(request: HttpRequest) -> str | None:
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return None
    if len(key) > _MAX_KEY or not key.isprintable():
        raise ApplicationError(
            "invalid_idempotency_key",
            f"An {HEADER} is 1 to {_MAX_KEY} printable characters.",
            status=422,
        )
    return key


def _replay(record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.request_hash != fingerprint:
        raise ApplicationError(
            "idempotency_key_reused",
            f"This {HEADER} was already used for a different request.",
            details={"method": record.method, "path": record.path},
            status=422,
        )
    response = HttpResponse(
        bytes(record.response_body),
        status=record.status_code,
        content_type="application/json; charset=utf-8",
    )
    response[REPLAYED_HEADER] = "true"
    return response


def stored_answer(workspace, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(workspace=workspace, key=key).first()


def _claim(request: HttpRequest, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """Insert the record for this key, or return None when another request holds it."""
    workspace = request.auth.workspace
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                workspace=workspace,
                key=key,
                method=request.method,
                path=request.path[:500],
                request_hash=fingerprint,
                status_code=0,  # filled in when the answer is known
                response_body=b"",
            )
    except IntegrityError:
        return None


def honour_idempotency_key(handler):
    """Operation decorator: replay a stored answer, or claim the key and run the handler."""

    @wraps(handler)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any):
        if request.method != "POST" or (key := _key_of(request)) is None:
            return handler(request, *args, **kwargs)
        fingerprint = request_fingerprint(request)
        workspace = request.auth.workspace
        if (record := stored_answer(workspace, key)) is not None:
            return _replay(record, fingerprint)
        claim = _claim(request, key, fingerprint)
        if claim is None:
            # The other request committed while we waited on the index: take its answer.
            return _replay(IdempotencyRecord.objects.get(workspace=workspace, key=key), fingerprint)
        setattr(request, _CLAIM, claim)
        return handler(request, *args, **kwargs)

    return wrapper


def writes_in_one_transaction(run):
    """View decorator: an unsafe request commits all of its writes or none of them."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any):
        if request.method in _SAFE_METHODS:
            return run(request, *args, **kwargs)
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            if response.status_code >= 400:
                # The error handler already turned the exception into an answer, so
                # atomic() would not see it; roll back by hand.
                transaction.set_rollback(True)
            elif (claim := getattr(request, _CLAIM, None)) is not None:
                claim.status_code = response.status_code
                claim.response_body = response.content
                claim.save(update_fields=["status_code", "response_body"])
        return response

    return wrapper
