"""A money action as asked for, checked before anything is locked or written.

What the caller asked (`params`) is what its idempotency key stands for: a retry with
the same key must ask exactly the same. What the ledger derives from the asking (the
buyer of the order, who bears the cost under a fault rule) is worked out when the action
executes, under the policy version it was asked under.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from ombuds.conversations.models import Case
from ombuds.core.errors import ApplicationError, Conflict, NotFound
from ombuds.core.models import Workspace
from ombuds.core.money import Money
from ombuds.marketplace.models import Order, Party
from ombuds.policies.models import ActionKind, Bearer, Cause, Reason

from .models import Outcome, Transaction, TransactionKind

MAX_KEY = 255
MAX_NOTE = 500
# Who a refund, credit or rebooking can be charged to: never the buyer, who is the one
# being paid.
CHARGEABLE = (Bearer.SELLER, Bearer.PLATFORM, Bearer.CARRIER)
NEEDS_ORDER = (ActionKind.REFUND, ActionKind.SELLER_DEBIT, ActionKind.REBOOKING)
NEEDS_BEARER = (ActionKind.REFUND, ActionKind.CREDIT, ActionKind.REBOOKING)
REVERSIBLE = (
    TransactionKind.REFUND,
    TransactionKind.CREDIT,
    TransactionKind.SELLER_DEBIT,
    TransactionKind.REBOOKING,
)


def _refuse(code: str, message: str, **details) -> ApplicationError:
    return ApplicationError(code, message, details=details or None, status=422)


@dataclass(frozen=True)
class ActionRequest:
    kind: str
    amount: Money
    order: Order | None = None
    buyer: Party | None = None
    case: Case | None = None
    bearer: str = ""
    reason: str = ""
    outcome: str = ""
    cause: str | None = None
    note: str = ""
    reverses: Transaction | None = None

    def params(self) -> dict[str, Any]:
        """The request in plain values: what is stored, compared on a retry, and read
        back when an approval executes it."""
        return {
            "kind": self.kind,
            "amount": self.amount.amount,
            "currency": self.amount.currency,
            "order": self.order.pk if self.order else None,
            "buyer": self.buyer.pk if self.buyer else None,
            "case": self.case.pk if self.case else None,
            "bearer": self.bearer,
            "reason": self.reason,
            "outcome": self.outcome,
            "cause": self.cause,
            "note": self.note,
            "reverses": self.reverses.pk if self.reverses else None,
        }

    def fingerprint(self) -> str:
        raw = json.dumps(self.params(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def buyer_id(self) -> int | None:
        if self.buyer is not None:
            return self.buyer.pk
        return self.order.buyer_id if self.order is not None else None


def check_key(key: str) -> str:
    key = (key or "").strip() if isinstance(key, str) else ""
    if not key or len(key) > MAX_KEY or not key.isprintable() or key.startswith("~"):
        raise _refuse(
            "invalid_idempotency_key",
            f"A money action needs an idempotency key of 1 to {MAX_KEY} printable "
            "characters, not starting with '~'.",
        )
    return key


def _check_owned(workspace: Workspace, row, what: str) -> None:
    if row is not None and row.workspace_id != workspace.pk:
        raise NotFound(what, getattr(row, "pk", None))


def tidy(req: ActionRequest) -> ActionRequest:
    """The request with its note's white space collapsed, as it is stored and compared."""
    if not isinstance(req.amount, Money):
        raise _refuse("invalid_amount", "The amount must be money.", field="amount")
    return replace(req, note=" ".join((req.note or "").split()))


def check_owned(workspace: Workspace, req: ActionRequest) -> None:
    """Rows of another workspace do not exist here."""
    rows = (
        (req.order, "order"),
        (req.buyer, "party"),
        (req.case, "case"),
        (req.reverses, "transaction"),
    )
    for row, what in rows:
        _check_owned(workspace, row, what)


