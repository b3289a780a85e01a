"""Reads of chats: a visitor's transcript, the desk's live chats, a case's chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ombuds.conversations.models import Case, Message, MessageKind
from ombuds.core.models import Workspace

from ..models import ChatConnection, ChatSession, ChatStatus, ConnectionKind
from . import limits, live

LIVE_CHATS_LIMIT = 100


def _visitor_online(now: datetime):
    return Exists(
        ChatConnection.objects.filter(
            session=OuterRef("pk"),
            kind=ConnectionKind.VISITOR,
            seen_at__gte=now - limits.PRESENCE_TTL,
        )
    )


def transcript_for_visitor(session: ChatSession, *, limit: int = limits.TRANSCRIPT_LIMIT) -> list:
    """What the visitor sees of the case: their own messages and the agents' replies, never
    internal notes or what a seller or third party wrote on the same case."""
    if session.case_id is None:
        return []
    visible = Q(kind=MessageKind.OUTBOUND)
    if session.party_id is not None:
        visible |= Q(kind=MessageKind.INBOUND, author_party_id=session.party_id)
    newest = list(
        Message.objects.filter(visible, case_id=session.case_id)
        .select_related("author_user")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [live.message_event(m, session) for m in reversed(newest)]


@dataclass(frozen=True)
class LiveChat:
    session: ChatSession
    case: Case
    online: bool
    waiting_since: datetime | None

    @property
    def visitor_label(self) -> str:
        return self.session.visitor_name or str(self.case.requester)


def live_chats(*, workspace: Workspace, limit: int = LIVE_CHATS_LIMIT) -> list[LiveChat]:
    """The desk's "Live chats": waiting ones first, longest wait on top, then active ones,
    latest first. A fixed number of queries, however many chats there are."""
    now = timezone.now()
    sessions = list(
        ChatSession.objects.filter(
            workspace=workspace,
            status__in=[ChatStatus.WAITING, ChatStatus.ACTIVE],
            case__isnull=False,
        )
        .select_related("case__requester")
        .annotate(online=_visitor_online(now))
        .order_by("status", "-last_activity_at", "-pk")[:limit]
    )
    rows = [
        LiveChat(
            session=s,
            case=s.case,
            online=s.online,
            waiting_since=s.case.created_at if s.status == ChatStatus.WAITING else None,
        )
        for s in sessions
    ]
    waiting = sorted((r for r in rows if r.waiting_since), key=lambda r: r.waiting_since)
    return waiting + [r for r in rows if not r.waiting_since]


def waiting_chats_count(workspace: Workspace) -> int:
    return ChatSession.objects.filter(
        workspace=workspace, status=ChatStatus.WAITING, case__isnull=False
    ).count()


@dataclass(frozen=True)
class CaseChat:
    session: ChatSession
    online: bool

    @property
    def visitor_read_at(self) -> datetime | None:
        return self.session.visitor_last_read_at


def chat_of_case(case: Case) -> CaseChat | None:
    """The case's latest chat, with whether the visitor is on it now; None for other cases."""
    session = (
        ChatSession.objects.filter(case=case, workspace_id=case.workspace_id)
        .annotate(online=_visitor_online(timezone.now()))
        .order_by("-started_at", "-pk")
        .first()
    )
    return CaseChat(session=session, online=session.online) if session else None
