"""Live chats in the desk: the list of chats waiting for an agent or under way, and the
case timeline fragment a chat case page reloads when the visitor writes or reads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from ombuds.conversations.models import Channel
from ombuds.conversations.selectors import case_by_reference, timeline_of
from ombuds.core.errors import NotFound
from ombuds.intake.chat.selectors import chat_of_case, live_chats
from ombuds.intake.models import ChatStatus

from .. import timeline
from ..access import access_workspace

LIST_TARGET = "live-chats"


@login_required
@require_GET
def live_chat_list(request, slug: str):
    workspace, _membership = access_workspace(request, slug)
    context = {
        "workspace": workspace,
        "chats": live_chats(workspace=workspace),
        "now": timezone.now(),
    }
    if request.htmx and request.htmx.target == LIST_TARGET:
        response = render(request, "web/desk/partials/live_chats.html", context)
    else:
        response = render(request, "web/desk/chats.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def chat_context(case) -> dict:
    """What a case page adds for a chat case: the chat, for its panel and "Seen" marks."""
    if case.channel != Channel.CHAT:
        return {"chat": None}
    return {"chat": chat_of_case(case), "chat_statuses": ChatStatus.choices}


@login_required
@require_GET
def chat_timeline(request, slug: str, reference: str):
    workspace, _membership = access_workspace(request, slug)
    try:
        case = case_by_reference(workspace=workspace, reference=reference)
    except NotFound:
        raise Http404("No such case") from None
    context = {
        "workspace": workspace,
        "case": case,
        "timeline": timeline.entries(timeline_of(case)),
        **chat_context(case),
    }
    return render(request, "web/desk/partials/timeline.html", context)
