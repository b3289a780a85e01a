"""Template helpers of the agent workspace: money, badges, timeline sentences."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _

from ombuds.core.errors import ApplicationError
from ombuds.core.html import with_inline_images
from ombuds.core.money import Money
from ombuds.web.desk import timeline
from ombuds.web.desk.views.attachments import INLINE_IMAGE_TYPES

register = template.Library()


@register.filter
def money(amount, currency) -> str:
    """Minor units in the page's locale: 12500|money:"EUR" is '€125.00' or '€ 125,00'."""
    if amount is None or not currency:
        return ""
    try:
        return Money(int(amount), str(currency)).format(to_locale(get_language() or "en"))
    except (ApplicationError, ValueError, TypeError):
        # A read model fed by an integrator may hold a code babel does not know.
        return f"{amount} {currency}"


@register.simple_tag
def badge(group: str, value, label) -> str:
    """A coloured pill; the CSS class is keyed by group and value (badge--status-open)."""
    slug = "".join(c if c.isalnum() else "-" for c in str(value or "none").lower())
    return format_html('<span class="badge badge--{}-{}">{}</span>', group, slug, label)


@register.filter
def event_sentence(event):
    return timeline.describe_event(event)


@register.filter
def event_details(event) -> str:
    return timeline.event_details(event)


@register.filter
def http_url(url) -> str:
    """A link target only when it is http(s): integrator data must not become javascript:."""
    url = str(url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


@register.filter
def initials(name) -> str:
    words = [w for w in str(name or "").replace("@", " ").replace(".", " ").split() if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"


@register.filter
def duration(seconds) -> str:
    """252 as '4:12'; a call's length the way phones show it."""
    try:
        minutes, rest = divmod(int(seconds or 0), 60)
    except (TypeError, ValueError):
        return ""
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes}:{rest:02d}"


_CALL_OUTCOMES = {
    "answered": _("answered"),
    "missed": _("missed"),
    "voicemail": _("voicemail"),
    "busy": _("busy"),
    "failed": _("failed"),
}


@register.filter
def call_outcome(value) -> str:
    return str(_CALL_OUTCOMES.get(str(value), value or ""))


@register.simple_tag
def message_body(message, workspace) -> SafeString:
    """A message's HTML, its inline email images pointing at their attachments.

    body_html was sanitized when it was stored; what could still be an image (a cid:
    reference) is rewritten here to the desk URL of an attachment of this very message,
    or dropped, and the markup passes the sanitizer again on the way."""
    body = message.body_html or ""
    inline = (message.meta or {}).get("inline_images") or {}
    urls = {}
    if inline and "<img" in body:
        by_digest = {a.sha256: a for a in message.attachments.all()}
        for content_id, digest in inline.items():
            attachment = by_digest.get(digest)
            if attachment is not None and attachment.content_type in INLINE_IMAGE_TYPES:
                urls[str(content_id).lower()] = reverse(
                    "web:attachment_inline", args=[workspace.slug, attachment.pk]
                )
    return mark_safe(with_inline_images(body, urls))
