"""Template helpers of the desk's routing: the presence switch, load and backlog bars
(inline SVG, no script), and queue rules in words."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ombuds.conversations.models import Channel, Priority
from ombuds.routing.models import Condition, Queue
from ombuds.routing.selectors import may_take_cases, presence_of
from ombuds.web.desk.choices import language_name

register = template.Library()

BAR_WIDTH = 120
BAR_HEIGHT = 10


@register.inclusion_tag("web/desk/partials/presence_switch.html", takes_context=True)
def presence_switch(context):
    """The signed-in agent's presence in the header (one query), for people who take
    cases; nothing for the others."""
    membership = context.get("desk_membership")
    request = context.get("request")
    if request is None or not may_take_cases(membership):
        return {"show": False}
    return {
        "show": True,
        "workspace": membership.workspace,
        "presence": presence_of(workspace=membership.workspace, user=membership.user),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


def _tone(share: float) -> str:
    if share >= 1:
        return "full"
    return "busy" if share >= 0.75 else "ok"


@register.simple_tag
def load_bar(load: int, capacity: int) -> str:
    """How full someone is: a bar of their capacity, filled by their active cases."""
    load, capacity = int(load or 0), int(capacity or 0)
    share = 1.0 if capacity == 0 and load else (min(1.0, load / capacity) if capacity else 0.0)
    filled = round(BAR_WIDTH * share)
    title = _("%(load)s of %(capacity)s active cases") % {"load": load, "capacity": capacity}
    return format_html(
        '<svg class="bar bar--{}" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}"><title>{}</title><rect class="bar-track" width="{}" height="{}" '
        'rx="3"></rect><rect class="bar-fill" width="{}" height="{}" rx="3"></rect></svg>',
        _tone(share),
        BAR_WIDTH,
        BAR_HEIGHT,
        BAR_WIDTH,
        BAR_HEIGHT,
        title,
        title,
        BAR_WIDTH,
        BAR_HEIGHT,
        filled,
        BAR_HEIGHT,
    )


@register.simple_tag
def backlog_bar(count: int, largest: int) -> str:
    """A queue's waiting cases against the longest backlog on the page."""
    count, largest = int(count or 0), int(largest or 0)
    filled = round(BAR_WIDTH * count / largest) if largest else 0
    title = _("%(count)s waiting") % {"count": count}
    return format_html(
        '<svg class="bar bar--backlog" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}"><title>{}</title><rect class="bar-track" width="{}" height="{}" '
        'rx="3"></rect><rect class="bar-fill" width="{}" height="{}" rx="3"></rect></svg>',
        BAR_WIDTH,
        BAR_HEIGHT,
        BAR_WIDTH,
        BAR_HEIGHT,
        title,
        title,
        BAR_WIDTH,
        BAR_HEIGHT,
        filled,
        BAR_HEIGHT,
    )


def _labels(choices, values) -> str:
    names = dict(choices.choices)
    return ", ".join(str(names.get(v, v)) for v in values)


@register.filter
def queue_conditions(queue: Queue) -> list[str]:
    """Which cases the queue takes, one phrase per condition ("every case" if none)."""
    said = []
    if queue.channels:
        said.append(_("channel: %(values)s") % {"values": _labels(Channel, queue.channels)})
    if queue.languages:
        said.append(
            _("language: %(values)s")
            % {"values": ", ".join(str(language_name(c)) for c in queue.languages)}
        )
    if queue.topics:
        said.append(_("topic: %(values)s") % {"values": ", ".join(queue.topics)})
    if queue.priorities:
        said.append(_("priority: %(values)s") % {"values": _labels(Priority, queue.priorities)})
    if queue.tags:
        said.append(_("tagged: %(values)s") % {"values": ", ".join(queue.tags)})
    flags = {
        ("vip", Condition.ONLY): _("VIP requesters only"),
        ("vip", Condition.EXCLUDE): _("no VIP requesters"),
        ("public_post", Condition.ONLY): _("public posts only"),
        ("public_post", Condition.EXCLUDE): _("no public posts"),
    }
    for name in ("vip", "public_post"):
        if phrase := flags.get((name, getattr(queue, name))):
            said.append(phrase)
    return said or [_("every case")]


@register.filter
def queue_needs(queue: Queue) -> str:
    """What an agent needs to take a case from this queue."""
    needs = []
    if queue.match_language:
        needs.append(_("the case's language"))
    if queue.match_channel:
        needs.append(_("its channel"))
    if queue.match_topic:
        needs.append(_("its topic"))
    return ", ".join(needs) if needs else _("nothing in particular")


@register.filter
def skill_label(skill) -> str:
    if skill.kind == "language":
        return language_name(skill.code)
    if skill.kind == "channel":
        return str(dict(Channel.choices).get(skill.code, skill.code))
    return skill.code
