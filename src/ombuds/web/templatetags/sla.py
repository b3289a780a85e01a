"""Template helpers for SLA deadlines: how long is left, or how long overdue, in words an
agent scans quickly ("2 h 15 min", "3 d 4 h")."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def span(delta: timedelta | None) -> str:
    """A duration in at most two units: '45 min', '2 h 15 min', '3 d 4 h'."""
    if delta is None:
        return ""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
        return text + (" " + _("%(n)d h") % {"n": hours} if hours else "")
    if hours:
        return _("%(n)d h") % {"n": hours} + (
            " " + _("%(n)d min") % {"n": minutes} if minutes else ""
        )
    return _("%(n)d min") % {"n": minutes}


@register.simple_tag
def sla_due(due_at: datetime | None, now: datetime) -> str:
    """The inbox's deadline cell: time left, or overdue (red), or a dash."""
    if due_at is None:
        return mark_safe('<span class="muted">—</span>')
    if due_at <= now:
        return format_html(
            '<time class="sla-due sla-due--overdue" datetime="{}">{}</time>',
            due_at.isoformat(),
            _("overdue %(span)s") % {"span": span(now - due_at)},
        )
    soon = due_at - now <= timedelta(hours=1)
    return format_html(
        '<time class="sla-due{}" datetime="{}">{}</time>',
        " sla-due--soon" if soon else "",
        due_at.isoformat(),
        _("in %(span)s") % {"span": span(due_at - now)},
    )


@register.simple_tag
def policy_conditions(policy) -> str:
    """'Urgent, High · Chat · NL · VIP customers · Disputes only', or 'Every case'."""
    from ombuds.conversations.models import Channel, Priority

    parts = []
    if policy.priorities:
        labels = dict(Priority.choices)
        parts.append(", ".join(str(labels.get(p, p)) for p in policy.priorities))
    if policy.channels:
        labels = dict(Channel.choices)
        parts.append(", ".join(str(labels.get(c, c)) for c in policy.channels))
    if policy.languages:
        parts.append(", ".join(code.upper() for code in policy.languages))
    if policy.customer_tier != "any":
        parts.append(policy.get_customer_tier_display())
    if policy.dispute != "any":
        parts.append(policy.get_dispute_display())
    return " · ".join(parts) if parts else _("Every case")


@register.simple_tag
def policy_targets(policy) -> str:
    """'First response 4h · Resolution 16h'."""
    from ombuds.sla.models import Metric

    parts = []
    for metric, label in Metric.choices:
        minutes = getattr(policy, f"{metric}_minutes")
        if minutes:
            parts.append(f"{label} {span(timedelta(minutes=minutes))}")
    return " · ".join(parts)


@register.simple_tag
def calendar_week(calendar) -> str:
    """'Mon-Fri 09:00-17:00', or each day when they differ."""
    from ombuds.core.business_time import WEEKDAYS

    hours = calendar.weekly_hours or {}
    names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    runs: list[tuple[int, int, str]] = []
    for i, day in enumerate(WEEKDAYS):
        value = hours.get(day, "")
        if runs and runs[-1][2] == value and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i, value)
        else:
            runs.append((i, i, value))
    parts = []
    for first, last, value in runs:
        if not value:
            continue
        days = names[first] if first == last else f"{names[first]}–{names[last]}"
        parts.append(f"{days} {value}")
    return "; ".join(parts)
