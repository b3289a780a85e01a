"""Money actions of resolutions: refund, credit, seller debit, rebooking, reversal.

Each one, in one transaction:

1. checks the request (`requests.check_request`) before taking any lock;
2. locks the order and its payments (or the buyer, for a credit without an order);
3. replays the first answer when its idempotency key was seen with the same request,
   and refuses the key (409) when it came with a different one;
4. checks the actor's authority under the policy in force: above it, the action waits
   as an `ApprovalRequest` (approval.requested on the case) and moves nothing;
5. otherwise writes the balanced transaction, the case's money.* event and the
   announcement for the outbox.

A refund never exceeds what the order's payments captured minus what they refunded
and what the desk refunded that is still pending: it is checked under the payment
locks, when it is asked and again when an approval executes it.
"""

from __future__ import annotations

from ombuds.conversations.models import Case
from ombuds.core.models import Workspace
from ombuds.core.money import Money
from ombuds.marketplace.models import Order, Party
from ombuds.policies.models import ActionKind

from ..authority import MoneyActor
from ..models import Transaction
from ..requests import ActionRequest
from .execution import MoneyResult, submit

__all__ = [
    "MoneyResult",
    "credit_buyer",
    "debit_seller",
    "pay_rebooking",
    "refund_buyer",
    "reverse_transaction",
]


# --- the public actions -------------------------------------------------------------------


def refund_buyer(
    *,
    workspace: Workspace,
    actor: MoneyActor,
    order: Order,
    amount: Money,
    reason: str,
    idempotency_key: str,
    bearer: str = "",
    cause: str | None = None,
    outcome: str = "",
    case: Case | None = None,
    note: str = "",
) -> MoneyResult:
    """Pay money of the order back to its buyer, in full or in part, charged to whoever
    bears it: the seller's balance, the platform's cost or a claim on the carrier. With a
    `cause`, the fault rules say who bears it (and a `bearer` given must agree)."""
    return submit(
        workspace,
        actor,
        idempotency_key,
        ActionRequest(
            kind=ActionKind.REFUND,
            amount=amount,
            order=order,
            case=case,
            bearer=bearer,
            reason=reason,
            outcome=outcome,
            cause=cause,
            note=note,
        ),
    )


def credit_buyer(
    *,
    workspace: Workspace,
    actor: MoneyActor,
    amount: Money,
    reason: str,
    idempotency_key: str,
    bearer: str = "",
    cause: str | None = None,
    order: Order | None = None,
    buyer: Party | None = None,
    outcome: str = "",
    case: Case | None = None,
    note: str = "",
) -> MoneyResult:
    """Give the buyer store credit (compensation, goodwill). On an order it is held to
    the order's compensation budget as well as the actor's limit."""
    return submit(
        workspace,
        actor,
        idempotency_key,
        ActionRequest(
            kind=ActionKind.CREDIT,
            amount=amount,
            order=order,
            buyer=buyer,
            case=case,
            bearer=bearer,
            reason=reason,
            outcome=outcome,
            cause=cause,
            note=note,
        ),
    )


def debit_seller(
    *,
    workspace: Workspace,
    actor: MoneyActor,
    order: Order,
    amount: Money,
    reason: str,
    idempotency_key: str,
    case: Case | None = None,
    note: str = "",
) -> MoneyResult:
    """Charge the order's seller for a cost the platform fronted: their balance goes
    down, the platform's cost with it."""
    return submit(
        workspace,
        actor,
        idempotency_key,
        ActionRequest(
            kind=ActionKind.SELLER_DEBIT,
            amount=amount,
            order=order,
            case=case,
            reason=reason,
            note=note,
        ),
    )


def pay_rebooking(
    *,
    workspace: Workspace,
    actor: MoneyActor,
    order: Order,
    amount: Money,
    reason: str,
    idempotency_key: str,
    bearer: str = "",
    cause: str | None = None,
    case: Case | None = None,
    note: str = "",
) -> MoneyResult:
    """Book the cost of a replacement booking (the rescue ladder's rebooking step),
    held to the order's rebooking budget: above it the rebooking needs approval."""
    return submit(
        workspace,
        actor,
        idempotency_key,
        ActionRequest(
            kind=ActionKind.REBOOKING,
            amount=amount,
            order=order,
            case=case,
            bearer=bearer,
            reason=reason,
            cause=cause,
            note=note,
        ),
    )


def reverse_transaction(
    *,
    workspace: Workspace,
    actor: MoneyActor,
    transaction: Transaction,
    idempotency_key: str,
    note: str = "",
) -> MoneyResult:
    """Undo a refund not yet paid out, a credit, a seller debit or a rebooking with a
    movement of the opposite sign. The original stays as it was written."""
    return submit(
        workspace,
        actor,
        idempotency_key,
        ActionRequest(
            kind=ActionKind.REVERSAL,
            amount=Money(transaction.amount, transaction.currency),
            order=transaction.order,
            case=transaction.case,
            reason=transaction.reason,
            outcome=transaction.outcome,
            note=note,
            reverses=transaction,
        ),
    )
