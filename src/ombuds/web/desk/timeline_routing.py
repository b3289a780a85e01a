"""Routing's timeline rows as people read them: who got the case, from which queue, and
why them (their load, the skills the case asked for, who else was considered).

The event stores facts (ombuds.routing.events); the sentence is made here, in the
agent's language. Every value from the database is escaped.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from ombuds.conversations.models import CaseEvent, Channel
from ombuds.routing.models import Strategy

from .choices import language_name


def _b(value) -> SafeString:
    return format_html("<strong>{}</strong>", value)


def _say(template: str, **parts) -> SafeString:
    # `template` is a translated catalogue string, the only unescaped text here.
    return mark_safe(template % parts)


def _name(person) -> str:
    return (person or {}).get("name") or "?"


def _queue(event: CaseEvent) -> str:
    return ((event.data or {}).get("queue") or {}).get("name") or "?"


def _strategy(value: str) -> str:
    return str(dict(Strategy.choices).get(value, value or ""))


def _skill(text: str) -> str:
    """'language:nl' as 'speaks Dutch', 'channel:chat' as 'handles Live chat'."""
    kind, _sep, code = str(text).partition(":")
    if kind == "language":
        return _("speaks %(language)s") % {"language": language_name(code)}
    if kind == "channel":
        return _("handles %(channel)s") % {"channel": dict(Channel.choices).get(code, code)}
    if kind == "topic":
        return _("knows %(topic)s") % {"topic": code}
    return str(text)


def _lacking(text: str) -> str:
    kind, _sep, code = str(text).partition(":")
    if kind == "language":
        return _("does not speak %(language)s") % {"language": language_name(code)}
    if kind == "channel":
        return _("does not handle %(channel)s") % {"channel": dict(Channel.choices).get(code, code)}
    if kind == "topic":
        return _("does not know %(topic)s") % {"topic": code}
    return str(text)


def _why_nobody(code: str) -> str:
    return {
        "nobody_online": _("nobody in the team is online"),
        "nobody_skilled": _("nobody online has the skills it needs"),
        "everyone_full": _("everyone who could take it is at capacity"),
        "no_queue": _("no queue takes this case"),
    }.get(code, code)


def describe(event: CaseEvent, actor: SafeString) -> SafeString:
    data = event.data or {}
    queue = _b(_queue(event))
    if event.kind == "routing.assigned":
        after = _b(_name(event.after))
        if data.get("handover"):
            return _say(
                _(
                    "%(actor)s handed the case over from %(before)s (offline) to %(after)s "
                    "via %(queue)s"
                ),
                actor=actor,
                before=_b(_name(event.before)),
                after=after,
                queue=queue,
            )
        if data.get("waited_seconds") is not None:
            waited = timesince(
                event.created_at - timedelta(seconds=data["waited_seconds"]), event.created_at
            )
            return _say(
                _(
                    "%(actor)s gave the case to %(after)s from the backlog of %(queue)s "
                    "after %(waited)s"
                ),
                actor=actor,
                after=after,
                queue=queue,
                waited=_b(waited),
            )
        return _say(
            _("%(actor)s gave the case to %(after)s via %(queue)s (%(strategy)s)"),
            actor=actor,
            after=after,
            queue=queue,
            strategy=_b(_strategy(data.get("strategy", "")).lower()),
        )
    if event.kind == "routing.queued":
        return _say(
            _("%(actor)s put the case in the backlog of %(queue)s: %(why)s"),
            actor=actor,
            queue=queue,
            why=_b(_why_nobody(data.get("why", ""))),
        )
    if event.kind == "routing.kept":
        return _say(
            _("%(before)s went offline; %(actor)s found nobody to take the case over: %(why)s"),
            actor=actor,
            before=_b(_name(event.before)),
            why=_b(_why_nobody(data.get("why", ""))),
        )
    return _say(_("%(actor)s: %(kind)s"), actor=actor, kind=_b(event.kind))


def _considered(data: dict) -> str:
    rows = []
    for c in data.get("candidates") or []:
        label = f"{c.get('name', '?')} {c.get('load', 0)}/{c.get('capacity', 0)}"
        if c.get("missing"):
            label += " (" + ", ".join(_lacking(s) for s in c["missing"]) + ")"
        elif c.get("full"):
            label += " (" + _("full") + ")"
        rows.append(label)
    return _("Considered: %(people)s") % {"people": ", ".join(rows)} if rows else ""


def details(event: CaseEvent) -> str:
    """The second line: the chosen agent's load, the skills asked, who was considered."""
    data = event.data or {}
    parts = []
    if event.kind == "routing.assigned":
        parts.append(
            _("%(strategy)s: %(load)s of %(capacity)s active cases")
            % {
                "strategy": _strategy(data.get("strategy", "")),
                "load": data.get("load", 0),
                "capacity": data.get("capacity", 0),
            }
        )
        parts += [_skill(s) for s in data.get("skills") or []]
        parts.append(
            _("%(eligible)s of %(online)s online could take it")
            % {"eligible": data.get("eligible", 0), "online": data.get("online", 0)}
        )
    elif data.get("skills"):
        parts.append(
            _("Needs: %(skills)s") % {"skills": ", ".join(_skill(s) for s in data["skills"])}
        )
    considered = _considered(data)
    if considered:
        parts.append(considered)
    return " · ".join(parts)[:600]
