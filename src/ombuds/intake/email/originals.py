"""The email a message came from, exactly as it arrived, for an agent to download."""

from __future__ import annotations

from ombuds.conversations.models import Channel, Message
from ombuds.core.models import Workspace

from ..models import InboundMessage


def original_email(*, workspace: Workspace, message: Message) -> bytes | None:
    """The raw bytes of the email behind `message`, or None (not an email, or not ours)."""
    if message.workspace_id != workspace.pk:
        return None
    raw = (
        InboundMessage.objects.filter(workspace=workspace, channel=Channel.EMAIL, message=message)
        .order_by("pk")
        .values_list("raw", flat=True)
        .first()
    )
    return bytes(raw) if raw is not None else None
