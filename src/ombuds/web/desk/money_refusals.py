"""What a refusal about money says to an agent, in the agent's language; other codes go
to the desk's general refusals."""

from __future__ import annotations

from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money

from . import refusals


def _amount(details: dict, key: str) -> str:
    try:
        return Money(int(details[key]), str(details["currency"])).format(
            to_locale(get_language() or "en")
        )
    except (KeyError, TypeError, ValueError, ApplicationError):
        return "?"


def refusal_message(error: ApplicationError) -> str:
    details = error.details if isinstance(error.details, dict) else {}
    code = error.code
    if code == "refund_exceeds_capture":
        return _("At most %(amount)s can still be refunded on this order.") % {
            "amount": _amount(details, "refundable")
        }
    if code == "approval_above_limit":
        return _("This amount is above your own limit of %(limit)s.") % {
            "limit": _amount({**details, "limit": details.get("limit") or 0}, "limit")
        }
    simple = {
        "idempotency_key_reused": _("This form was already used for another amount; reload."),
        "own_request": _("You cannot decide your own request; a colleague must."),
        "approval_decided": _("This request was already decided."),
        "note_required": _("Say why the request is rejected."),
        "buyer_bears_cost": _("Under the fault rules the buyer bears this; nothing is owed."),
        "bearer_contradicts_policy": _("The fault rule for this cause names another bearer."),
        "bearer_required": _("Say who bears the cost, or name the cause."),
        "no_seller": _("This order has no seller to charge."),
        "no_carrier": _("This order has no shipment, so no carrier to claim from."),
        "currency_mismatch": _("The amount must be in the order's currency."),
        "refund_paid_out": _("This refund was already paid out; it cannot be reversed."),
        "already_reversed": _("This movement was already reversed."),
        "policy_changed": _("Someone changed the policy meanwhile; reload and try again."),
        "invalid_policy": _("The policy is not valid; see the marked fields."),
        "forbidden": _("Your role does not allow this."),
    }
    if code in simple:
        return str(simple[code])
    return refusals.refusal_message(error)
