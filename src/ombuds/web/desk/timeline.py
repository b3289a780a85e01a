"""The case timeline as people read it: one sentence per event, in the agent's language.

Every value that comes from the database (names, tags, subjects, error texts) is escaped
here; only the translated sentence around it is trusted markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ombuds.conversations.models import CaseEvent, Channel, Message, Priority, Status

from . import (
    automation_timeline,
    chargeback_timeline,
    dispute_timeline,
    money_timeline,
    sla_timeline,
    timeline_routing,
)


@dataclass(frozen=True)
class Entry:
    """One row of the timeline: a message (reply, customer message, note) or an event."""

    item: Message | CaseEvent

    @property
    def is_message(self) -> bool:
        return isinstance(self.item, Message)

    @property
    def created_at(self):
        return self.item.created_at


def entries(items: list[Message | CaseEvent]) -> list[Entry]:
    return [Entry(item) for item in items]


def _label(choices, value) -> str:
    return str(dict(choices.choices).get(value, value or "—"))


def _b(value) -> SafeString:
    return format_html("<strong>{}</strong>", value)


def _list(values) -> SafeString:
    return format_html_join(", ", "<strong>{}</strong>", ((v,) for v in values))


def _say(template: str, **parts) -> SafeString:
    # `template` is a translated catalogue string, the only unescaped text here.
    return mark_safe(template % parts)


def actor_name(event: CaseEvent) -> str:
    if event.actor_user is not None:
        return event.actor_user.display_name
    if event.actor_party is not None:
        return str(event.actor_party)
    if event.actor_label == "routing":
        return _("Routing")
    return event.actor_label or _("System")


def _person(value) -> str:
    return (value or {}).get("name") or "?"


def describe_event(event: CaseEvent) -> SafeString:
    """'Anna changed status from New to Open', with every name and value escaped."""
    actor = _b(actor_name(event))
    before, after = event.before, event.after
    kind = event.kind
    if kind.startswith(money_timeline.KINDS):
        return money_timeline.describe(event, actor)
    if kind == "case.created":
        channel = (after or {}).get("channel", "")
        return _say(
            _("%(actor)s created the case via %(channel)s"),
            actor=actor,
            channel=_b(_label(Channel, channel)),
        )
    if kind == "status.changed":
        return _say(
            _("%(actor)s changed status from %(before)s to %(after)s"),
            actor=actor,
            before=_b(_label(Status, before)),
            after=_b(_label(Status, after)),
        )
    if kind == "priority.changed":
        return _say(
            _("%(actor)s changed priority from %(before)s to %(after)s"),
            actor=actor,
            before=_b(_label(Priority, before)),
            after=_b(_label(Priority, after)),
        )
    if kind == "assignee.changed":
        if after is None:
            return _say(
                _("%(actor)s unassigned %(before)s"), actor=actor, before=_b(_person(before))
            )
        if before is None:
            return _say(
                _("%(actor)s assigned the case to %(after)s"), actor=actor, after=_b(_person(after))
            )
        return _say(
            _("%(actor)s reassigned the case from %(before)s to %(after)s"),
            actor=actor,
            before=_b(_person(before)),
            after=_b(_person(after)),
        )
    if kind == "team.changed":
        if after is None:
            return _say(
                _("%(actor)s removed the case from team %(before)s"), actor=actor, before=_b(before)
            )
        return _say(_("%(actor)s moved the case to team %(after)s"), actor=actor, after=_b(after))
    if kind == "tags.changed":
        added = [t for t in (after or []) if t not in (before or [])]
        removed = [t for t in (before or []) if t not in (after or [])]
        parts = []
        if added:
            parts.append(_say(_("%(actor)s added tags %(tags)s"), actor=actor, tags=_list(added)))
        if removed:
            parts.append(
                _say(_("%(actor)s removed tags %(tags)s"), actor=actor, tags=_list(removed))
            )
        return (
            mark_safe("; ".join(parts))
            if parts
            else _say(_("%(actor)s changed the tags"), actor=actor)
        )
    if kind == "subject.changed":
        return _say(_("%(actor)s changed the subject to %(after)s"), actor=actor, after=_b(after))
    if kind == "order.event":
        return _say(_("Order event: %(type)s"), type=_b(event.data.get("type", "?")))
    if kind == "delivery.failed":
        recipient = _b(event.data.get("recipient") or "?")
        if event.data.get("bounced"):
            return _say(
                _("The mail server of %(recipient)s returned the reply: not delivered"),
                recipient=recipient,
            )
        return _say(_("Delivery to %(recipient)s failed"), recipient=recipient)
    if kind == "call.logged":
        return _say(_("%(actor)s logged a call"), actor=actor)
    if kind == "party.merged":
        return _say(
            _("%(actor)s merged %(merged)s into %(kept)s"),
            actor=actor,
            merged=_b(_person(event.data.get("merged"))),
            kept=_b(_person(event.data.get("kept"))),
        )
    if kind == "party.unmerged":
        return _say(
            _("%(actor)s undid the merge of %(merged)s into %(kept)s"),
            actor=actor,
            merged=_b(_person(event.data.get("merged"))),
            kept=_b(_person(event.data.get("kept"))),
        )
    if kind in automation_timeline.KINDS:
        return automation_timeline.describe(event, actor)
    if kind in chargeback_timeline.KINDS:
        return chargeback_timeline.describe(event, actor)
    if dispute_timeline.handles(kind):
        return dispute_timeline.describe(event, actor)
    if kind == "chat.offline":
        return _say(_("%(actor)s left an email address; the chat continues by email"), actor=actor)
    if kind == "chat.ended":
        if event.data.get("reason") == "idle":
            minutes = event.data.get("quiet_minutes") or "?"
            return _say(_("The chat ended after %(minutes)s quiet minutes"), minutes=_b(minutes))
        return _say(_("%(actor)s ended the chat"), actor=actor)
    if kind in sla_timeline.KINDS:
        return sla_timeline.describe(event)
    if kind.startswith("routing."):
        return timeline_routing.describe(event, actor)
    return _say(_("%(actor)s: %(kind)s"), actor=actor, kind=_b(kind))


def event_details(event: CaseEvent) -> str:
    """A second line for events that carry more than their sentence says (plain text)."""
    if event.kind.startswith(money_timeline.KINDS):
        return money_timeline.details(event)
    if event.kind == "order.event":
        payload = event.data.get("data") or {}
        return " · ".join(f"{key}: {value}" for key, value in sorted(payload.items()))[:300]
    if event.kind == "delivery.failed":
        return str(event.data.get("error", ""))[:300]
    if event.kind in automation_timeline.KINDS:
        return automation_timeline.details(event)
    if event.kind in sla_timeline.KINDS:
        return sla_timeline.details(event)
    if event.kind.startswith("routing."):
        return timeline_routing.details(event)
    if event.kind in chargeback_timeline.KINDS:
        return chargeback_timeline.details(event)
    if dispute_timeline.handles(event.kind):
        return dispute_timeline.details(event)
    return ""


def variable_label(name: str) -> str:
    return automation_timeline.variable_label(name)
