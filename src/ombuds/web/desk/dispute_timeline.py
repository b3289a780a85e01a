"""Dispute and rescue-ladder events on the case timeline, as sentences.

A dispute event names the transition it recorded (`dispute.<action>`), whose label comes
from the transition table; a rescue event names the ladder's step and what happened on
it, with its cost. Names and values are escaped; only the sentence is trusted markup.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.disputes.transitions import TABLE
from ombuds.rescue.models import StepKind

__all__ = ["describe", "details", "handles"]

RESCUE_WHAT = {
    "started": gettext_lazy("the seller and the provider were asked to make the booking work"),
    "original_worked": gettext_lazy("the original booking works"),
    "original_failed": gettext_lazy("the original booking could not be saved"),
    "alternatives": gettext_lazy("alternatives were proposed to the buyer"),
    "buyer_chose": gettext_lazy("the buyer said which alternative they prefer"),
    "rebooked": gettext_lazy("the buyer was rebooked"),
    "rebooking_waits": gettext_lazy("the rebooking waits for approval"),
    "refunded": gettext_lazy("the buyer was refunded"),
    "refund_waits": gettext_lazy("the refund waits for approval"),
    "credited": gettext_lazy("the buyer received store credit"),
    "credit_waits": gettext_lazy("the credit waits for approval"),
    "step_failed": gettext_lazy("the step did not work; on to the next"),
}


def handles(kind: str) -> bool:
    return (kind.startswith("dispute.") and kind[8:] in TABLE) or (
        kind.startswith("rescue.") and kind[7:] in RESCUE_WHAT
    )


def _b(value) -> SafeString:
    return format_html("<strong>{}</strong>", value)


def _money(amount, currency) -> str:
    try:
        return Money(int(amount or 0), str(currency or "")).format()
    except (ApplicationError, TypeError, ValueError):
        return f"{amount} {currency}"


def describe(event, actor: SafeString) -> SafeString:
    data = event.data or {}
    if event.kind.startswith("dispute."):
        move = TABLE[event.kind[8:]]
        return mark_safe(
            _("%(actor)s: %(step)s, dispute %(dispute)s")
            % {"actor": actor, "step": _b(move.label), "dispute": _b(data.get("dispute", "?"))}
        )
    number = data.get("step")
    try:
        step = StepKind(int(number)).label
    except (TypeError, ValueError):
        step = "?"
    return mark_safe(
        _("Rescue step %(number)s (%(step)s): %(what)s")
        % {
            "number": _b(number),
            "step": _b(step),
            "what": format_html("{}", RESCUE_WHAT[event.kind[7:]]),
        }
    )


def details(event) -> str:
    data = event.data or {}
    if event.kind.startswith("rescue."):
        parts = []
        if data.get("cost"):
            parts.append(
                _("cost %(amount)s") % {"amount": _money(data["cost"], data.get("currency"))}
            )
        if data.get("option"):
            parts.append(str(data["option"])[:200])
        if data.get("note"):
            parts.append(str(data["note"])[:200])
        return " · ".join(parts)
    parts = []
    if data.get("outcome"):
        parts.append(str(data["outcome"]).replace("_", " "))
    if data.get("amount") and data.get("bearer"):
        parts.append(_("borne by %(bearer)s") % {"bearer": data["bearer"]})
    if data.get("statement"):
        parts.append(str(data["statement"])[:200])
    return " · ".join(parts)
