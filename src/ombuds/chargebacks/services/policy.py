"""The refund policy a chargeback's evidence shows the bank: the return rules of the
workspace's commerce policy version in force, in plain sentences (English, the language
the bank reads), and the version that says so."""

from __future__ import annotations

from ombuds.marketplace.models import OrderKind
from ombuds.policies.models import Bearer
from ombuds.policies.services import policy_in_force

from ..models import Chargeback

_KIND = {
    OrderKind.GOODS: "Shipped goods",
    OrderKind.EVENT_TICKET: "Event tickets",
    OrderKind.HOTEL: "Hotel reservations",
    OrderKind.FLIGHT: "Flights",
}
_PAYS = {Bearer.BUYER: "the buyer", Bearer.SELLER: "the seller", Bearer.PLATFORM: "we"}


def refund_policy_for(chargeback: Chargeback) -> tuple[str, list[str]]:
    """(how the policy was shown, the policy's lines) for the order's workspace."""
    policy = policy_in_force(workspace=chargeback.workspace)
    lines = []
    for kind, label in _KIND.items():
        rule = policy.returns.get(kind)
        if rule is None:
            continue
        if rule.window_days == 0:
            lines.append(f"{label}: cannot be returned once bought.")
            continue
        start = "delivery" if kind == OrderKind.GOODS else "purchase"
        payer = _PAYS.get(rule.shipping_paid_by, rule.shipping_paid_by)
        lines.append(
            f"{label}: may be returned within {rule.window_days} days of {start}; when "
            f"nobody is at fault, {payer} pay{'s' if payer != 'we' else ''} the return."
        )
    lines.append(
        "When the seller, the carrier or the platform is at fault, the buyer is refunded "
        "and does not pay for the return."
    )
    disclosure = (
        f"The refund policy (version {policy.number}) is part of the marketplace's terms, "
        "which the buyer accepts at checkout, and is shown on every order's page."
    )
    return disclosure, lines
