"""What a provider's webhook event says, in one shape whatever the provider.

A Stripe event (charge.dispute.*, charge.refunded, refund.*) and a generic PSP event
(see docs/psp-webhooks.md) are both read into `DisputeReport`s and `RefundReport`s,
which the services apply. Reading refuses what cannot be a valid event with an
ApplicationError (the raw event is kept, rejected, with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ombuds.core.errors import ApplicationError
from ombuds.core.money import check_currency

WITHDRAWAL = "withdrawal"
REINSTATEMENT = "reinstatement"


@dataclass(frozen=True)
class BalanceMovement:
    """Money the provider took from or gave back to the platform for a dispute."""

    id: str
    direction: str  # WITHDRAWAL or REINSTATEMENT
    amount: int  # the disputed amount moved, positive, in `currency`
    fee: int  # the provider's dispute fee in the same movement (negative: fee returned)
    currency: str


@dataclass(frozen=True)
class DisputeReport:
    provider: str
    report_id: str
    event_type: str
    dispute_id: str
    charge_id: str
    payment_intent_id: str
    amount: int
    currency: str
    reason: str
    network_reason_code: str
    state: str
    due_by: datetime | None
    is_charge_refundable: bool
    submission_count: int
    observed_at: datetime
    opened_at: datetime
    funds_withdrawn: bool = False
    funds_reinstated: bool = False
    movements: tuple[BalanceMovement, ...] = ()
    account: str = ""
    livemode: bool | None = None
    provider_object: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class RefundReport:
    provider: str
    report_id: str
    event_type: str
    refund_id: str
    charge_id: str
    payment_intent_id: str
    amount: int
    currency: str
    status: str  # pending, requires_action, succeeded, failed, canceled
    failure_reason: str
    reason: str
    metadata: dict
    observed_at: datetime
    account: str = ""
    livemode: bool | None = None


@dataclass(frozen=True)
class Unsupported:
    """An event type Ombuds does not act on (it is stored and marked ignored)."""

    event_type: str


Report = DisputeReport | RefundReport


def _refuse(message: str, **details) -> ApplicationError:
    return ApplicationError("invalid_event", message, details=details or None, status=422)


def _text(value: Any, limit: int = 255) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _refuse("A text field holds something else.", value=repr(value)[:60])
    # Neither PostgreSQL text nor jsonb can store NUL.
    return value.replace("\x00", "")[:limit]


def _id(value: Any, what: str) -> str:
    if isinstance(value, dict):  # an expanded object
        value = value.get("id")
    text = _text(value, 100).strip()
    if not text:
        raise _refuse(f"The event names no {what}.")
    return text


def _optional_id(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    return _text(value, 100).strip()


def _amount(value: Any, what: str = "amount") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 10**15:
        raise _refuse(f"The {what} must be a non-negative integer in minor units.")
    return value


def _currency(value: Any) -> str:
    code = _text(value, 3).upper()
    return check_currency(code)


def _unix(value: Any, what: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _refuse(f"The {what} must be a Unix timestamp.")
    return datetime.fromtimestamp(value, UTC)


def _instant(value: Any, what: str) -> datetime:
    """A Unix timestamp or an ISO 8601 time with its offset (the generic shape)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _unix(value, what)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
    raise _refuse(f"The {what} must be a Unix timestamp or an ISO 8601 time with offset.")


