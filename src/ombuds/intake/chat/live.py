"""Telling connected sockets what happened, after the change is committed.

Groups: `chat.session.<id>` holds a chat's visitor sockets and the desk pages watching its
case; `chat.workspace.<id>` holds every desk page of the workspace (the live chats list,
the waiting count). Events leave only after commit (`transaction.on_commit`), so a socket
never hears of a message that was rolled back.

With the embedded in-memory channel layer every socket lives on the web server's event
loop, and that layer's queues are not thread-safe: a publish from a request thread or the
background worker is handed to that loop instead of being sent from the caller's thread.
With Redis any thread sends directly.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from ombuds.conversations.models import Message, MessageKind

from ..models import ChatSession, ChatStatus

log = logging.getLogger(__name__)
_server_loop: asyncio.AbstractEventLoop | None = None


def session_group(session_id: int) -> str:
    return f"chat.session.{session_id}"


def workspace_group(workspace_id: int) -> str:
    return f"chat.workspace.{workspace_id}"


def bind_server_loop() -> None:
    """Remember the loop the sockets run on; consumers call this when they connect."""
    global _server_loop
    _server_loop = asyncio.get_running_loop()


def publish(group: str, event: dict[str, Any]) -> None:
    """Send `event` to every socket in `group`, from any thread, without waiting."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if isinstance(layer, InMemoryChannelLayer):
        loop = _server_loop
        if loop is None or loop.is_closed() or not loop.is_running():
            return  # no socket was ever opened in this process: nobody to tell
        if running is loop:
            loop.create_task(layer.group_send(group, event))
        else:
            asyncio.run_coroutine_threadsafe(layer.group_send(group, event), loop)
        return
    try:
        if running is not None:
            running.create_task(layer.group_send(group, event))
        else:
            async_to_sync(layer.group_send)(group, event)
    except Exception:
        # A push is a courtesy: the message is stored and the socket gets it on reconnect.
        log.exception("chat push failed", extra={"group": group})


def announce_waiting(workspace_id: int) -> None:
    """Tell the workspace's desk pages how many chats wait for an agent now."""
    waiting = ChatSession.objects.filter(
        workspace_id=workspace_id, status=ChatStatus.WAITING, case__isnull=False
    ).count()
    publish(workspace_group(workspace_id), {"type": "chat.list", "waiting": waiting})


def client_id_of(message: Message, session: ChatSession) -> str:
    prefix = f"chat:{session.pk}:"
    external_id = message.external_id
    return external_id.removeprefix(prefix) if external_id.startswith(prefix) else ""


def author_of(message: Message, session: ChatSession) -> str:
    """'agent', 'visitor', or 'other' (a seller or copied party writing on the same case,
    whom the visitor must not see)."""
    if message.kind == MessageKind.OUTBOUND:
        return "agent"
    if message.kind == MessageKind.INBOUND and (
        message.author_party_id is not None and message.author_party_id == session.party_id
    ):
        return "visitor"
    return "other"


def message_event(message: Message, session: ChatSession) -> dict[str, Any]:
    """A transcript line as the widget shows it: plain text, never markup."""
    author = author_of(message, session)
    if author == "agent":
        name = message.author_user.display_name if message.author_user else ""
    elif author == "visitor":
        name = session.visitor_name
    else:
        name = ""
    return {
        "session": session.pk,
        "id": message.pk,
        "client_id": client_id_of(message, session),
        "author": author,
        "name": name,
        "text": message.body_text,
        "at": message.created_at.isoformat(),
    }
