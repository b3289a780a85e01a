"""Stripe's objects as its API reference documents them (the Dispute, Event, Refund,
File, Transfer reversal and error objects), with builders for the parts a scenario is
about, and the way Stripe signs a webhook."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import stripe

ACCOUNT = "acct_1Nv0FGQ9RKHgCVdK"
SECRET_KEY = "sk_test_51Nv0FGQ9RKHgCVdKexampleKey000"
WEBHOOK_SECRET = "whsec_test0123456789abcdefABCDEF"
CHARGE = "ch_3MmlLrLkdIwHu7ix0snN0B15"
PAYMENT_INTENT = "pi_3MmlLrLkdIwHu7ix0hs3BdY1"
DISPUTE = "du_1MtJUT2eZvKYlo2CNaw2HvEv"

_counter = [0]


def unix(at: datetime) -> int:
    return int(at.timestamp())


def body(payload: dict) -> bytes:
    return json.dumps(payload).encode()


def signed_headers(raw: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    """Signed by Stripe's own library, so the test agrees with Stripe, not with us."""
    header = stripe.WebhookSignature.generate_signature_header(
        raw.decode(), secret, timestamp=int(time.time()) if timestamp is None else timestamp
    )
    return {"Stripe-Signature": header}


def balance_transaction(amount: int, fee: int, *, currency: str = "eur", ident: str = ""):
    _counter[0] += 1
    return {
        "id": ident or f"txn_1Dispute{_counter[0]:06d}",
        "object": "balance_transaction",
        "amount": amount,
        "currency": currency,
        "fee": fee,
        "net": amount - fee,
        "reporting_category": "dispute" if amount < 0 else "dispute_reversal",
        "type": "adjustment",
        "status": "available",
    }


def dispute(
    *,
    status: str = "needs_response",
    amount: int = 12500,
    currency: str = "eur",
    reason: str = "product_not_received",
    charge: str = CHARGE,
    payment_intent: str | None = PAYMENT_INTENT,
    due_by: datetime | None = None,
    created: datetime | None = None,
    ident: str = DISPUTE,
    submission_count: int = 0,
    refundable: bool = False,
    balance_transactions: list | None = None,
):
    created = created or datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    return {
        "id": ident,
        "object": "dispute",
        "amount": amount,
        "balance_transactions": balance_transactions or [],
        "charge": charge,
        "created": unix(created),
        "currency": currency,
        "evidence": {
            name: None
            for name in [
                "access_activity_log",
                "billing_address",
                "cancellation_policy",
                "cancellation_policy_disclosure",
                "cancellation_rebuttal",
                "customer_communication",
                "customer_email_address",
                "customer_name",
                "customer_purchase_ip",
                "customer_signature",
                "duplicate_charge_documentation",
                "duplicate_charge_explanation",
                "duplicate_charge_id",
                "product_description",
                "receipt",
                "refund_policy",
                "refund_policy_disclosure",
                "refund_refusal_explanation",
                "service_date",
                "service_documentation",
                "shipping_address",
                "shipping_carrier",
                "shipping_date",
                "shipping_documentation",
                "shipping_tracking_number",
                "uncategorized_file",
                "uncategorized_text",
            ]
        },
        "evidence_details": {
            "due_by": unix(due_by) if due_by else 0,
            "has_evidence": submission_count > 0,
            "past_due": False,
            "submission_count": submission_count,
        },
        "is_charge_refundable": refundable,
        "livemode": False,
        "metadata": {},
        "payment_intent": payment_intent,
        "payment_method_details": {
            "card": {"brand": "visa", "network_reason_code": "13.1"},
            "type": "card",
        },
        "reason": reason,
        "status": status,
    }


def event(kind: str, obj: dict, *, created: datetime | None = None, ident: str = "", **extra):
    _counter[0] += 1
    return {
        "id": ident or f"evt_1NG8Du2eZvKYlo2C{_counter[0]:08d}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": unix(created or datetime.now(UTC)),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
        **extra,
    }


def refund(
    *,
    ident: str = "re_1Nispe2eZvKYlo2Cd31jOCgZ",
    amount: int = 2500,
    currency: str = "eur",
    status: str = "succeeded",
    charge: str = CHARGE,
    payment_intent: str | None = PAYMENT_INTENT,
    metadata: dict | None = None,
    failure_reason: str | None = None,
    reason: str | None = None,
):
    return {
        "id": ident,
        "object": "refund",
        "amount": amount,
        "balance_transaction": "txn_1Nispe2eZvKYlo2CYezqFhEx",
        "charge": charge,
        "created": 1692942318,
        "currency": currency,
        "destination_details": {"card": {"type": "refund"}, "type": "card"},
        "failure_reason": failure_reason,
        "metadata": metadata or {},
        "payment_intent": payment_intent,
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": status,
        "transfer_reversal": None,
    }


def file_object(ident: str = "file_1Mr4LDLkdIwHu7ixFCz0dZiH", name: str = "file.pdf"):
    return {
        "id": ident,
        "object": "file",
        "created": 1680116847,
        "expires_at": 1703444847,
        "filename": name,
        "links": {"object": "list", "data": [], "has_more": False, "url": "/v1/file_links"},
        "purpose": "dispute_evidence",
        "size": 8429,
        "title": None,
        "type": "pdf",
        "url": f"https://files.stripe.com/v1/files/{ident}/contents",
    }


def transfer_reversal(ident: str = "trr_1Mio2eLkdIwHu7ixN5LPJS4a", amount: int = 2500):
    return {
        "id": ident,
        "object": "transfer_reversal",
        "amount": amount,
        "balance_transaction": "txn_1Mio2eLkdIwHu7ixmHhEJp5A",
        "created": 1679512940,
        "currency": "eur",
        "destination_payment_refund": None,
        "metadata": {},
        "source_refund": None,
        "transfer": "tr_1Mio2eLkdIwHu7ixeJqvH7YE",
    }


def error(kind: str, message: str, *, code: str | None = None, param: str | None = None):
    """Stripe's error object, as every 4xx and 5xx answer carries it."""
    err = {"type": kind, "message": message}
    if code:
        err["code"] = code
        err["doc_url"] = f"https://docs.stripe.com/error-codes/{code.replace('_', '-')}"
    if param:
        err["param"] = param
    return {"error": err}