def _object(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise _refuse(f"The event carries no {what} object.")
    return value


# --- Stripe ------------------------------------------------------------------------------

STRIPE_DISPUTE_EVENTS = frozenset(
    {
        "charge.dispute.created",
        "charge.dispute.updated",
        "charge.dispute.closed",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.funds_reinstated",
    }
)
STRIPE_REFUND_EVENTS = frozenset(
    {"refund.created", "refund.updated", "refund.failed", "charge.refund.updated"}
)


def _stripe_movements(dispute: dict, currency: str) -> tuple[BalanceMovement, ...]:
    movements = []
    for item in dispute.get("balance_transactions") or []:
        if not isinstance(item, dict):
            continue  # an id without the object: nothing to learn from it
        amount = item.get("amount")
        fee = item.get("fee") or 0
        if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
            continue
        if not isinstance(fee, int) or isinstance(fee, bool):
            fee = 0
        moved_in = _text(item.get("currency"), 3).upper() or currency
        movements.append(
            BalanceMovement(
                id=_id(item.get("id"), "balance transaction"),
                direction=WITHDRAWAL if amount < 0 else REINSTATEMENT,
                amount=abs(amount),
                fee=fee if amount < 0 else -fee,
                currency=moved_in,
            )
        )
    return tuple(movements)


def _stripe_dispute(event: dict, dispute: dict) -> DisputeReport:
    currency = _currency(dispute.get("currency"))
    details = dispute.get("evidence_details") or {}
    due = details.get("due_by")
    # Stripe sends 0 when the bank accepts no response at all.
    due_by = _unix(due, "evidence due date") if isinstance(due, int) and due > 0 else None
    network = ((dispute.get("payment_method_details") or {}).get("card") or {}).get(
        "network_reason_code"
    )
    kind = event["type"]
    return DisputeReport(
        provider="stripe",
        report_id=_id(event.get("id"), "event id"),
        event_type=kind,
        dispute_id=_id(dispute.get("id"), "dispute"),
        charge_id=_id(dispute.get("charge"), "charge"),
        payment_intent_id=_optional_id(dispute.get("payment_intent")),
        amount=_amount(dispute.get("amount")),
        currency=currency,
        reason=_text(dispute.get("reason"), 60),
        network_reason_code=_text(network, 20),
        state=_text(dispute.get("status"), 30),
        due_by=due_by,
        is_charge_refundable=bool(dispute.get("is_charge_refundable")),
        submission_count=int(details.get("submission_count") or 0),
        observed_at=_unix(event.get("created"), "event time"),
        opened_at=_unix(dispute.get("created", event.get("created")), "dispute time"),
        funds_withdrawn=kind == "charge.dispute.funds_withdrawn",
        funds_reinstated=kind == "charge.dispute.funds_reinstated",
        movements=_stripe_movements(dispute, currency),
        account=_text(event.get("account"), 100),
        livemode=event.get("livemode") if isinstance(event.get("livemode"), bool) else None,
        provider_object=dispute,
    )


def _stripe_refund(event: dict, refund: dict, *, charge: dict | None = None) -> RefundReport:
    return RefundReport(
        provider="stripe",
        report_id=_id(event.get("id"), "event id"),
        event_type=event["type"],
        refund_id=_id(refund.get("id"), "refund"),
        charge_id=_optional_id(refund.get("charge")) or _optional_id((charge or {}).get("id")),
        payment_intent_id=_optional_id(refund.get("payment_intent"))
        or _optional_id((charge or {}).get("payment_intent")),
        amount=_amount(refund.get("amount")),
        currency=_currency(refund.get("currency")),
        status=_text(refund.get("status"), 30),
        failure_reason=_text(refund.get("failure_reason"), 100),
        reason=_text(refund.get("reason"), 60),
        metadata={
            str(k)[:40]: _text(v, 500)
            for k, v in (refund.get("metadata") or {}).items()
            if isinstance(v, str)
        },
        observed_at=_unix(event.get("created"), "event time"),
        account=_text(event.get("account"), 100),
        livemode=event.get("livemode") if isinstance(event.get("livemode"), bool) else None,
    )


def read_stripe_event(event: dict) -> list[Report] | Unsupported:
    """The reports in one Stripe event object."""
    event = _object(event, "event")
    if event.get("object") != "event":
        raise _refuse("This is not a Stripe event object.")
    kind = _text(event.get("type"), 100)
    data = _object(event.get("data"), "data")
    obj = _object(data.get("object"), "data.object")
    if kind in STRIPE_DISPUTE_EVENTS:
        if obj.get("object") != "dispute":
            raise _refuse("A dispute event must carry a dispute.")
        return [_stripe_dispute(event, obj)]
    if kind in STRIPE_REFUND_EVENTS:
        if obj.get("object") != "refund":
            raise _refuse("A refund event must carry a refund.")
        return [_stripe_refund(event, obj)]
    if kind == "charge.refunded":
        if obj.get("object") != "charge":
            raise _refuse("charge.refunded must carry a charge.")
        # Since API version 2022-11-15 the charge no longer lists its refunds; then the
        # refund.* events report each one.
        refunds = (obj.get("refunds") or {}).get("data") or []
        return [
            _stripe_refund(event, r, charge=obj)
            for r in refunds
            if isinstance(r, dict) and r.get("object") == "refund"
        ]
    return Unsupported(kind)


# --- other providers: the generic shape --------------------------------------------------

GENERIC_DISPUTE_EVENTS = {
    "dispute.opened": "",
    "dispute.updated": "",
    "dispute.closed": "",
    "dispute.funds_withdrawn": "withdrawn",
    "dispute.funds_reinstated": "reinstated",
}
GENERIC_REFUND_EVENTS = frozenset({"refund.created", "refund.succeeded", "refund.failed"})
GENERIC_REFUND_STATUS = {
    "refund.created": "pending",
    "refund.succeeded": "succeeded",
    "refund.failed": "failed",
}


def read_generic_event(provider: str, event: dict) -> list[Report] | Unsupported:
    """The reports in one event of the generic PSP shape (docs/psp-webhooks.md)."""
    event = _object(event, "event")
    kind = _text(event.get("type"), 100)
    report_id = _id(event.get("id"), "event id")
    observed_at = _instant(event.get("created"), "event time")
    if kind in GENERIC_DISPUTE_EVENTS:
        dispute = _object(event.get("dispute"), "dispute")
        currency = _currency(dispute.get("currency"))
        funds = GENERIC_DISPUTE_EVENTS[kind]
        due = dispute.get("evidence_due_by")
        return [
            DisputeReport(
                provider=provider,
                report_id=report_id,
                event_type=kind,
                dispute_id=_id(dispute.get("id"), "dispute"),
                charge_id=_id(dispute.get("payment"), "payment"),
                payment_intent_id="",
                amount=_amount(dispute.get("amount")),
                currency=currency,
                reason=_text(dispute.get("reason"), 60),
                network_reason_code=_text(dispute.get("reason_code"), 20),
                state=_text(dispute.get("status"), 30),
                due_by=_instant(due, "evidence due date") if due is not None else None,
                is_charge_refundable=bool(dispute.get("refundable")),
                submission_count=1 if dispute.get("evidence_submitted") else 0,
                observed_at=observed_at,
                opened_at=_instant(dispute.get("created", event.get("created")), "dispute time"),
                funds_withdrawn=funds == "withdrawn",
                funds_reinstated=funds == "reinstated",
                provider_object=dispute,
            )
        ]
    if kind in GENERIC_REFUND_EVENTS:
        refund = _object(event.get("refund"), "refund")
        return [
            RefundReport(
                provider=provider,
                report_id=report_id,
                event_type=kind,
                refund_id=_id(refund.get("id"), "refund"),
                charge_id=_id(refund.get("payment"), "payment"),
                payment_intent_id="",
                amount=_amount(refund.get("amount")),
                currency=_currency(refund.get("currency")),
                status=GENERIC_REFUND_STATUS[kind],
                failure_reason=_text(refund.get("failure_reason"), 100),
                reason=_text(refund.get("reason"), 60),
                metadata={"ombuds_key": _text(refund.get("reference"), 255)}
                if refund.get("reference")
                else {},
                observed_at=observed_at,
            )
        ]
    return Unsupported(kind)