def check_request(workspace: Workspace, req: ActionRequest) -> ActionRequest:
    """Refuse a request that can never be carried out, naming the field."""
    check_owned(workspace, req)
    if req.kind not in ActionKind.values:
        raise _refuse("unknown_action", f"{req.kind!r} is not a money action.")
    if not isinstance(req.amount, Money) or req.amount.amount <= 0:
        raise _refuse("amount_not_positive", "The amount must be more than zero.", field="amount")
    if req.kind in NEEDS_ORDER and req.order is None:
        raise _refuse("order_required", "This money action needs an order.", field="order")
    if req.order is not None and req.amount.currency != req.order.currency:
        raise _refuse(
            "currency_mismatch",
            f"The order is in {req.order.currency}; the amount is in {req.amount.currency}.",
            field="amount",
            order_currency=req.order.currency,
        )
    if req.kind == ActionKind.CREDIT and req.buyer_id is None:
        raise _refuse("buyer_required", "A credit needs a buyer or an order.", field="buyer")
    if req.buyer is not None and req.order is not None and req.buyer.pk != req.order.buyer_id:
        raise _refuse("buyer_not_on_order", "That buyer did not place this order.", field="buyer")
    if req.case is not None and req.case.order_id not in (None, getattr(req.order, "pk", None)):
        raise _refuse("case_order_mismatch", "The case is about another order.", field="case")
    if req.kind != ActionKind.REVERSAL and req.reason not in Reason.values:
        raise _refuse("unknown_reason", "Name the reason code.", field="reason")
    if req.outcome and req.outcome not in Outcome.values:
        raise _refuse("unknown_outcome", f"{req.outcome!r} is not an outcome.", field="outcome")
    if req.cause is not None and req.cause not in Cause.values:
        raise _refuse("unknown_cause", f"{req.cause!r} is not a cause.", field="cause")
    if req.kind in NEEDS_BEARER:
        if req.bearer and req.bearer not in CHARGEABLE:
            raise _refuse(
                "unknown_bearer",
                "A seller, the platform or a carrier bears the cost.",
                field="bearer",
                allowed=list(CHARGEABLE),
            )
        if not req.bearer and req.cause is None:
            raise _refuse("bearer_required", "Say who bears the cost, or name the cause.")
    elif req.bearer:
        raise _refuse("bearer_not_applicable", "This action does not take a bearer.")
    if len(req.note) > MAX_NOTE:
        raise _refuse("note_too_long", f"A note holds at most {MAX_NOTE} characters.")
    if req.kind == ActionKind.REVERSAL:
        check_reversible(workspace, req.reverses)
    return req


def check_reversible(workspace: Workspace, tx: Transaction | None) -> None:
    if tx is None:
        raise _refuse("transaction_required", "Name the movement to reverse.")
    _check_owned(workspace, tx, "transaction")
    if tx.kind not in REVERSIBLE:
        raise _refuse(
            "not_reversible",
            f"A {tx.get_kind_display().lower()} cannot be reversed.",
            kind=tx.kind,
        )
    if Transaction.objects.filter(reverses=tx).exists():
        raise Conflict("already_reversed", "This movement was already reversed.")


def request_from_params(workspace: Workspace, params: dict[str, Any]) -> ActionRequest:
    """The stored request with its rows read back, within the workspace."""

    def row(model, pk):
        if pk is None:
            return None
        found = model.objects.filter(workspace=workspace, pk=pk).first()
        if found is None:
            raise NotFound(model._meta.model_name, pk)
        return found

    return ActionRequest(
        kind=params["kind"],
        amount=Money(params["amount"], params["currency"]),
        order=row(Order, params["order"]),
        buyer=row(Party, params["buyer"]),
        case=row(Case, params["case"]),
        bearer=params["bearer"],
        reason=params["reason"],
        outcome=params["outcome"],
        cause=params["cause"],
        note=params["note"],
        reverses=row(Transaction, params["reverses"]),
    )
