"""The money and approval events of a case's timeline as sentences, in the agent's
language, every value escaped (the desk's timeline hands these kinds here)."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from ombuds.accounts.models import Role
from ombuds.conversations.models import CaseEvent
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.ledger.models import Outcome
from ombuds.policies.models import ActionKind, Bearer, Reason

KINDS = ("money.", "approval.")


def _b(value) -> SafeString:
    return format_html("<strong>{}</strong>", value)


def _amount(data: dict) -> str:
    try:
        return Money(int(data["amount"]), str(data["currency"])).format(
            to_locale(get_language() or "en")
        )
    except (KeyError, TypeError, ValueError, ApplicationError):
        return "?"


def _label(choices, value) -> str:
    return str(dict(choices.choices).get(value, value or "—"))


def _say(template: str, **parts) -> SafeString:
    # `template` is a translated catalogue string, the only unescaped text here.
    return mark_safe(template % parts)


def describe(event: CaseEvent, actor: SafeString) -> SafeString:
    data = event.data or {}
    amount = _b(_amount(data))
    bearer = _b(_label(Bearer, data.get("bearer")))
    kind = event.kind
    if kind == "money.refunded":
        return _say(
            _("%(actor)s refunded %(amount)s to the buyer, charged to %(bearer)s"),
            actor=actor,
            amount=amount,
            bearer=bearer,
        )
    if kind == "money.credited":
        return _say(
            _("%(actor)s gave %(amount)s store credit, charged to %(bearer)s"),
            actor=actor,
            amount=amount,
            bearer=bearer,
        )
    if kind == "money.seller_debited":
        return _say(_("%(actor)s debited the seller %(amount)s"), actor=actor, amount=amount)
    if kind == "money.rebooking_paid":
        return _say(
            _("%(actor)s booked a rebooking of %(amount)s, charged to %(bearer)s"),
            actor=actor,
            amount=amount,
            bearer=bearer,
        )
    if kind == "money.reversed":
        return _say(_("%(actor)s reversed a movement of %(amount)s"), actor=actor, amount=amount)
    if kind == "money.refund_paid_out":
        return _say(_("The refund of %(amount)s was paid out to the buyer"), amount=amount)
    if kind == "money.charged_back":
        return _say(
            _("%(actor)s took back %(amount)s for the chargeback, charged to %(bearer)s"),
            actor=actor,
            amount=amount,
            bearer=bearer,
        )
    if kind == "money.chargeback_reinstated":
        return _say(
            _("%(actor)s gave back %(amount)s of the chargeback"), actor=actor, amount=amount
        )
    what = _b(_label(ActionKind, data.get("kind")).lower())
    if kind == "approval.requested":
        return _say(
            _("%(actor)s asked approval for a %(what)s of %(amount)s; %(role)s decides"),
            actor=actor,
            what=what,
            amount=amount,
            role=_b(_label(Role, data.get("routed_to")).lower()),
        )
    if kind == "approval.decided" and event.after == "approved":
        return _say(
            _("%(actor)s approved the %(what)s of %(amount)s"),
            actor=actor,
            what=what,
            amount=amount,
        )
    if kind == "approval.decided":
        return _say(
            _("%(actor)s rejected the %(what)s of %(amount)s"),
            actor=actor,
            what=what,
            amount=amount,
        )
    return _say(_("%(actor)s: %(kind)s"), actor=actor, kind=_b(kind))


def details(event: CaseEvent) -> str:
    """Reason, outcome, the fault rule and policy version, and the note (plain text)."""
    data = event.data or {}
    parts = []
    if data.get("reason"):
        parts.append(_label(Reason, data["reason"]))
    if data.get("outcome"):
        parts.append(_label(Outcome, data["outcome"]))
    if data.get("fault_rule"):
        parts.append(_("rule %(rule)s") % {"rule": data["fault_rule"]})
    if data.get("policy_version"):
        parts.append(_("policy v%(number)s") % {"number": data["policy_version"]})
    note = data.get("memo") or data.get("justification") or data.get("note")
    if note:
        parts.append(str(note))
    return " · ".join(parts)[:300]
