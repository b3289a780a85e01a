"""What every platform's reader shares: its account, the media it fetches, and how a
file that cannot be kept still leaves a trace in the message.

Media is fetched while the payload is processed, not when the webhook arrives: the
webhook only stores and answers. A download that fails for a passing reason raises, so
the payload stays pending and is tried again; on the last attempt, or when the file is
too large, gone or of a refused type, the message is filed without it and says so.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from ombuds.conversations.attachments import IncomingFile, check_files, clean_filename
from ombuds.conversations.models import ACTIVE_STATUSES, Case, Status
from ombuds.core.errors import ApplicationError
from ombuds.marketplace.models import PartyIdentity

from ..identity import Identity
from ..inbound import MAX_ATTEMPTS
from ..models import ChannelAccount, InboundMessage
from .http import Downloaded, MediaTooLarge, MediaUnavailable


class Item(NamedTuple):
    """One message or status cut out of a webhook call: stored as one payload row."""

    account_id: str
    external_id: str
    payload: dict


def payload_of(inbound: InboundMessage) -> dict:
    """The stored JSON of one message or status; a row that is not JSON is refused."""
    try:
        payload = json.loads(bytes(inbound.raw))
    except (ValueError, UnicodeDecodeError):
        raise ApplicationError("invalid_payload", "The stored payload is not JSON.") from None
    if not isinstance(payload, dict):
        raise ApplicationError("invalid_payload", "The stored payload is not a JSON object.")
    return payload


def account_of(inbound: InboundMessage, account_id: str) -> ChannelAccount | None:
    """The workspace's connection the payload came through (its token fetches media)."""
    return ChannelAccount.objects.filter(
        workspace=inbound.workspace, channel=inbound.channel, account_id=str(account_id)
    ).first()


def from_timestamp(value, *, millis: bool = False) -> datetime | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(number / 1000 if millis else number, tz=UTC)


def location_text(latitude, longitude, name: str = "", address: str = "") -> tuple[str, dict]:
    """A shared location as a line of text and as `meta.location`."""
    place = ", ".join(part for part in (name, address) if part)
    text = (
        f"Location: {place} ({latitude}, {longitude})"
        if place
        else (f"Location: {latitude}, {longitude}")
    )
    location = {"latitude": latitude, "longitude": longitude}
    if name:
        location["name"] = name
    if address:
        location["address"] = address
    return text, location


def filename_for(label: str, content_type: str, given: str = "") -> str:
    if given:
        return clean_filename(given)
    extension = mimetypes.guess_extension((content_type or "").split(";")[0].strip()) or ""
    if extension == ".oga":
        extension = ".ogg"
    return f"{label.replace(' ', '-')}{extension}"


@dataclass
class Media:
    """The files a message brings, and a note for each one that could not be kept."""

    inbound: InboundMessage
    files: list[IncomingFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def last_attempt(self) -> bool:
        return self.inbound.attempts >= MAX_ATTEMPTS

    def take(
        self,
        label: str,
        fetch: Callable[[int], Downloaded],
        *,
        filename: str = "",
        content_type: str = "",
        size: int | None = None,
    ) -> None:
        """Fetch one file (`fetch(limit)`), or note why the message comes without it."""
        limit = settings.OMBUDS_MAX_ATTACHMENT_BYTES
        if size is not None and size > limit:
            self._too_large(label, size, limit)
            return
        try:
            downloaded = fetch(limit)
        except MediaTooLarge as exc:
            self._too_large(label, exc.size, limit)
            return
        except MediaUnavailable:
            self.notes.append(f"[{label} not kept: the platform no longer has it]")
            return
        except Exception:
            if not self.last_attempt:
                raise  # passing trouble: the payload stays pending and is tried again
            self.notes.append(f"[{label} not kept: it could not be downloaded]")
            return
        kind = content_type or downloaded.content_type or "application/octet-stream"
        incoming = IncomingFile(
            filename=filename_for(label, kind, filename),
            content_type=kind,
            content=downloaded.content,
        )
        try:
            check_files([*self.files, incoming])
        except ApplicationError as refused:
            self.notes.append(f"[{label} not kept: {refused.message}]")
            return
        self.files.append(incoming)

    def _too_large(self, label: str, size: int | None, limit: int) -> None:
        what = f"{filesizeformat(size)} is" if size else "it is"
        self.notes.append(f"[{label} not kept: {what} over the {filesizeformat(limit)} limit]")

    def text_with_notes(self, text: str, placeholder: str = "") -> str:
        """The message's words, then a line per file left out; a placeholder ("(photo)")
        when the customer sent a file without words."""
        lines = [text.strip()] if text and text.strip() else []
        if not lines and placeholder and (self.files or not self.notes):
            lines.append(placeholder)
        lines += self.notes
        return "\n".join(lines)


def open_case_on(
    *, workspace, identity: Identity, channel: str, public: bool | None = None
) -> int | None:
    """The sender's latest case on `channel` still open (or solved), optionally only a
    public or only a private one; None for a sender not seen before."""
    row = (
        PartyIdentity.objects.filter(workspace=workspace, kind=identity.kind, value=identity.value)
        .select_related("party")
        .first()
    )
    if row is None:
        return None
    party = row.party
    while party.merged_into_id is not None:
        party = party.merged_into
    cases = Case.objects.filter(
        workspace=workspace,
        requester=party,
        channel=channel,
        status__in=[*ACTIVE_STATUSES, Status.SOLVED],
    )
    if public is not None:
        cases = cases.filter(is_public_post=public)
    return cases.order_by("-updated_at", "-pk").values_list("pk", flat=True).first()
