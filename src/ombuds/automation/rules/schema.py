"""The language of rules: which facts a condition may test with which operators, which
actions a rule may take, and the checks a rule passes before it is saved.

A condition is `{"field": "message.text", "op": "contains_words", "value": [...]}`; an
action is `{"type": "escalate", "value": "Escalations", "text": "Legal threat"}`. Both are
plain JSON so the desk's editor, the API and the defaults write the same shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ombuds.conversations.models import Channel, Priority, Status
from ombuds.core.errors import ApplicationError
from ombuds.marketplace.models import OrderKind

from ..models import TriggerEvent

TEXT_OPS = ("is", "is_not", "in", "not_in")
WORD_OPS = ("contains_words", "not_contains_words")
BOOL_OPS = ("is_true", "is_false")
NUMBER_OPS = ("at_least", "at_most")
TAG_OPS = ("contains", "not_contains")

OPERATOR_LABELS = {
    "is": _("is"),
    "is_not": _("is not"),
    "in": _("is one of"),
    "not_in": _("is none of"),
    "contains_words": _("contains any of the words"),
    "not_contains_words": _("contains none of the words"),
    "is_true": _("is yes"),
    "is_false": _("is no"),
    "at_least": _("is at least"),
    "at_most": _("is at most"),
    "contains": _("includes"),
    "not_contains": _("does not include"),
}

CHANGE_FIELDS = ("status", "priority", "assignee", "team", "tags", "subject")


@dataclass(frozen=True)
class Field:
    label: object
    ops: tuple[str, ...]
    choices: tuple[str, ...] = ()
    hours: int = 0  # for contact counts: the window


FIELDS: dict[str, Field] = {
    "case.status": Field(_("Case status"), TEXT_OPS, tuple(Status.values)),
    "case.priority": Field(_("Case priority"), TEXT_OPS, tuple(Priority.values)),
    "case.channel": Field(_("Case channel"), TEXT_OPS, tuple(Channel.values)),
    "case.language": Field(_("Case language"), TEXT_OPS),
    "case.topic": Field(_("Case topic"), TEXT_OPS),
    "case.team": Field(_("Case team (name)"), TEXT_OPS),
    "case.assignee": Field(_("Case assignee (email or 'none')"), TEXT_OPS),
    "case.tags": Field(_("Case tags"), TAG_OPS),
    "case.subject": Field(_("Case subject"), WORD_OPS),
    "case.is_public_post": Field(_("Case started from a public post"), BOOL_OPS),
    "case.has_order": Field(_("Case is about an order"), BOOL_OPS),
    "requester.is_vip": Field(_("Requester is VIP"), BOOL_OPS),
    "requester.language": Field(_("Requester language"), TEXT_OPS),
    "requester.contacts_24h": Field(
        _("Requester's contacts in the last 24 hours"), NUMBER_OPS, hours=24
    ),
    "requester.contacts_48h": Field(
        _("Requester's contacts in the last 48 hours"), NUMBER_OPS, hours=48
    ),
    "requester.contacts_7d": Field(
        _("Requester's contacts in the last 7 days"), NUMBER_OPS, hours=168
    ),
    "message.text": Field(_("Message text"), WORD_OPS),
    "message.channel": Field(_("Message channel"), TEXT_OPS, tuple(Channel.values)),
    "message.from_requester": Field(_("Message is from the requester"), BOOL_OPS),
    "change.field": Field(_("Changed field"), TEXT_OPS, CHANGE_FIELDS),
    "change.to": Field(_("Changed to (value)"), TEXT_OPS),
    "order.event_type": Field(_("Order event type"), TEXT_OPS),
    "order.kind": Field(_("Order kind"), TEXT_OPS, tuple(OrderKind.values)),
}
# `event.data.<key>`: a value the event carries (an SLA target's name, a refund amount).
EVENT_DATA_FIELD = re.compile(r"^event\.data\.([a-z][a-z0-9_]{0,39})$")
EVENT_DATA = Field(_("Event data"), (*TEXT_OPS, *NUMBER_OPS))

ACTION_TYPES: dict[str, object] = {
    "set_status": _("Set status"),
    "set_priority": _("Set priority"),
    "raise_priority": _("Raise priority one step"),
    "set_team": _("Move to team"),
    "assign": _("Assign to (email or 'none')"),
    "add_tags": _("Add tags"),
    "remove_tags": _("Remove tags"),
    "add_note": _("Add internal note"),
    "reply_macro": _("Reply with macro"),
    "notify": _("Notify staff"),
    "webhook": _("Call webhook"),
    "escalate": _("Escalate (team, raised priority, reason)"),
}
NOTIFY_TARGETS = ("assignee", "team", "supervisors", "admins")
MAX_CONDITIONS = 20
MAX_ACTIONS = 10
MAX_WORDS = 200
PRIORITY_LADDER = ("low", "normal", "high", "urgent")


def field_spec(name: str) -> Field | None:
    if name in FIELDS:
        return FIELDS[name]
    return EVENT_DATA if EVENT_DATA_FIELD.match(name or "") else None


def _refuse(code: str, message: str, **details) -> ApplicationError:
    return ApplicationError(code, message, details=details or None, status=422)


def split_words(value) -> list[str]:
    """'chargeback, lawyer' or a list: the words, trimmed, without empties."""
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    return [str(w).strip() for w in items if str(w).strip()]


def check_condition(raw: dict, position: int) -> dict:
    """One condition in its stored shape, or a 422 that names the row."""
    if not isinstance(raw, dict):
        raise _refuse("invalid_condition", "A condition is an object.", row=position)
    name = str(raw.get("field", "")).strip()
    op = str(raw.get("op", "")).strip()
    spec = field_spec(name)
    if spec is None:
        raise _refuse(
            "unknown_condition_field", f"{name!r} is not a field rules can test.", row=position
        )
    if op not in spec.ops:
        raise _refuse(
            "unknown_condition_operator",
            f"{name} cannot be tested with {op!r}.",
            row=position,
            allowed=list(spec.ops),
        )
    value = raw.get("value")
    if op in BOOL_OPS:
        return {"field": name, "op": op}
    if op in NUMBER_OPS:
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise _refuse(
                "invalid_condition_value", f"{name} needs a whole number.", row=position
            ) from None
        return {"field": name, "op": op, "value": number}
    if op in (*WORD_OPS, "in", "not_in"):
        words = split_words(value)
        if not words:
            raise _refuse("invalid_condition_value", f"{name} needs a value.", row=position)
        if len(words) > MAX_WORDS:
            raise _refuse("too_many_words", f"At most {MAX_WORDS} values.", row=position)
        values = words
    else:
        text = str(value if value is not None else "").strip()
        values = [text]
    if spec.choices and (bad := [v for v in values if v not in spec.choices]):
        raise _refuse(
            "invalid_condition_value",
            f"{bad[0]!r} is not a value of {name}.",
            row=position,
            allowed=list(spec.choices),
        )
    if op in ("is", "is_not"):
        return {"field": name, "op": op, "value": values[0]}
    if name == "case.tags":
        return {"field": name, "op": op, "value": values[0].lower()}
    return {"field": name, "op": op, "value": values}


def check_action(raw: dict, position: int, *, workspace) -> dict:
    """One action in its stored shape; references (macros, webhooks) must exist in the
    workspace."""
    from ombuds.core.models import WebhookEndpoint

    if not isinstance(raw, dict):
        raise _refuse("invalid_action", "An action is an object.", row=position)
    kind = str(raw.get("type", "")).strip()
    value = str(raw.get("value", "") or "").strip()
    text = str(raw.get("text", "") or "").strip()
    if kind not in ACTION_TYPES:
        raise _refuse(
            "unknown_action",
            f"{kind!r} is not an action.",
            row=position,
            allowed=list(ACTION_TYPES),
        )
    needs_value = {
        "set_status": Status.values,
        "set_priority": Priority.values,
    }
    if kind in needs_value and value not in needs_value[kind]:
        raise _refuse(
            "invalid_action_value",
            f"{kind} needs one of {needs_value[kind]}.",
            row=position,
            allowed=list(needs_value[kind]),
        )
    if kind in ("set_team", "assign", "add_tags", "remove_tags") and not value:
        raise _refuse("invalid_action_value", f"{kind} needs a value.", row=position)
    if kind == "add_note" and not text:
        raise _refuse("invalid_action_value", "A note needs its text.", row=position)
    if kind == "reply_macro":
        macro = _macro_of(value, workspace)
        if macro is None:
            raise _refuse("unknown_macro", "No such macro in this workspace.", row=position)
        value = str(macro.pk)
    if kind == "webhook":
        ok = (
            value.isdigit()
            and WebhookEndpoint.objects.filter(workspace=workspace, pk=int(value)).exists()
        )
        if not ok:
            raise _refuse("unknown_webhook", "No such webhook endpoint.", row=position)
    if kind == "notify":
        targets = split_words(value) or ["assignee"]
        for target in targets:
            if target not in NOTIFY_TARGETS and "@" not in target:
                raise _refuse(
                    "invalid_action_value",
                    f"Notify whom? {target!r} is neither {NOTIFY_TARGETS} nor an email.",
                    row=position,
                )
        value = ", ".join(targets)
        if not text:
            raise _refuse("invalid_action_value", "A notification needs its text.", row=position)
    if kind == "escalate":
        value = value or "Escalations"
        if not text:
            raise _refuse("invalid_action_value", "An escalation needs its reason.", row=position)
    if len(text) > 2000 or len(value) > 500:
        raise _refuse("invalid_action_value", "That action's text is too long.", row=position)
    return {"type": kind, "value": value, "text": text}


def _macro_of(value: str, workspace):
    from ..models import Macro

    query = Macro.objects.filter(workspace=workspace)
    if value.isdigit():
        return query.filter(pk=int(value)).first()
    return query.filter(key=value).first() or query.filter(name=value).first()


def check_rule(*, conditions: list, actions: list, workspace) -> tuple[list[dict], list[dict]]:
    if not isinstance(conditions, list) or len(conditions) > MAX_CONDITIONS:
        raise _refuse("invalid_conditions", f"At most {MAX_CONDITIONS} conditions.")
    if not isinstance(actions, list) or not actions:
        raise _refuse("no_actions", "A rule needs at least one action.")
    if len(actions) > MAX_ACTIONS:
        raise _refuse("too_many_actions", f"At most {MAX_ACTIONS} actions.")
    return (
        [check_condition(c, i) for i, c in enumerate(conditions)],
        [check_action(a, i, workspace=workspace) for i, a in enumerate(actions)],
    )


def check_events(events: list) -> list[str]:
    chosen = [e for e in dict.fromkeys(events or []) if e]
    if not chosen:
        raise _refuse("no_events", "A trigger needs at least one event.")
    if bad := [e for e in chosen if e not in TriggerEvent.values]:
        raise _refuse(
            "unknown_event", f"{bad[0]!r} is not a trigger event.", allowed=TriggerEvent.values
        )
    return chosen
