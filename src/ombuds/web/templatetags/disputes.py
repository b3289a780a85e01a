"""Template helpers of the dispute pages, in the desk and both portals."""

from __future__ import annotations

from babel.numbers import format_percent
from django import template
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language, ngettext, to_locale
from django.utils.translation import gettext as _

from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.disputes.models import Ending, Role, Visibility
from ombuds.marketplace.models import ShipmentStatus, TransferStatus
from ombuds.web.portal.dispute_pages import party_status as _party_status

register = template.Library()


def _format(amount, currency) -> str:
    if amount is None or not currency:
        return ""
    try:
        return Money(int(amount), str(currency)).format(to_locale(get_language() or "en"))
    except (ApplicationError, ValueError, TypeError):
        return f"{amount} {currency}"


@register.simple_tag
def amount(value, currency) -> str:
    """Minor units in the page's language: {% amount 4000 "EUR" %} is '€40.00'."""
    return _format(value, currency)


@register.filter
def money_of(value, currency) -> str:
    """The same, as a filter: {{ order.total|money_of:order.currency }}."""
    return _format(value, currency)


@register.simple_tag
def party_status(dispute, role):
    return _party_status(dispute, role)


@register.simple_tag
def author_of(message, role) -> str:
    """Who wrote a message, as the reader names them: you, the buyer, the seller, the
    platform (agents are named by their first name only to the parties)."""
    if message.author_role == role:
        return _("You")
    if message.author_role == Role.BUYER:
        return _("Buyer")
    if message.author_role == Role.SELLER:
        return _("Seller")
    if role == Role.AGENT and message.author_user is not None:
        return message.author_user.display_name
    user = message.author_user
    first = user.name.split()[0] if user is not None and user.name.strip() else ""
    workspace = message.dispute.workspace.name
    if first:
        return _("%(name)s from %(workspace)s") % {"name": first, "workspace": workspace}
    return workspace


@register.simple_tag
def submitter_of(item, role) -> str:
    if item.submitted_by_role == role:
        return _("You")
    if item.submitted_by_role == Role.SYSTEM:
        return _("Order data")
    return {
        Role.BUYER: _("Buyer"),
        Role.SELLER: _("Seller"),
        Role.AGENT: _("Platform"),
    }.get(item.submitted_by_role, "")


@register.simple_tag
def visibility_for(visibility, role) -> str:
    """Who may read it, said from where the reader stands."""
    if visibility == Visibility.PARTIES:
        return _("seen by buyer, seller and platform")
    if visibility == Visibility.INTERNAL:
        return _("platform only")
    if role == Role.AGENT:
        return _("seen by the buyer") if visibility == Visibility.BUYER else _("seen by the seller")
    return _("seen by you and the platform")


def _day(value) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        return ""
    return date_format(localtime(moment), "DATE_FORMAT")


@register.simple_tag
def facts_line(item) -> str:
    """A record from the order's data on one line: 'PostNL · 3S123 · Lost'."""
    facts = item.facts or {}
    if item.kind == "tracking":
        parts = [
            facts.get("carrier"),
            facts.get("tracking_number"),
            str(dict(ShipmentStatus.choices).get(facts.get("status"), facts.get("status") or "")),
            _("delivered %(day)s") % {"day": _day(facts["delivered_at"])}
            if facts.get("delivered_at")
            else "",
        ]
    else:
        parts = [
            facts.get("provider"),
            facts.get("confirmation"),
            str(
                dict(TransferStatus.choices).get(
                    facts.get("transfer_status"), facts.get("transfer_status") or ""
                )
            ),
            _("transferred %(day)s") % {"day": _day(facts["transferred_at"])}
            if facts.get("transferred_at")
            else "",
        ]
    return " · ".join(str(p) for p in parts if p)


@register.simple_tag
def percent(rate) -> str:
    """A share as people read it in the page's language: 0.025 is '2.5%' or '2,5%'."""
    return format_percent(rate or 0, format="#,##0.0%", locale=to_locale(get_language() or "en"))


@register.simple_tag
def hours_of(duration) -> str:
    """A duration in hours (or days, past two days), rounded."""
    hours = duration.total_seconds() / 3600
    if hours >= 48:
        days = round(hours / 24)
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    whole = max(1, round(hours))
    return ngettext("%(n)d hour", "%(n)d hours", whole) % {"n": whole}


@register.simple_tag
def ending_label(code) -> str:
    return str(dict(Ending.choices).get(code, code))


@register.filter
def yesno_state(state, states: str) -> bool:
    """Is `state` one of the comma-separated `states`?"""
    return state in states.split(",")


@register.simple_tag
def dispute_event(event) -> str:
    """One line of a dispute's history: who did what, and where it went."""
    from ombuds.disputes.models import State
    from ombuds.disputes.transitions import TABLE

    move = TABLE.get(event.action)
    what = str(move.label) if move else event.action
    if event.actor_user is not None:
        who = event.actor_user.display_name
    elif event.actor_party is not None:
        who = str(event.actor_party)
    else:
        who = event.actor_label or _("System")
    if event.from_state != event.to_state:
        where = str(dict(State.choices).get(event.to_state, event.to_state))
        return _("%(who)s: %(what)s → %(where)s") % {"who": who, "what": what, "where": where}
    return _("%(who)s: %(what)s") % {"who": who, "what": what}


@register.simple_tag
def reason_label(code) -> str:
    from ombuds.disputes.models import Reason

    return str(dict(Reason.choices).get(code, code))


@register.filter
def debit(money) -> str:
    """A ledger leg's amount in the debit column (positive legs), else nothing."""
    if not isinstance(money, Money) or money.amount <= 0:
        return ""
    return _format(money.amount, money.currency)


@register.filter
def credit(money) -> str:
    """A ledger leg's amount in the credit column (negative legs, shown positive)."""
    if not isinstance(money, Money) or money.amount >= 0:
        return ""
    return _format(-money.amount, money.currency)


@register.simple_tag
def bearer_label(value) -> str:
    """Who bears a cost, in the page's language."""
    labels = {
        "seller": _("the seller"),
        "platform": _("the platform"),
        "carrier": _("the carrier"),
        "buyer": _("the buyer"),
    }
    return labels.get(value, value or "—")


@register.simple_tag
def outcome_label(value) -> str:
    from ombuds.disputes.models import Outcome

    try:
        return str(Outcome(value).label)
    except ValueError:
        return value or ""
