"""Every write of a chat: open it, say something, leave an email, read, end.

The websocket consumers are thin: they parse a frame, then call one of these. Each write
is one transaction; what the other side should see is published after commit.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Channel, Message
from ombuds.core.errors import ApplicationError
from ombuds.core.models import Workspace
from ombuds.marketplace.models import IdentityKind, Party, PartyIdentity
from ombuds.marketplace.services import normalize_email

from ..inbound import accept, process_inbound
from ..models import ChatSession, ChatStatus, InboundMessage, InboundStatus
from . import limits, live
from .read import placeholder_name

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
OPEN_STATUSES = (ChatStatus.WAITING, ChatStatus.ACTIVE, ChatStatus.OFFLINE)


def chat_language(workspace: Workspace, wanted: str) -> str:
    """The widget's language if the desk speaks it ('nl-BE' → 'nl'), else the workspace's."""
    code = (wanted or "").strip().lower().replace("_", "-").split("-")[0]
    spoken = {c for c, _ in settings.LANGUAGES}
    return code if code in spoken else (workspace.default_language or "en")


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if len(name) > limits.MAX_NAME_CHARS:
        raise ApplicationError(
            "name_too_long",
            f"A name may be at most {limits.MAX_NAME_CHARS} characters.",
            status=422,
        )
    return name


def _clean_page(url: str) -> str:
    url = (url or "").strip()
    return url[:1000] if url.lower().startswith(("https://", "http://")) else ""


@transaction.atomic
def open_chat_session(
    *, workspace: Workspace, language: str = "", page_url: str = "", name: str = ""
) -> ChatSession:
    """A visitor opens the widget for the first time: a chat held by a fresh token."""
    return ChatSession.objects.create(
        workspace=workspace,
        # 256 random bits: the token is all a visitor has to prove the chat is theirs.
        token=secrets.token_urlsafe(32),
        language=chat_language(workspace, language),
        page_url=_clean_page(page_url),
        visitor_name=_clean_name(name),
        last_activity_at=timezone.now(),
    )


def chat_session_for(*, workspace: Workspace, token: str) -> ChatSession | None:
    """The chat `token` holds in `workspace`; a token of another workspace is no token."""
    if not isinstance(token, str) or not 16 <= len(token) <= 64:
        return None
    session = ChatSession.objects.select_related("case", "party").filter(token=token).first()
    if session is None or session.workspace_id != workspace.pk:
        return None
    return session


def _check_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError("empty_message", "A message needs some text.", status=422)
    if len(text) > limits.MAX_MESSAGE_CHARS:
        raise ApplicationError(
            "message_too_long",
            f"A chat message may hold at most {limits.MAX_MESSAGE_CHARS:,} characters.",
            details={"length": len(text), "limit": limits.MAX_MESSAGE_CHARS},
            status=413,
        )
    return text


def post_visitor_message(
    *, session: ChatSession, client_id: str, text: str
) -> tuple[Message, bool]:
    """The visitor says something: stored first, then filed on the chat's case at once.

    `client_id` is the widget's own id for the message: sent again after a reconnect, it
    finds the stored message instead of making a second one. Returns (message, created)."""
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise ApplicationError("invalid_message_id", "A message needs an id.", status=422)
    text = _check_text(text)
    # Read afresh: the sweep or another tab may have ended it since this socket looked.
    status = ChatSession.objects.filter(pk=session.pk).values_list("status", flat=True).first()
    if status in (None, ChatStatus.ENDED):
        raise ApplicationError("chat_ended", "This chat has ended.", status=409)
    external_id = f"chat:{session.pk}:{client_id}"
    known = InboundMessage.objects.filter(
        workspace_id=session.workspace_id, channel=Channel.CHAT, external_id=external_id
    ).first()
    if known is None and not limits.allow(
        "messages", str(session.pk), limit=limits.MESSAGES_PER_SESSION
    ):
        raise ApplicationError(
            "rate_limited", "Too many messages at once; wait a moment.", status=429
        )
    raw = json.dumps(
        {"session": session.pk, "client_id": client_id, "text": text, "name": session.visitor_name}
    ).encode()
    inbound, created = accept(
        workspace=session.workspace,
        channel=Channel.CHAT,
        raw=raw,
        external_id=external_id,
        content_type="application/json",
        source=f"chat {session.pk}",
    )
    if inbound.status == InboundStatus.PENDING:
        process_inbound(inbound.pk)
        inbound.refresh_from_db()
    if inbound.status == InboundStatus.PENDING:
        # The queue's wake-up task holds the row (processing skips locked rows): wait for
        # its commit; if that attempt failed, try once more here.
        with transaction.atomic():
            inbound = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
        if inbound.status == InboundStatus.PENDING:
            process_inbound(inbound.pk)
            inbound.refresh_from_db()
    if inbound.status == InboundStatus.REJECTED:
        raise ApplicationError(inbound.outcome or "rejected", inbound.error, status=422)
    if inbound.message_id is None:
        raise ApplicationError(
            "not_stored_yet", "The message is kept and will be filed shortly.", status=503
        )
    message = Message.objects.select_related("author_user").get(pk=inbound.message_id)
    return message, created


def _give_email(party: Party, email: str, name: str, *, placeholder: str = "") -> None:
    """The chat's party becomes reachable at `email`, unless someone else already is: then
    the two stay apart until an agent merges them."""
    owner = (
        PartyIdentity.objects.filter(
            workspace_id=party.workspace_id, kind=IdentityKind.EMAIL, value=email
        )
        .values_list("party_id", flat=True)
        .first()
    )
    if owner is None:
        PartyIdentity.objects.create(
            workspace_id=party.workspace_id, party=party, kind=IdentityKind.EMAIL, value=email
        )
    elif owner != party.pk:
        return
    fields = []
    if not party.email:
        party.email = email
        fields.append("email")
    if name and party.name in ("", placeholder):
        party.name = name[:200]
        fields.append("name")
    if fields:
        party.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def continue_chat_by_email(*, session: ChatSession, email: str, name: str = "") -> ChatSession:
    """Nobody could answer live: the visitor leaves an address and the case goes on by email."""
    try:
        address = normalize_email(email)
    except ApplicationError as refusal:
        raise ApplicationError(refusal.code, refusal.message, status=422) from None
    name = _clean_name(name)
    session = ChatSession.objects.select_for_update().get(pk=session.pk)
    if session.status == ChatStatus.ENDED:
        raise ApplicationError("chat_ended", "This chat has ended.", status=409)
    session.visitor_email = address
    if name:
        session.visitor_name = name
    session.status = ChatStatus.OFFLINE
    session.last_activity_at = timezone.now()
    session.save(update_fields=["visitor_email", "visitor_name", "status", "last_activity_at"])
    if session.party_id is not None:
        _give_email(
            session.party, address, session.visitor_name, placeholder=placeholder_name(session)
        )
    if session.case_id is not None:
        events.record(
            session.case,
            "chat.offline",
            Actor(party=session.party) if session.party_id else Actor.system("chat"),
            data={"email": address},
        )
    _announce_status(session)
    return session


def link_case(*, session_id: int, message: Message) -> None:
    """The chat's first message opened a case (or a closed one was followed up): the chat
    now belongs to it. Called from the timeline listener, inside the filing transaction."""
    session = ChatSession.objects.select_for_update().filter(pk=session_id).first()
    if session is None:
        return
    session.case_id = message.case_id
    session.party_id = message.author_party_id
    session.last_activity_at = message.created_at
    session.save(update_fields=["case", "party", "last_activity_at"])
    if session.visitor_email and session.party_id is not None:
        _give_email(
            session.party,
            session.visitor_email,
            session.visitor_name,
            placeholder=placeholder_name(session),
        )


def note_activity(session_id: int, at: datetime) -> None:
    ChatSession.objects.filter(pk=session_id).update(last_activity_at=at)


def mark_read(*, session: ChatSession, by: str, message_id: int | None) -> datetime | None:
    """The visitor (or an agent) has read the chat up to this message; returns the read
    mark now in force. Marks only move forward."""
    field = {"visitor": "visitor_last_read_at", "agent": "agent_last_read_at"}[by]
    at = None
    if session.case_id is not None and isinstance(message_id, int):
        at = (
            Message.objects.filter(case_id=session.case_id, pk=message_id)
            .values_list("created_at", flat=True)
            .first()
        )
    if at is not None:
        ChatSession.objects.filter(pk=session.pk).filter(
            Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": at})
        ).update(**{field: at})
    return ChatSession.objects.filter(pk=session.pk).values_list(field, flat=True).first()


@transaction.atomic
def end_chat_session(*, session: ChatSession, reason: str, by=None) -> ChatSession:
    """The chat is over (the visitor closed it, or nobody wrote for a while); the transcript
    stays on the case."""
    session = (
        ChatSession.objects.select_for_update(of=("self",))
        .select_related("case", "party")
        .get(pk=session.pk)
    )
    if session.status == ChatStatus.ENDED:
        return session
    now = timezone.now()
    session.status = ChatStatus.ENDED
    session.ended_at = now
    session.save(update_fields=["status", "ended_at"])
    if session.case_id is not None:
        actor = Actor(user=by) if by is not None else Actor.system("chat")
        if reason == "visitor" and session.party_id:
            actor = Actor(party=session.party)
        data = {"reason": reason}
        if reason == "idle":
            data["quiet_minutes"] = int(limits.IDLE_AFTER.total_seconds() // 60)
        events.record(session.case, "chat.ended", actor, data=data, at=now)
    _announce_status(session)
    return session


def _announce_status(session: ChatSession) -> None:
    event = {"type": "chat.status", "session": session.pk, "status": session.status}
    group, workspace_id = live.session_group(session.pk), session.workspace_id
    transaction.on_commit(lambda: live.publish(group, event))
    transaction.on_commit(lambda: live.announce_waiting(workspace_id))


def end_idle_chats(*, now: datetime | None = None) -> int:
    """End chats nobody has written in for `IDLE_AFTER`; forget sessions that never
    carried a message. Returns how many chats were ended."""
    now = now or timezone.now()
    cutoff = now - limits.IDLE_AFTER
    idle = Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, started_at__lt=cutoff)
    ended = 0
    for session in ChatSession.objects.filter(
        idle, status__in=[ChatStatus.WAITING, ChatStatus.ACTIVE], case__isnull=False
    ).order_by("pk")[:500]:
        end_chat_session(session=session, reason="idle")
        ended += 1
    # A widget still open on an empty chat keeps it; a socket that stopped beating does not.
    ChatSession.objects.filter(idle, case__isnull=True).exclude(
        connections__seen_at__gte=now - limits.PRESENCE_TTL
    ).delete()
    return ended
