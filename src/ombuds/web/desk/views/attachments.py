"""Files attached to messages, handed to the agent's browser as downloads only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from ombuds.conversations.models import Attachment

from ..access import access_workspace


@login_required
@require_GET
def attachment_download(request, slug: str, attachment_id: int):
    workspace, _ = access_workspace(request, slug)
    attachment = Attachment.objects.filter(workspace=workspace, pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is gone from storage") from None
    # A customer's file is never rendered by the desk's origin: always a download, with
    # a neutral type and no sniffing, so an HTML or SVG in disguise cannot run as a page.
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
