"""The widget's script, its settings and texts, and a demo shop page that embeds it."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from ombuds.core.models import Workspace
from ombuds.intake.chat import limits
from ombuds.intake.chat.sessions import chat_language
from ombuds.intake.chat.setup import chat_account, origin_allowed

from .texts import widget_texts

WIDGET_FILE = "web/chat/widget.js"


@cache
def _cached_script() -> bytes:
    return _read_script()


def _read_script() -> bytes:
    path = finders.find(WIDGET_FILE)
    if not path:
        raise Http404("The widget is not installed")
    with open(path, "rb") as fh:
        return fh.read()


@require_GET
def widget_script(request: HttpRequest) -> HttpResponse:
    """/chat/widget.js: one script for every workspace (the tag names which one)."""
    body = _read_script() if settings.DEBUG else _cached_script()
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # A public script meant for other sites' pages: any origin may load it, also with
    # crossorigin/integrity attributes.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Cache-Control"] = "public, max-age=300"
    return response


def _chat_workspace(slug: str):
    workspace = get_object_or_404(Workspace, slug=slug)
    account = chat_account(workspace)
    if account is None:
        raise Http404("This workspace offers no chat")
    return workspace, account


@require_GET
def widget_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """What the widget needs before it opens a socket: texts in the visitor's language and
    where to connect. Answered with CORS only for the workspace's allowed sites."""
    workspace, account = _chat_workspace(slug)
    origin = request.headers.get("Origin", "")
    if origin and not origin_allowed(account, origin, own_hosts=[request.get_host().lower()]):
        return JsonResponse(
            {"code": "origin_not_allowed", "message": "This site may not embed the chat."},
            status=403,
        )
    language = chat_language(workspace, request.GET.get("lang", ""))
    response = JsonResponse(
        {
            "workspace": {"slug": workspace.slug, "name": workspace.name},
            "language": language,
            "socket": f"/ws/chat/{workspace.slug}/",
            "max_chars": limits.MAX_MESSAGE_CHARS,
            "texts": widget_texts(language, workspace_name=workspace.name),
        }
    )
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    response["Cache-Control"] = "public, max-age=60"
    patch_vary_headers(response, ["Origin"])
    return response


@require_GET
def demo_shop(request: HttpRequest, slug: str) -> HttpResponse:
    """A made-up marketplace page with the widget embedded, as a shop would do it."""
    workspace, _account = _chat_workspace(slug)
    return render(
        request,
        "web/chat/demo.html",
        {
            "workspace": workspace,
            "widget_url": request.build_absolute_uri(reverse("web:chat_widget")),
            "help_url": reverse("web:help_home", args=[workspace.slug]),
        },
    )
