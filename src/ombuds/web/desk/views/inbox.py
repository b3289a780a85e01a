"""The inbox: views, filters, search and keyset pages over a workspace's cases."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ombuds.conversations.models import Channel, Priority, Status
from ombuds.conversations.selectors import InboxPage, cases_for_inbox, inbox_counts
from ombuds.core.errors import ApplicationError

from ..access import access_workspace
from ..choices import FilterChoices, choices_for
from ..forms import InboxFilterForm
from ..refusals import refusal_message

PAGE_SIZE = 50
LIST_TARGET = "case-list"


def _view_tabs(counts: dict[str, int]) -> list[tuple[str, str, int | None]]:
    return [
        ("mine", _("Mine"), counts.get("mine")),
        ("unassigned", _("Unassigned"), counts.get("unassigned")),
        ("team", _("My teams"), counts.get("team")),
        ("pending", _("Pending"), counts.get("pending")),
        ("all", _("All"), None),
    ]


def _filter_controls(query: MultiValueDict, choices: FilterChoices) -> list[dict]:
    """The filter bar's selects, with what the query string currently asks for."""
    controls = [
        ("status", _("Any status"), Status.choices),
        ("priority", _("Any priority"), Priority.choices),
        ("channel", _("Any channel"), Channel.choices),
        ("language", _("Any language"), choices.languages),
        ("tag", _("Any tag"), choices.tags),
        ("assignee", _("Any assignee"), [("none", _("Unassigned")), *choices.agents]),
        ("team", _("Any team"), [("none", _("No team")), *choices.teams]),
        (
            "sla",
            _("Any deadline"),
            [("breached", _("SLA breached")), ("due_soon", _("Due within 1 hour"))],
        ),
        ("sort", _("Latest activity first"), [("sla_due", _("Next SLA due first"))]),
    ]
    return [
        {
            "name": name,
            "placeholder": placeholder,
            "options": [(str(value), label) for value, label in options],
            "selected": query.getlist(name),
        }
        for name, placeholder, options in controls
    ]


@login_required
@require_GET
def inbox(request, slug: str):
    workspace, _membership = access_workspace(request, slug)
    choices = choices_for(workspace)
    # An empty select submits "status="; that means "no filter", not an unknown status.
    query = MultiValueDict({k: [v for v in vs if v] for k, vs in request.GET.lists()})
    form = InboxFilterForm(query, choices=choices)
    page, error, status = InboxPage(items=[], next_cursor=None), None, 200
    now = timezone.now()
    if form.is_valid():
        try:
            page = cases_for_inbox(
                workspace=workspace,
                user=request.user,
                filters=form.to_filters(),
                cursor=form.cleaned_data["cursor"] or None,
                limit=PAGE_SIZE,
                now=now,
            )
        except ApplicationError as refused:
            error, status = refusal_message(refused), refused.status
    else:
        error, status = (
            _("Some filters are not valid: %(fields)s.")
            % {"fields": ", ".join(sorted(form.errors))},
            400,
        )
    view = form.cleaned_data.get("view") or "all"
    context = {
        "workspace": workspace,
        "page": page,
        # Rows link to their case by reference: one reverse() per page, not one per row.
        "case_path": reverse("web:case", args=[workspace.slug, "_"]).removesuffix("_/"),
        "error": error,
        "view": view,
        "q": query.get("q", ""),
        "is_filtered": any(k not in ("view", "cursor") for k in query),
        "is_later_page": bool(query.get("cursor")),
        "now": now,
    }
    htmx = request.htmx
    if (
        htmx
        and not htmx.boosted
        and not htmx.history_restore_request
        and (htmx.target == LIST_TARGET)
    ):
        response = render(request, "web/desk/partials/case_list.html", context, status=status)
    else:
        context |= {
            "tabs": _view_tabs(inbox_counts(workspace=workspace, user=request.user)),
            "filters": _filter_controls(query, choices),
        }
        response = render(request, "web/desk/inbox.html", context, status=status)
    # The same URL answers a whole page or only the list, depending on this header.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response
