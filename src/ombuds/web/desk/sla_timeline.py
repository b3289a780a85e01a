"""What SLA events say on a case's timeline: which policy applies and why, warnings,
breaches and what they set in motion. Deadlines read in the workspace's timezone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ombuds.conversations.models import CaseEvent, Priority
from ombuds.sla.models import Metric

KINDS = ("sla.policy_applied", "sla.policy_changed", "sla.warning", "sla.breached")


def _b(value) -> SafeString:
    return format_html("<strong>{}</strong>", value)


def _say(template: str, **parts) -> SafeString:
    # `template` is a translated catalogue string, the only unescaped text here.
    return mark_safe(template % parts)


def _metric(value) -> str:
    return str(Metric(value).label) if value in Metric.values else str(value or "?")


def _reason(kind: str | None) -> str:
    return {
        "priority.changed": _("priority changed"),
        "tags.changed": _("tags changed"),
        "team.changed": _("team changed"),
    }.get(kind or "", kind or "")


def _zone(event: CaseEvent) -> ZoneInfo:
    try:
        return ZoneInfo(event.case.workspace.timezone)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _moment(event: CaseEvent, stamp: str | None) -> str:
    if not stamp:
        return ""
    at = datetime.fromisoformat(stamp).astimezone(_zone(event))
    return formats.date_format(at, "D j M H:i")


def describe(event: CaseEvent) -> SafeString:
    data = event.data or {}
    policy = _b(data.get("policy") or "?")
    if event.kind == "sla.policy_applied":
        return _say(_("SLA policy %(policy)s applies"), policy=policy)
    if event.kind == "sla.policy_changed":
        reason = _reason(data.get("reason"))
        if data.get("policy") is None:
            return _say(_("No SLA policy applies any more (%(reason)s)"), reason=reason)
        if data.get("calendar_before"):
            return _say(
                _("SLA deadlines now count on calendar %(calendar)s (%(reason)s)"),
                calendar=_b(data.get("calendar") or "?"),
                reason=reason,
            )
        if data.get("before"):
            return _say(
                _("SLA policy %(policy)s applies instead of %(before)s (%(reason)s)"),
                policy=policy,
                before=_b(data["before"]),
                reason=reason,
            )
        return _say(
            _("SLA policy %(policy)s applies now (%(reason)s)"), policy=policy, reason=reason
        )
    metric = _b(_metric(data.get("metric")))
    if event.kind == "sla.warning":
        return _say(
            _("SLA warning: %(metric)s is due %(due)s (%(policy)s)"),
            metric=metric,
            due=_b(_moment(event, data.get("due_at"))),
            policy=policy,
        )
    return _say(
        _("SLA breached: %(metric)s target of %(policy)s missed"), metric=metric, policy=policy
    )


def details(event: CaseEvent) -> str:
    data = event.data or {}
    if event.kind in ("sla.policy_applied", "sla.policy_changed"):
        due = data.get("due") or {}
        parts = [
            _("%(metric)s due %(due)s") % {"metric": _metric(m), "due": _moment(event, at)}
            for m, at in due.items()
            if at
        ]
        return " · ".join(parts)
    escalation = data.get("escalation") or {}
    parts = []
    if escalation.get("notified"):
        parts.append(_("notified %(people)s") % {"people": ", ".join(escalation["notified"])})
    if escalation.get("priority"):
        label = dict(Priority.choices).get(escalation["priority"], escalation["priority"])
        parts.append(_("priority raised to %(priority)s") % {"priority": label})
    if escalation.get("team"):
        parts.append(_("moved to team %(team)s") % {"team": escalation["team"]})
    return " · ".join(parts)
