"""A dispute's money, moved through the ledger: which action an outcome takes, who
bears it and which fault rule says so. Every movement carries an idempotency key made
from the dispute and the step that asked for it, so a retried request moves nothing twice;
the ledger refuses a refund above what the order's payments captured minus what was
refunded, and holds anything above the actor's authority as an approval request."""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.accounts.models import Membership
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.core.money import Money
from ombuds.ledger.models import Outcome as LedgerOutcome
from ombuds.ledger.selectors import LedgerPreview, preview_ledger_effect
from ombuds.ledger.services.actions import MoneyResult, credit_buyer, pay_rebooking, refund_buyer
from ombuds.policies.fault import attribute_fault
from ombuds.policies.models import Bearer, Cause
from ombuds.policies.selectors import current_policy

from ..actors import DisputeActor, money_actor
from ..models import MONEY_OUTCOMES, Dispute, Outcome, Reason, Role

BEARERS = tuple(Bearer.values)

# The finding a reason code stands for, so the fault rules can say who bears it.
# Reasons that could be anyone's fault (a parcel not received: the seller's or the
# carrier's?) map to nothing; the agent names the bearer.
REASON_CAUSE: dict[str, str] = {
    Reason.NOT_AS_DESCRIBED: Cause.NOT_AS_DESCRIBED,
    Reason.SELLER_CANCELLED: Cause.SELLER_CANCELLED,
    Reason.TICKET_LATE: Cause.TRANSFER_NOT_MADE,
    Reason.TICKET_INVALID: Cause.SELLER_ERROR,
    Reason.BOOKING_NOT_HONOURED: Cause.SELLER_ERROR,
    Reason.TRANSFER_REFUSED: Cause.TRANSFER_NOT_MADE,
    Reason.DUPLICATE_CHARGE: Cause.DUPLICATE_CHARGE,
    Reason.PAID_BY_OTHER_MEANS: Cause.DUPLICATE_CHARGE,
    Reason.INCORRECT_AMOUNT: Cause.PLATFORM_ERROR,
    Reason.SUBSCRIPTION_CHARGED: Cause.PLATFORM_ERROR,
}
_LEDGER_OUTCOME = {
    Outcome.FULL_REFUND: LedgerOutcome.FULL_REFUND,
    Outcome.PARTIAL_REFUND: LedgerOutcome.PARTIAL_REFUND,
    Outcome.CREDIT: LedgerOutcome.COMPENSATION,
    Outcome.REBOOKING: LedgerOutcome.REBOOKING,
}


def check_actor(dispute: Dispute, actor: DisputeActor) -> None:
    """A party acts only on its own dispute, an agent only in its own workspace: to
    anyone else the dispute does not exist."""
    party = actor.party.pk if actor.party is not None else None
    if actor.role == Role.BUYER and party != dispute.buyer_id:
        raise NotFound("dispute", dispute.reference)
    if actor.role == Role.SELLER and (party is None or party != dispute.seller_id):
        raise NotFound("dispute", dispute.reference)
    if (
        actor.role == Role.AGENT
        and not Membership.objects.filter(
            workspace_id=dispute.workspace_id, user_id=actor.user_id
        ).exists()
    ):
        raise NotFound("dispute", dispute.reference)


@dataclass(frozen=True)
class Attribution:
    rule: str  # "" when no fault rule speaks to this reason and bearer
    cause: str | None  # passed to the ledger only when its rule agrees with the bearer
    policy_number: int


def attribution(dispute: Dispute, bearer: str) -> Attribution:
    """The fault rule behind `bearer` for this dispute's reason, when one agrees."""
    policy = current_policy(dispute.workspace)
    cause = REASON_CAUSE.get(dispute.reason)
    if cause is not None:
        found = attribute_fault(policy=policy, cause=cause, order=dispute.order)
        if found.bears == bearer:
            return Attribution(found.rule, cause, policy.number)
    return Attribution("", None, policy.number)


def _refuse(code: str, message: str, field: str, **details) -> ApplicationError:
    return ApplicationError(code, message, details={"field": field, **details}, status=422)


def check_outcome(
    dispute: Dispute, outcome: str, amount: Money | None, bearer: str
) -> Money | None:
    """The amount an outcome pays (None when it pays nothing), or a 422 saying why not."""
    if outcome not in Outcome.values:
        raise _refuse(
            "unknown_outcome",
            f"{outcome!r} is not an outcome.",
            "outcome",
            allowed=list(Outcome.values),
        )
    if bearer not in BEARERS:
        raise _refuse(
            "unknown_bearer",
            "Say who bears the cost: the seller, the platform, the buyer or the carrier.",
            "bearer",
            allowed=list(BEARERS),
        )
    if outcome not in MONEY_OUTCOMES:
        if amount is not None and amount.amount:
            raise _refuse(
                "outcome_takes_no_amount", "This outcome pays the buyer no money.", "amount"
            )
        return None
    if bearer == Bearer.BUYER:
        raise _refuse(
            "buyer_bears_cost",
            "The buyer cannot bear the cost of money paid to them; decide no refund, or "
            "say who else bears it.",
            "bearer",
        )
    if outcome == Outcome.FULL_REFUND and amount is None:
        amount = Money(dispute.amount, dispute.currency)
    if amount is None or amount.amount <= 0:
        raise _refuse("amount_required", "Give the amount this outcome pays.", "amount")
    if amount.currency != dispute.currency:
        raise _refuse(
            "currency_mismatch",
            f"The dispute is in {dispute.currency}; the amount is in {amount.currency}.",
            "amount",
        )
    if amount.amount > dispute.order.total:
        raise _refuse(
            "amount_above_order_total",
            "A decision cannot pay more than the order's total.",
            "amount",
            order_total=dispute.order.total,
        )
    return amount


def preview(
    dispute: Dispute, actor: DisputeActor, outcome: str, amount: Money, bearer: str
) -> LedgerPreview:
    found = attribution(dispute, bearer)
    kind = MONEY_OUTCOMES[outcome]
    return preview_ledger_effect(
        workspace=dispute.workspace,
        kind=kind,
        amount=amount,
        order=dispute.order,
        bearer=bearer,
        cause=found.cause,
        reason=dispute.reason,
        buyer=dispute.buyer if kind == "credit" else None,
        actor=money_actor(actor),
    )


def move(
    dispute: Dispute,
    actor: DisputeActor,
    *,
    outcome: str,
    amount: Money,
    bearer: str,
    key: str,
    note: str = "",
) -> MoneyResult:
    """Move the money `outcome` pays, in the caller's transaction."""
    found = attribution(dispute, bearer)
    common = {
        "workspace": dispute.workspace,
        "actor": money_actor(actor),
        "order": dispute.order,
        "amount": amount,
        "reason": dispute.reason,
        "idempotency_key": key,
        "bearer": bearer,
        "cause": found.cause,
        "case": dispute.case,
        "note": note or f"Dispute {dispute.reference}",
    }
    kind = MONEY_OUTCOMES[outcome]
    if kind == "refund":
        return refund_buyer(**common, outcome=_LEDGER_OUTCOME[outcome])
    if kind == "credit":
        return credit_buyer(**common, buyer=dispute.buyer, outcome=_LEDGER_OUTCOME[outcome])
    return pay_rebooking(**common)
