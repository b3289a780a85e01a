"""Deciding whether a rule's conditions hold for a case at one event.

Facts are read lazily: a rule that only tests the priority costs no query for the
requester's contact count. The case as the service holds it may not carry the change the
event reports yet (ADR 0005), so the event's own `after` wins for the field it changed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from functools import cached_property

from django.utils import timezone

from ombuds.conversations.models import Case, CaseEvent, Message, MessageKind

from .schema import EVENT_DATA_FIELD, FIELDS

UPDATE_KINDS = {
    "status.changed": "status",
    "priority.changed": "priority",
    "assignee.changed": "assignee",
    "team.changed": "team",
    "tags.changed": "tags",
    "subject.changed": "subject",
}
DIRECT_KINDS = {
    "case.created",
    "message.received",
    "order.event",
    "sla.warning",
    "sla.breached",
    "approval.requested",
}


def trigger_event_of(kind: str) -> str | None:
    """The trigger event a timeline event counts as ('priority.changed' → case.updated)."""
    if kind in UPDATE_KINDS:
        return "case.updated"
    return kind if kind in DIRECT_KINDS else None


def fold(text: str) -> str:
    """Lower case without accents, so 'Advocaat' and 'advocáat' read alike."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def word_pattern(words: list[str]) -> re.Pattern:
    """Whole words or phrases; a trailing * matches any ending ('terugboek*')."""
    parts = []
    for word in words:
        folded = fold(word).strip()
        if not folded:
            continue
        prefix = folded.endswith("*")
        core = re.escape(folded.rstrip("*")).replace(r"\ ", r"\s+")
        parts.append(core + (r"\w*" if prefix else ""))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)") if parts else re.compile("$^")


def matching_words(text: str, words: list[str]) -> list[str]:
    return sorted(set(word_pattern(words).findall(fold(text))))


class Facts:
    """What a rule may know about a case at one event."""

    def __init__(self, case: Case, event: CaseEvent | None = None, *, now=None):
        self.case = case
        self.event = event
        self.now = now or timezone.now()
        self.matched_words: list[str] = []

    @cached_property
    def message(self) -> Message | None:
        if self.event is None or self.event.message_id is None:
            return None
        return self.event.message

    @cached_property
    def requester(self):
        return self.case.requester

    @cached_property
    def tags(self) -> list[str]:
        if self.event is not None and self.event.kind == "tags.changed":
            return list(self.event.after or [])
        return list(self.case.tags.values_list("name", flat=True))

    def _changed(self, field: str):
        if self.event is not None and UPDATE_KINDS.get(self.event.kind) == field:
            return True, self.event.after
        return False, None

    def value(self, name: str):
        case = self.case
        if name in ("case.status", "case.priority", "case.subject"):
            field = name.split(".")[1]
            changed, after = self._changed(field)
            return after if changed else getattr(case, field)
        if name == "case.team":
            changed, after = self._changed("team")
            if changed:
                return after or "none"
            return case.team.name if case.team_id else "none"
        if name == "case.assignee":
            changed, after = self._changed("assignee")
            user_id = (after or {}).get("id") if changed else case.assignee_id
            if not user_id:
                return "none"
            from ombuds.accounts.models import User

            return User.objects.filter(pk=user_id).values_list("email", flat=True).first() or ""
        if name == "case.channel":
            return case.channel
        if name == "case.language":
            return case.language or ""
        if name == "case.topic":
            return case.topic or ""
        if name == "case.tags":
            return self.tags
        if name == "case.is_public_post":
            return bool(case.is_public_post)
        if name == "case.has_order":
            return case.order_id is not None
        if name == "requester.is_vip":
            return bool(self.requester.is_vip)
        if name == "requester.language":
            return self.requester.language or ""
        if name.startswith("requester.contacts_"):
            return self.contacts(FIELDS[name].hours)
        if name == "message.text":
            return self.message.body_text if self.message else ""
        if name == "message.channel":
            return self.message.channel if self.message else ""
        if name == "message.from_requester":
            return bool(
                self.message
                and self.message.kind == MessageKind.INBOUND
                and self.message.author_party_id == case.requester_id
            )
        if name == "change.field":
            return UPDATE_KINDS.get(self.event.kind, "") if self.event else ""
        if name == "change.to":
            if self.event is None or self.event.kind not in UPDATE_KINDS:
                return ""
            after = self.event.after
            if isinstance(after, dict):
                return after.get("name", "")
            return ", ".join(after) if isinstance(after, list) else str(after or "")
        if name == "order.event_type":
            if self.event is not None and self.event.kind == "order.event":
                return self.event.data.get("type", "")
            return ""
        if name == "order.kind":
            return case.order.kind if case.order_id else ""
        if m := EVENT_DATA_FIELD.match(name):
            data = self.event.data if self.event is not None else {}
            return (data or {}).get(m.group(1))
        return None

    def contacts(self, hours: int) -> int:
        """How often the requester wrote in (new cases and messages) in the window."""
        since = self.now - timedelta(hours=hours)
        return Message.objects.filter(
            workspace_id=self.case.workspace_id,
            author_party_id=self.case.requester_id,
            kind=MessageKind.INBOUND,
            created_at__gte=since,
        ).count()


def holds(condition: dict, facts: Facts) -> bool:
    name, op, wanted = condition["field"], condition["op"], condition.get("value")
    actual = facts.value(name)
    if op == "is_true":
        return bool(actual)
    if op == "is_false":
        return not actual
    if op in ("at_least", "at_most"):
        try:
            number = int(actual)
        except (TypeError, ValueError):
            return False
        return number >= wanted if op == "at_least" else number <= wanted
    if op in ("contains_words", "not_contains_words"):
        found = matching_words(str(actual or ""), wanted)
        if op == "contains_words":
            facts.matched_words += [w for w in found if w not in facts.matched_words]
            return bool(found)
        return not found
    if op in ("contains", "not_contains"):
        present = wanted in [t.lower() for t in (actual or [])]
        return present if op == "contains" else not present
    text = "" if actual is None else str(actual)
    if op == "is":
        return text.lower() == str(wanted).lower()
    if op == "is_not":
        return text.lower() != str(wanted).lower()
    values = [str(v).lower() for v in wanted or []]
    if op == "in":
        return text.lower() in values
    if op == "not_in":
        return text.lower() not in values
    return False


def all_hold(conditions: list[dict], facts: Facts) -> bool:
    return all(holds(c, facts) for c in conditions)
