"""Who bears the cost when something goes wrong, by the workspace's fault rules.

The rule of thumb the default policy encodes: the party at fault sorts it out. A seller's
error is the seller's cost; a buyer's error (a wrong address, the wrong size) leaves the
buyer to arrange the return; a carrier's loss becomes a claim on the carrier; the
platform's own error is the platform's cost. Every answer names the rule and the policy
version it came from, so a decision can show why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from ombuds.core.errors import ApplicationError
from ombuds.marketplace.models import Order, OrderKind, ShipmentStatus, TransferStatus

from .document import Policy
from .models import AT_FAULT, Bearer, Cause, Reason, ReturnBy


@dataclass(frozen=True)
class ReturnWindow:
    days: int
    opens_at: datetime | None  # delivery for goods, purchase otherwise; None: not yet
    closes_at: datetime | None

    def is_open(self, at: datetime) -> bool:
        if self.days == 0:
            return False
        # Goods still on their way can be returned once they arrive.
        return self.closes_at is None or at <= self.closes_at


@dataclass(frozen=True)
class FaultAttribution:
    """The outcome of the fault rules for one problem on one order."""

    cause: str
    at_fault: str  # whose error it is (Bearer)
    bears: str  # who bears the cost (Bearer)
    return_by: str  # who arranges the return (ReturnBy)
    return_shipping_paid_by: str | None  # None: nothing goes back
    return_window_open: bool
    rule: str  # the rule that applied: 'fault.wrong_size'
    policy_version_id: int | None
    policy_number: int
    inferred: bool  # the cause was read from the order's data rather than given

    @property
    def ledger_bearer(self) -> str | None:
        """Whose account a refund or credit under this rule is charged to: seller,
        carrier or platform. None when the buyer bears it: nothing is owed to them."""
        return None if self.bears == Bearer.BUYER else self.bears


def return_window(policy: Policy, order: Order) -> ReturnWindow:
    """How long this order may be returned, counted from delivery for shipped goods and
    from the purchase for everything else."""
    days = policy.returns[order.kind].window_days
    if order.kind == OrderKind.GOODS:
        delivered = [s.delivered_at for s in order.shipments.all() if s.delivered_at]
        opens_at = max(delivered) if delivered else None
    else:
        opens_at = order.placed_at or order.created_at
    closes_at = opens_at + timedelta(days=days) if opens_at is not None and days else None
    return ReturnWindow(days=days, opens_at=opens_at, closes_at=closes_at)


def attribute_fault(
    *,
    policy: Policy,
    cause: str,
    order: Order | None = None,
    at: datetime | None = None,
    inferred: bool = False,
) -> FaultAttribution:
    """Apply the policy's rule for an established cause: who bears the cost, who
    arranges the return, who pays its postage and whether the return window is open."""
    if cause not in Cause.values:
        raise ApplicationError(
            "unknown_cause",
            f"{cause!r} is not a cause a fault rule knows.",
            details={"allowed": Cause.values},
            status=422,
        )
    rule = policy.fault_rules[cause]
    if rule.return_by == ReturnBy.NONE:
        shipping = None
    elif cause == Cause.CHANGED_MIND and order is not None:
        # Nobody erred: the return rule of the order's kind says who pays the postage.
        shipping = policy.returns[order.kind].shipping_paid_by
    else:
        shipping = rule.bears
    window_open = True
    if order is not None and rule.return_by != ReturnBy.NONE:
        window_open = return_window(policy, order).is_open(at or timezone.now())
    return FaultAttribution(
        cause=cause,
        at_fault=AT_FAULT[cause],
        bears=rule.bears,
        return_by=rule.return_by,
        return_shipping_paid_by=shipping,
        return_window_open=window_open,
        rule=rule.code,
        policy_version_id=policy.version_id,
        policy_number=policy.number,
        inferred=inferred,
    )


_SHIPMENT_CAUSES = {
    ShipmentStatus.LOST: Cause.CARRIER_LOSS,
    ShipmentStatus.DAMAGED: Cause.CARRIER_DAMAGE,
    ShipmentStatus.DELAYED: Cause.CARRIER_DELAY,
}
# Reasons that say by themselves whose error it is.
_REASON_CAUSES = {
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


def infer_cause(*, reason: str, order: Order | None) -> str | None:
    """The cause the order's own data points to for this reason, or None when a person
    has to establish it (a parcel marked delivered that the buyer says never came)."""
    if reason in _REASON_CAUSES:
        return _REASON_CAUSES[reason]
    if order is None:
        return None
    shipments = list(order.shipments.all())
    bookings = list(order.bookings.all())
    statuses = {s.status for s in shipments}
    if reason in (Reason.NOT_RECEIVED, Reason.DAMAGED, Reason.LATE_DELIVERY):
        wanted = {
            Reason.NOT_RECEIVED: ShipmentStatus.LOST,
            Reason.DAMAGED: ShipmentStatus.DAMAGED,
            Reason.LATE_DELIVERY: ShipmentStatus.DELAYED,
        }[reason]
        if wanted in statuses:
            return _SHIPMENT_CAUSES[wanted]
        if reason == Reason.NOT_RECEIVED and any(
            b.transfer_status in (TransferStatus.FAILED, TransferStatus.PENDING) for b in bookings
        ):
            return Cause.TRANSFER_NOT_MADE
    return None


def apply_fault_rules(
    *,
    policy: Policy,
    reason: str,
    order: Order | None = None,
    cause: str | None = None,
    at: datetime | None = None,
) -> FaultAttribution:
    """Who bears the cost of a problem raised for `reason`: by the cause a person
    established, or else by the cause the order's data shows. Refuses when neither
    says whose fault it is."""
    if reason not in Reason.values:
        raise ApplicationError(
            "unknown_reason",
            f"{reason!r} is not a reason code.",
            details={"allowed": Reason.values},
            status=422,
        )
    if cause is not None:
        return attribute_fault(policy=policy, cause=cause, order=order, at=at)
    found = infer_cause(reason=reason, order=order)
    if found is None:
        raise ApplicationError(
            "cause_needed",
            "The order's data does not show whose fault this is; name the cause.",
            details={"reason": reason, "allowed": Cause.values},
            status=422,
        )
    return attribute_fault(policy=policy, cause=found, order=order, at=at, inferred=True)
