"""Reading a stored chat message into an `Incoming` for the shared filing.

The payload is what the visitor's socket sent, as JSON: the session it belongs to, the
widget's own id for the message and the text. The chat's case (once the first message
opened it) is the adapter-known case; before that the session's own party continues its
open chat case, so even a message processed later by the sweep finds the right case.
"""

from __future__ import annotations

import json

from ombuds.conversations.models import Channel
from ombuds.core.errors import ApplicationError

from ..identity import Identity
from ..incoming import Incoming
from ..language import detect_language
from ..models import ChatSession, InboundMessage


def placeholder_name(session: ChatSession) -> str:
    """What the desk calls a visitor who gave no name."""
    return f"Chat visitor #{session.pk}"


def visitor_identity(session: ChatSession, name: str = "") -> Identity:
    """A chat visitor is known by their session until they leave an email address."""
    return Identity.handle("chat", f"session-{session.pk}", name or placeholder_name(session))


def read_chat(inbound: InboundMessage) -> Incoming:
    try:
        payload = json.loads(bytes(inbound.raw))
        session_id = int(payload["session"])
        text = str(payload["text"])
    except (ValueError, KeyError, TypeError):
        raise ApplicationError("invalid_chat_payload", "Not a chat message.") from None
    session = ChatSession.objects.filter(pk=session_id, workspace=inbound.workspace).first()
    if session is None:
        raise ApplicationError("unknown_chat", "No such chat in this workspace.")
    name = str(payload.get("name") or session.visitor_name or "")
    return Incoming(
        channel=Channel.CHAT,
        sender=visitor_identity(session, name),
        text=text,
        external_id=inbound.external_id,
        case_id=session.case_id,
        continues_conversation=True,
        # Chat lines are short; the widget's language is the better guess for "hi".
        language=detect_language(text, fallback=session.language),
        meta={"chat_session": session.pk},
    )
