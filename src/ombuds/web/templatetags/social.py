"""What the case page shows about messaging platforms: whether a reply goes out in
public, whether WhatsApp still takes one, and where a public post can be seen."""

from __future__ import annotations

from django import template
from django.utils import timezone

from ombuds.conversations.models import Channel, Message, MessageKind
from ombuds.intake.social import whatsapp
from ombuds.intake.social.outbound import PUBLIC_CHANNELS, default_visibility

register = template.Library()


@register.simple_tag
def reply_visibility(case) -> str:
    """'public' or 'private' for a case that began in public (the agent chooses, this is
    the default); '' where every reply is private."""
    if case.channel not in PUBLIC_CHANNELS or not case.is_public_post:
        return ""
    return default_visibility(case)


@register.simple_tag
def whatsapp_window(case) -> dict | None:
    """When WhatsApp stops (or stopped) taking free-form replies on this case."""
    if case.channel != Channel.WHATSAPP:
        return None
    closes = whatsapp.service_window_closes(case)
    if closes is None:
        return None
    return {"closes": closes, "closed": closes <= timezone.now()}


@register.simple_tag
def public_post_url(case) -> str:
    """The address of the public post a case began with (on X, say)."""
    if not case.is_public_post:
        return ""
    first = (
        Message.objects.filter(case=case, kind=MessageKind.INBOUND, meta__has_key="public_url")
        .order_by("created_at", "pk")
        .values_list("meta", flat=True)
        .first()
    )
    return str((first or {}).get("public_url") or "")
