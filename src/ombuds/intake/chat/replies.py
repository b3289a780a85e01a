"""Where the case's messages go while a chat lives: live to the sockets, or by email.

Registered with the intake at start-up: a timeline listener that links a chat to the case
its first message opened and pushes every public message to the chat's sockets after
commit, the recipient finder the outbox asks where a reply on a chat case goes, and the
transport for a reply the outbox hands to the chat channel.
"""

from __future__ import annotations

from django.db import transaction

from ombuds.conversations.models import Case, CaseEvent, Channel, Delivery, Message, MessageKind
from ombuds.core.transports import Sent

from ..models import ChatSession, ChatStatus
from . import live
from .presence import visitor_connected
from .sessions import link_case, note_activity

FILED = ("case.created", "message.received")


def _sessions_of(case: Case) -> list[ChatSession]:
    return list(ChatSession.objects.filter(case=case).order_by("-started_at", "-pk")[:5])


def on_case_event(event: CaseEvent) -> None:
    """Timeline listener (ADR 0005): keeps chats in step with their cases."""
    if event.message_id is None or event.kind not in (*FILED, "message.replied"):
        return
    message = event.message
    if message.kind == MessageKind.NOTE:
        return  # never towards a visitor's socket
    session_id = (message.meta or {}).get("chat_session") if event.kind in FILED else None
    if session_id is None and event.case.channel != Channel.CHAT:
        return
    if isinstance(session_id, int):
        if event.kind == "case.created":
            link_case(session_id=session_id, message=message)
        else:
            note_activity(session_id, message.created_at)
        sessions = list(ChatSession.objects.filter(pk=session_id, case=event.case))
    else:
        sessions = _sessions_of(event.case)
    if event.kind == "message.replied":
        for session in sessions:
            _answered(session, message)
    if sessions:
        _push_after_commit(message, sessions)


def _answered(session: ChatSession, message: Message) -> None:
    """An agent replied: a waiting chat is answered; a visitor still here is in a live
    conversation again, even after leaving an address."""
    status = session.status
    if status == ChatStatus.ENDED:
        return
    if visitor_connected(session):
        status = ChatStatus.ACTIVE
    elif status == ChatStatus.WAITING:
        status = ChatStatus.OFFLINE if session.visitor_email else ChatStatus.ACTIVE
    ChatSession.objects.filter(pk=session.pk).update(
        status=status, last_activity_at=message.created_at
    )
    if status != session.status:
        event = {"type": "chat.status", "session": session.pk, "status": status}
        group = live.session_group(session.pk)
        transaction.on_commit(lambda: live.publish(group, event))
    session.status = status


def _push_after_commit(message: Message, sessions: list[ChatSession]) -> None:
    message_id = message.pk
    session_ids = [s.pk for s in sessions]
    workspace_id = message.workspace_id

    def push() -> None:
        fresh = Message.objects.select_related("author_user").filter(pk=message_id).first()
        if fresh is None:
            return
        for session in ChatSession.objects.filter(pk__in=session_ids):
            live.publish(
                live.session_group(session.pk),
                {"type": "chat.message", "message": live.message_event(fresh, session)},
            )
        live.announce_waiting(workspace_id)

    transaction.on_commit(push)


def reply_recipient(case: Case) -> tuple[str, str] | None:
    """A reply on a chat case: live (no delivery) while the visitor's widget is connected;
    otherwise by email to the address they left, or the requester's; else it waits in the
    transcript for them to come back."""
    sessions = _sessions_of(case)
    if sessions and visitor_connected(sessions[0]):
        return None
    email = next((s.visitor_email for s in sessions if s.visitor_email), "")
    email = email or case.requester.email
    return (Channel.EMAIL, email) if email else None


def send_chat_reply(delivery: Delivery) -> Sent:
    """A reply the outbox addressed to the chat channel is pushed to the chat's sockets."""
    message = delivery.message
    sessions = _sessions_of(message.case)
    if sessions:
        _push_after_commit(message, sessions)
    return Sent(provider_id=f"chat:{message.pk}")
