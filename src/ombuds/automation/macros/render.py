"""Filling in a macro for a case: `{{ variable }}` and nothing else.

Macro texts are written by staff and the values come from customers and integrators (a
buyer's name, a carrier's tracking link), so no template language runs here: one regular
expression finds the placeholders, one pass replaces them with plain text, and a value
that itself looks like `{{ … }}` or `{% … %}` stays literal text. Replies are plain text;
the conversation service escapes them on their way to HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ombuds.accounts.models import User
from ombuds.conversations.models import Case
from ombuds.core.errors import ApplicationError

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# Anything written like a placeholder, so a text with `{{ order.number }}` is refused
# instead of sent with the braces in it.
LOOKS_LIKE_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_LOCALES = {"en": "en_GB", "nl": "nl_NL", "de": "de_DE", "fr": "fr_FR"}

VARIABLES: dict[str, object] = {
    "buyer_name": _("Buyer's name"),
    "buyer_first_name": _("Buyer's first name"),
    "order_number": _("Order number"),
    "tracking_link": _("Tracking link"),
    "tracking_number": _("Tracking number"),
    "carrier": _("Carrier"),
    "delivery_date": _("Promised delivery date"),
    "transfer_status": _("Transfer status"),
    "transfer_deadline": _("Transfer deadline"),
    "event_name": _("Event, hotel or flight"),
    "event_date": _("Event or check-in date"),
    "case_reference": _("Case reference"),
    "agent_name": _("Agent's name"),
    "workspace_name": _("Marketplace name"),
}


@dataclass
class Rendered:
    text: str
    missing: list[str] = field(default_factory=list)
    language: str = ""


def placeholders(text: str) -> list[str]:
    return list(dict.fromkeys(PLACEHOLDER.findall(text or "")))


def check_text(text: str, *, language: str) -> str:
    """A macro text may only name known variables."""
    text = (text or "").strip()
    if not text:
        raise ApplicationError(
            "empty_macro", "A macro needs its text.", details={"language": language}, status=422
        )
    written = [m.strip() for m in LOOKS_LIKE_PLACEHOLDER.findall(text)]
    if unknown := [name for name in written if name not in VARIABLES]:
        raise ApplicationError(
            "unknown_macro_variable",
            f"{{{{ {unknown[0]} }}}} is not a variable macros can use.",
            details={"language": language, "unknown": unknown, "allowed": sorted(VARIABLES)},
            status=422,
        )
    return text


def _locale(language: str) -> str:
    return _LOCALES.get(language, _LOCALES["en"])


def case_values(case: Case, *, language: str, agent: User | None = None) -> dict[str, Callable]:
    """Lazily computed values of every variable for one case (empty when unknown)."""
    tz = ZoneInfo(case.workspace.timezone or "UTC")
    locale = _locale(language)
    order = case.order
    shipment = order.shipments.order_by("pk").first() if order is not None else None
    booking = order.bookings.order_by("pk").first() if order is not None else None

    def day(moment) -> str:
        if moment is None:
            return ""
        if hasattr(moment, "astimezone"):
            moment = moment.astimezone(tz).date()
        return format_date(moment, "EEEE d MMMM", locale=locale)

    def when(moment) -> str:
        if moment is None:
            return ""
        return format_datetime(moment, "EEEE d MMMM, HH:mm", tzinfo=tz, locale=locale)

    def transfer_status() -> str:
        if booking is None:
            return ""
        with translation.override(language):
            return str(booking.get_transfer_status_display())

    def tracking_link() -> str:
        url = (shipment.tracking_url if shipment else "") or ""
        return url if url.lower().startswith(("https://", "http://")) else ""

    name = case.requester.name or ""
    agent = agent or case.assignee
    return {
        "buyer_name": lambda: name or case.requester.email,
        "buyer_first_name": lambda: name.split()[0] if name.split() else "",
        "order_number": lambda: order.external_id if order else "",
        "tracking_link": tracking_link,
        "tracking_number": lambda: shipment.tracking_number if shipment else "",
        "carrier": lambda: shipment.carrier if shipment else "",
        "delivery_date": lambda: day(shipment.promised_at) if shipment else "",
        "transfer_status": transfer_status,
        "transfer_deadline": lambda: when(booking.transfer_due_at) if booking else "",
        "event_name": lambda: booking.title if booking else "",
        "event_date": lambda: day(booking.starts_at) if booking else "",
        "case_reference": lambda: case.reference,
        "agent_name": lambda: agent.display_name if agent else "",
        "workspace_name": lambda: case.workspace.name,
    }


def fill(text: str, values: dict[str, Callable[[], str]]) -> Rendered:
    """Replace each placeholder once with its value's plain text; collect the missing."""
    missing: list[str] = []
    cache: dict[str, str] = {}

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in cache:
            produce = values.get(name)
            cache[name] = str(produce() or "") if produce else ""
        if not cache[name] and name not in missing:
            missing.append(name)
        return cache[name]

    return Rendered(text=PLACEHOLDER.sub(replace, text or ""), missing=missing)
