"""Calls to Stripe's API with the official SDK, and what their failures mean.

One `StripeClient` per call, with the connection's key and, for tests and sandboxes, its
API address for both `api` and `files` (Stripe takes uploads at files.stripe.com). The
SDK's own retries are off: the outbox (outbox.py) retries with back-off and the same
Idempotency-Key, so a retry never happens inside a request a person waits on.

Failures are sorted in two: a refusal (card_error, invalid_request_error, an
authentication or permission error, an idempotency conflict: a 4xx that asking again
will not change) is shown on the case; a 429, a 5xx or a network error is retried.
"""

from __future__ import annotations

import io

import stripe

from ..models import PspConnection

TIMEOUT_SECONDS = 20
RETRIED_STATUSES = frozenset({409, 429})


def client_for(connection: PspConnection) -> stripe.StripeClient:
    base = connection.api_base_url or None
    return stripe.StripeClient(
        connection.secret_key,
        base_addresses={"api": base, "files": base} if base else None,
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )


class StripeFailure(Exception):
    """A call Stripe did not carry out: whether to try again, and what it said."""

    def __init__(self, retry: bool, status: int | None, code: str, message: str):
        super().__init__(message)
        self.retry, self.status, self.code, self.message = retry, status, code, message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def failure_of(exc: stripe.StripeError) -> StripeFailure:
    status = exc.http_status
    error = getattr(exc, "error", None)
    kind = getattr(error, "type", None) or ""
    code = exc.code or kind or type(exc).__name__
    message = (getattr(error, "message", None) or exc.user_message or str(exc) or "")[:1000]
    if isinstance(exc, stripe.APIConnectionError) or status is None:
        return StripeFailure(True, None, "network_error", message or "Stripe could not be reached.")
    if isinstance(exc, stripe.RateLimitError) or status in RETRIED_STATUSES:
        # 409 is Stripe's "the same key is being processed right now": ask again later.
        return StripeFailure(True, status, code, message)
    if status >= 500 or kind == "api_error":
        return StripeFailure(True, status, code, message)
    return StripeFailure(False, status, code, message)


def _options(idempotency_key: str, stripe_account: str = "") -> dict:
    options: dict = {"idempotency_key": idempotency_key}
    if stripe_account:
        options["stripe_account"] = stripe_account
    return options


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.StripeError as exc:
        raise failure_of(exc) from exc


def upload_evidence_file(
    connection: PspConnection, *, name: str, content: bytes, idempotency_key: str
) -> str:
    """POST /v1/files with purpose dispute_evidence; the file's id."""
    handle = io.BytesIO(content)
    handle.name = name
    uploaded = _call(
        client_for(connection).v1.files.create,
        params={"purpose": "dispute_evidence", "file": handle},
        options=_options(idempotency_key),
    )
    return uploaded.id


def submit_dispute_evidence(
    connection: PspConnection,
    *,
    dispute_id: str,
    evidence: dict,
    metadata: dict,
    idempotency_key: str,
) -> dict:
    """POST /v1/disputes/{id} with evidence[...] and submit=true: sent to the bank."""
    dispute = _call(
        client_for(connection).v1.disputes.update,
        dispute_id,
        params={"evidence": evidence, "submit": True, "metadata": metadata},
        options=_options(idempotency_key),
    )
    return dispute.to_dict()


def create_refund(connection: PspConnection, *, params: dict, idempotency_key: str) -> dict:
    """POST /v1/refunds (`stripe_account` in params: on that connected account)."""
    params = dict(params)
    account = params.pop("stripe_account", "")
    refund = _call(
        client_for(connection).v1.refunds.create,
        params=params,
        options=_options(idempotency_key, account),
    )
    return refund.to_dict()


def transfer_of_charge(connection: PspConnection, *, charge_id: str) -> str:
    """GET /v1/charges/{id}: the transfer a destination charge made to the seller."""
    charge = _call(client_for(connection).v1.charges.retrieve, charge_id).to_dict()
    transfer = charge.get("transfer")
    if isinstance(transfer, dict):
        transfer = transfer.get("id")
    return transfer or ""


def reverse_transfer(
    connection: PspConnection, *, transfer_id: str, params: dict, idempotency_key: str
) -> dict:
    """POST /v1/transfers/{id}/reversals: take a seller's share back."""
    reversal = _call(
        client_for(connection).v1.transfers.reversals.create,
        transfer_id,
        params=params,
        options=_options(idempotency_key),
    )
    return reversal.to_dict()
