"""Checking and storing files customers and agents attach."""

from __future__ import annotations

import hashlib
import mimetypes
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ombuds.core.errors import ApplicationError

from .models import Attachment, Message, attachment_path

# Files an agent's machine would run or a browser would render as a page.
_BLOCKED_EXTENSIONS = {
    ".exe",
    ".bat",
    ".cmd",
    ".com",
    ".scr",
    ".msi",
    ".ps1",
    ".vbs",
    ".js",
    ".jse",
    ".jar",
    ".html",
    ".htm",
    ".svg",
    ".xhtml",
    ".hta",
    ".lnk",
    ".dll",
    ".sh",
    ".app",
}
_BLOCKED_TYPES = {
    "text/html",
    "image/svg+xml",
    "application/xhtml+xml",
    "application/javascript",
    "text/javascript",
    "application/x-msdownload",
    "application/x-msdos-program",
    "application/x-sh",
}


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    content_type: str
    content: bytes


def clean_filename(name: str) -> str:
    name = os.path.basename((name or "").replace("\\", "/")).strip()
    name = "".join(c for c in name if c.isprintable() and c not in '<>:"|?*')
    return name[:200] or "attachment"


def check_files(files: list[IncomingFile]) -> None:
    """Refuse the whole message before anything is written when one file is not acceptable."""
    limit = settings.OMBUDS_MAX_ATTACHMENT_BYTES
    if len(files) > settings.OMBUDS_MAX_ATTACHMENTS_PER_MESSAGE:
        raise ApplicationError(
            "too_many_attachments",
            f"At most {settings.OMBUDS_MAX_ATTACHMENTS_PER_MESSAGE} files per message.",
            status=413,
        )
    for f in files:
        name = clean_filename(f.filename)
        if len(f.content) > limit:
            raise ApplicationError(
                "attachment_too_large",
                f"{name} is {len(f.content):,} bytes; the limit is {limit:,}.",
                details={"filename": name, "size": len(f.content), "limit": limit},
                status=413,
            )
        ext = os.path.splitext(name)[1].lower()
        guessed = mimetypes.guess_type(name)[0] or ""
        declared = (f.content_type or "").split(";")[0].strip().lower()
        if ext in _BLOCKED_EXTENSIONS or declared in _BLOCKED_TYPES or guessed in _BLOCKED_TYPES:
            raise ApplicationError(
                "attachment_type_not_allowed",
                f"Files like {name} cannot be attached.",
                details={"filename": name, "content_type": declared or guessed},
                status=415,
            )


def store_files(message: Message, files: list[IncomingFile]) -> list[Attachment]:
    stored = []
    for f in files:
        name = clean_filename(f.filename)
        content_type = (
            (f.content_type or "").split(";")[0].strip().lower()
            or mimetypes.guess_type(name)[0]
            or "application/octet-stream"
        )
        digest = hashlib.sha256(f.content).hexdigest()
        attachment = Attachment(
            workspace_id=message.workspace_id,
            message=message,
            filename=name,
            content_type=content_type,
            size=len(f.content),
            sha256=digest,
        )
        path = attachment_path(attachment, name)
        if default_storage.exists(path):
            # Content-addressed: the same bytes are stored once per workspace.
            attachment.file.name = path
        else:
            attachment.file.save(name, ContentFile(f.content), save=False)
        attachment.save()
        stored.append(attachment)
    return stored
