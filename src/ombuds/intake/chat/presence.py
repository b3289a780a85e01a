"""Who is connected right now: visitors on their chats, members on the desk.

One `ChatConnection` row per open socket, refreshed by its heartbeats. Availability and
live routing read only rows seen within `PRESENCE_TTL`, so a process that died without
closing its sockets stops counting within a minute or so, and the sweep removes its rows.
"""

from __future__ import annotations

from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.core.models import Workspace

from ..models import ChatConnection, ChatSession, ConnectionKind
from .limits import PRESENCE_TTL

STALE_ROWS_AFTER = PRESENCE_TTL * 8


def _fresh_since():
    return timezone.now() - PRESENCE_TTL


def connect(
    *,
    workspace: Workspace,
    channel_name: str,
    kind: str,
    session: ChatSession | None = None,
    user: User | None = None,
) -> ChatConnection:
    now = timezone.now()
    connection, _ = ChatConnection.objects.update_or_create(
        channel_name=channel_name,
        defaults={
            "workspace": workspace,
            "kind": kind,
            "session": session,
            "user": user,
            "connected_at": now,
            "seen_at": now,
        },
    )
    return connection


def heartbeat(channel_name: str) -> None:
    ChatConnection.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def disconnect(channel_name: str) -> None:
    ChatConnection.objects.filter(channel_name=channel_name).delete()


def visitor_connected(session: ChatSession) -> bool:
    """Does a reply on this chat reach the visitor live, right now?"""
    return ChatConnection.objects.filter(
        session=session, kind=ConnectionKind.VISITOR, seen_at__gte=_fresh_since()
    ).exists()


def agents_available(workspace: Workspace) -> bool:
    """Is someone who can answer chats on the desk now? At least one member whose role may
    reply, with a desk page open. (A routing app with presence and capacity replaces this.)"""
    return ChatConnection.objects.filter(
        workspace=workspace, kind=ConnectionKind.AGENT, seen_at__gte=_fresh_since()
    ).exists()


def forget_stale_connections() -> int:
    """Remove rows of sockets that stopped beating long ago (a crashed process)."""
    cutoff = timezone.now() - STALE_ROWS_AFTER
    deleted, _ = ChatConnection.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
