"""Files attached to messages, handed to the agent's browser as downloads only; inline
email images shown in the message they belong to; an email's original as it arrived."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.http import require_GET

from ombuds.conversations.models import Attachment, Message
from ombuds.intake.email.originals import original_email

from ..access import access_workspace

# Raster images a browser decodes without running anything; never SVG.
INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"}


def _untouchable(response):
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _attachment_or_404(request, slug: str, attachment_id: int) -> Attachment:
    workspace, _ = access_workspace(request, slug)
    attachment = Attachment.objects.filter(workspace=workspace, pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment")
    return attachment


def _open(attachment: Attachment):
    try:
        return attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is gone from storage") from None


@login_required
@require_GET
def attachment_download(request, slug: str, attachment_id: int):
    attachment = _attachment_or_404(request, slug, attachment_id)
    # A customer's file is never rendered by the desk's origin: always a download, with
    # a neutral type and no sniffing, so an HTML or SVG in disguise cannot run as a page.
    response = FileResponse(
        _open(attachment),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
    return _untouchable(response)


@login_required
@require_GET
def attachment_inline(request, slug: str, attachment_id: int):
    """An email's inline image, for the <img> the case page rewrites its cid: to."""
    attachment = _attachment_or_404(request, slug, attachment_id)
    if attachment.content_type not in INLINE_IMAGE_TYPES:
        raise Http404("Not an image that can be shown inline")
    response = FileResponse(_open(attachment), content_type=attachment.content_type)
    response["Content-Disposition"] = "inline"
    return _untouchable(response)


@login_required
@require_GET
def message_original(request, slug: str, message_id: int):
    """The email a message came from, byte for byte, as a .eml download."""
    workspace, _ = access_workspace(request, slug)
    message = (
        Message.objects.filter(workspace=workspace, pk=message_id).select_related("case").first()
    )
    raw = original_email(workspace=workspace, message=message) if message else None
    if raw is None:
        raise Http404("No original email for this message")
    response = HttpResponse(raw, content_type="message/rfc822")
    filename = f"{message.case.reference}-{message.pk}.eml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _untouchable(response)
