"""Timeline sentences for what automations do: escalations with their reason, rules that
were refused or skipped, proactive notices, coordination tasks, failed webhooks.

As in timeline.py, every value from the database is escaped; only the translated
sentence around it is trusted markup."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ombuds.automation.macros.render import VARIABLES
from ombuds.conversations.models import CaseEvent

KINDS = (
    "case.escalated",
    "automation.failed",
    "automation.skipped",
    "automation.notified",
    "care.notified",
    "task.created",
    "task.updated",
    "task.done",
    "task.replied",
    "message.to_third_party",
    "webhook.failed",
)


def _b(value) -> SafeString:
    return format_html("<strong>{}</strong>", value)


def _say(template: str, **parts) -> SafeString:
    return mark_safe(template % parts)


def variable_label(name: str) -> str:
    return str(VARIABLES.get(name, name))


def describe(event: CaseEvent, actor: SafeString) -> SafeString:
    data, after = event.data or {}, event.after
    kind = event.kind
    if kind == "case.escalated":
        return _say(
            _("%(actor)s escalated the case to %(team)s: %(reason)s"),
            actor=actor,
            team=_b(after or "?"),
            reason=_b(data.get("reason") or "?"),
        )
    if kind == "automation.failed":
        return _say(
            _("%(actor)s could not %(action)s: %(error)s"),
            actor=actor,
            action=_b(data.get("action", "?")),
            error=format_html("{}", data.get("error", "")),
        )
    if kind == "automation.skipped":
        return _say(
            _("%(actor)s skipped %(action)s: %(reason)s"),
            actor=actor,
            action=_b(data.get("action", "?")),
            reason=format_html("{}", data.get("reason", "")),
        )
    if kind == "automation.notified":
        return _say(
            _("%(actor)s notified %(people)s"),
            actor=actor,
            people=_b(", ".join(data.get("to", [])) or "?"),
        )
    if kind == "care.notified":
        if data.get("sent"):
            return _say(
                _("%(actor)s told the buyer before they asked: %(type)s"),
                actor=actor,
                type=_b(data.get("event_type", "?")),
            )
        return _say(
            _("%(actor)s noted %(type)s; no notice could be sent"),
            actor=actor,
            type=_b(data.get("event_type", "?")),
        )
    if kind == "task.created":
        return _say(
            _("%(actor)s added task %(ref)s: %(title)s"),
            actor=actor,
            ref=_b((after or {}).get("reference", "?")),
            title=format_html("{}", (after or {}).get("title", "")),
        )
    if kind in ("task.updated", "task.done"):
        template = (
            _("%(actor)s completed task %(ref)s")
            if kind == "task.done"
            else _("%(actor)s updated task %(ref)s")
        )
        return _say(template, actor=actor, ref=_b((after or {}).get("reference", "?")))
    if kind == "task.replied":
        return _say(
            _("%(actor)s replied on task %(ref)s"), actor=actor, ref=_b(data.get("reference", "?"))
        )
    if kind == "message.to_third_party":
        return _say(
            _("%(actor)s emailed %(party)s: %(subject)s"),
            actor=actor,
            party=_b(data.get("name", "?")),
            subject=format_html("{}", data.get("subject", "")),
        )
    if kind == "webhook.failed":
        return _say(
            _("The call to webhook %(endpoint)s failed for good"),
            endpoint=_b(data.get("endpoint", "?")),
        )
    return _say(_("%(actor)s: %(kind)s"), actor=actor, kind=_b(kind))


def details(event: CaseEvent) -> str:
    data = event.data or {}
    if event.kind == "case.escalated" and data.get("words"):
        return _("Words: %(words)s") % {"words": ", ".join(data["words"])}
    if event.kind == "webhook.failed":
        return str(data.get("error", ""))[:300]
    if event.kind == "task.done":
        return str(data.get("outcome", ""))[:300]
    return ""
