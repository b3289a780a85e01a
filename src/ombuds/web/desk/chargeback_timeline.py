"""Chargeback and provider-call events on the case timeline, as sentences.

Everything the provider wrote (a reason, a dispute id, an error message) is data and
escaped; only the translated sentence around it is trusted markup.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ombuds.chargebacks.events import KINDS
from ombuds.chargebacks.states import ChargebackState
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money

__all__ = ["KINDS", "describe", "details"]


def _b(value) -> SafeString:
    return format_html("<strong>{}</strong>", value)


def _say(template: str, **parts) -> SafeString:
    return mark_safe(template % parts)


def _state(value) -> str:
    return str(dict(ChargebackState.choices).get(value, value or "—"))


def _amount(data: dict) -> str:
    try:
        return Money(int(data.get("amount") or 0), str(data.get("currency") or "")).format()
    except (ApplicationError, TypeError, ValueError):
        return f"{data.get('amount')} {data.get('currency')}"


def describe(event, actor: SafeString) -> SafeString:
    data = event.data or {}
    kind = event.kind
    if kind == "chargeback.opened":
        return _say(
            _("%(actor)s reported a chargeback of %(amount)s (%(state)s)"),
            actor=actor,
            amount=_b(_amount(data)),
            state=_b(_state(event.after)),
        )
    if kind == "chargeback.state_changed":
        return _say(
            _("%(actor)s moved the chargeback from %(before)s to %(after)s"),
            actor=actor,
            before=_b(_state(event.before)),
            after=_b(_state(event.after)),
        )
    if kind == "chargeback.due_changed":
        return _say(_("%(actor)s changed the chargeback's evidence deadline"), actor=actor)
    if kind == "chargeback.due_soon":
        return _say(_("The chargeback's evidence deadline is near"))
    if kind == "chargeback.evidence_submitted":
        return _say(_("%(actor)s submitted evidence for the chargeback"), actor=actor)
    if kind == "chargeback.evidence_accepted":
        return _say(_("%(actor)s received the chargeback evidence"), actor=actor)
    if kind == "chargeback.evidence_refused":
        return _say(_("%(actor)s refused the chargeback evidence"), actor=actor)
    if kind == "chargeback.evidence_submitted_elsewhere":
        return _say(
            _("%(actor)s reports evidence submitted outside the desk; none can be sent from here"),
            actor=actor,
        )
    if kind == "psp.refund_sent":
        return _say(
            _("%(actor)s took the refund of %(amount)s"), actor=actor, amount=_b(_amount(data))
        )
    if kind == "psp.refund_refused":
        return _say(
            _("%(actor)s refused the refund of %(amount)s; it was taken back in the ledger"),
            actor=actor,
            amount=_b(_amount(data)),
        )
    if kind == "psp.refund_failed":
        return _say(
            _("%(actor)s could not pay out the refund of %(amount)s"),
            actor=actor,
            amount=_b(_amount(data)),
        )
    if kind == "psp.transfer_reversed":
        return _say(
            _("%(actor)s took %(amount)s back from the seller's transfer"),
            actor=actor,
            amount=_b(_amount(data)),
        )
    if kind == "psp.transfer_reversal_refused":
        return _say(
            _("%(actor)s refused to take %(amount)s back from the seller's transfer"),
            actor=actor,
            amount=_b(_amount(data)),
        )
    if kind == "psp.call_failed":
        return _say(_("A call to %(actor)s failed after several attempts"), actor=actor)
    return _say(_("%(actor)s: %(kind)s"), actor=actor, kind=_b(kind))


def details(event) -> str:
    """The second line, plain text (escaped by the template)."""
    data = event.data or {}
    kind = event.kind
    if kind in ("chargeback.opened", "chargeback.due_changed", "chargeback.due_soon"):
        parts = [data.get("dispute") or "", data.get("reason") or ""]
        if data.get("due_by"):
            parts.append(
                _("evidence due %(due)s UTC") % {"due": data["due_by"][:16].replace("T", " ")}
            )
        return " · ".join(p for p in parts if p)[:300]
    if kind == "chargeback.evidence_submitted":
        fields = ", ".join(data.get("fields") or [])
        files = ", ".join(f.get("field", "") for f in data.get("files") or [])
        return " · ".join(p for p in (fields, files) if p)[:300]
    if kind in ("chargeback.evidence_refused", "psp.refund_refused", "psp.refund_failed"):
        return str(data.get("error") or "")[:300]
    if kind in (
        "psp.refund_sent",
        "psp.call_failed",
        "psp.transfer_reversed",
        "psp.transfer_reversal_refused",
    ):
        return " · ".join(
            str(p) for p in (data.get("reference"), data.get("error_code"), data.get("error")) if p
        )[:300]
    return ""
