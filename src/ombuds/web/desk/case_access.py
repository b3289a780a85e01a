"""Finding a case for a desk view, and refusing what a view will not do: shared by the
case page and the panels drawn on it (money, rescue, tools), so none of them imports
another's view module."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django_htmx.http import reswap, retarget

from ombuds.conversations.selectors import case_by_reference
from ombuds.core.errors import NotFound


def case_or_404(workspace, reference: str):
    try:
        return case_by_reference(workspace=workspace, reference=reference)
    except NotFound:
        raise Http404("No such case") from None


def refuse(request, message: str, status: int):
    """The refusal as a flash message above the page for htmx, as a page otherwise."""
    if request.htmx:
        response = render(
            request, "web/desk/partials/flash.html", {"flash_error": message}, status=status
        )
        return reswap(retarget(response, "#flash"), "innerHTML")
    return render(request, "web/desk/refused.html", {"error": message}, status=status)
