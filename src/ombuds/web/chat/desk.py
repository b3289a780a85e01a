"""The desk's websocket: /ws/desk/<workspace>/, opened by every desk page of a member.

Signed-in members only (session cookie, through AuthMiddlewareStack), from the desk's own
pages only, and only for a workspace they belong to. Its presence is what makes an agent
"available" for chats. A case page of a chat case asks to `watch` the case: then it hears
the visitor's messages, typing and reading, and its agent's typing reaches the visitor.

Frames in: watch {case}, typing {case, typing}, read {case, until}, ping.
Frames out: hello, watching, message, typing, read, presence, status, chats, error, pong.
"""

from __future__ import annotations

import time

from channels.db import database_sync_to_async

from ombuds.accounts.models import Membership
from ombuds.accounts.roles import WRITE_CASES, role_allows
from ombuds.conversations.selectors import case_by_reference
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.intake.chat import limits, live, presence, sessions
from ombuds.intake.chat.selectors import chat_of_case, waiting_chats_count
from ombuds.intake.models import ChatSession, ConnectionKind

from .sockets import FrameSocket, same_origin

MAX_WATCHED = 20


def _membership(user, slug: str) -> Membership | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return (
        Membership.objects.select_related("workspace", "user")
        .filter(user_id=user.pk, workspace__slug=slug)
        .first()
    )


def _arrive(membership: Membership, channel_name: str, kind: str) -> int:
    presence.connect(
        workspace=membership.workspace,
        channel_name=channel_name,
        kind=kind,
        user=membership.user,
    )
    return waiting_chats_count(membership.workspace)


def _watch(workspace, reference: str):
    try:
        case = case_by_reference(workspace=workspace, reference=reference)
    except NotFound:
        raise ApplicationError("unknown_case", "No such case.", status=404) from None
    chat = chat_of_case(case)
    if chat is None:
        raise ApplicationError("not_a_chat", "This case has no chat.", status=404)
    return case, chat


class DeskChat(FrameSocket):
    handlers = frozenset({"watch", "typing", "read", "ping"})

    async def open(self) -> None:
        if not same_origin(self.scope):
            await self.close()
            return
        slug = self.scope["url_route"]["kwargs"]["slug"]
        self.membership = await database_sync_to_async(_membership)(self.scope.get("user"), slug)
        if self.membership is None:
            await self.close()
            return
        self.workspace = self.membership.workspace
        self.can_write = role_allows(self.membership.role, WRITE_CASES)
        # reference -> session id of each watched chat case
        self.watching: dict[str, int] = {}
        self._typed_at: dict[str, float] = {}
        await self.accept()
        self.connection_name = self.channel_name
        kind = ConnectionKind.AGENT if self.can_write else ConnectionKind.VIEWER
        waiting = await database_sync_to_async(_arrive)(self.membership, self.channel_name, kind)
        await self.join(live.workspace_group(self.workspace.pk))
        await self.send_json({"type": "hello", "waiting": waiting, "can_write": self.can_write})

    def _watched(self, frame: dict) -> tuple[str, int]:
        reference = frame.get("case")
        if not isinstance(reference, str) or reference not in self.watching:
            raise ApplicationError("not_watching", "Watch the case first.", status=400)
        return reference, self.watching[reference]

    async def on_watch(self, frame: dict) -> None:
        reference = frame.get("case")
        if not isinstance(reference, str) or len(reference) > 30:
            raise ApplicationError("unknown_case", "No such case.", status=404)
        if len(self.watching) >= MAX_WATCHED and reference not in self.watching:
            raise ApplicationError("too_many_cases", "Watching too many cases.", status=400)
        case, chat = await database_sync_to_async(_watch)(self.workspace, reference)
        self.watching[case.reference] = chat.session.pk
        await self.join(live.session_group(chat.session.pk))
        await self.send_json(
            {
                "type": "watching",
                "case": case.reference,
                "session": chat.session.pk,
                "status": chat.session.status,
                "online": chat.online,
                "visitor_read_at": _iso(chat.session.visitor_last_read_at),
            }
        )

    async def on_typing(self, frame: dict) -> None:
        reference, session_id = self._watched(frame)
        if not self.can_write:
            raise ApplicationError("forbidden", "Your role does not allow this.", status=403)
        typing = bool(frame.get("typing"))
        now = time.monotonic()
        if typing and now - self._typed_at.get(reference, 0.0) < limits.TYPING_INTERVAL:
            return
        self._typed_at[reference] = now if typing else 0.0
        await self.tell(
            live.session_group(session_id),
            {
                "type": "chat.typing",
                "session": session_id,
                "who": "agent",
                "name": self.membership.user.display_name,
                "typing": typing,
                "sender": self.channel_name,
            },
        )

    async def on_read(self, frame: dict) -> None:
        _reference, session_id = self._watched(frame)
        until = frame.get("until")
        session = await database_sync_to_async(ChatSession.objects.get)(pk=session_id)
        at = await database_sync_to_async(sessions.mark_read)(
            session=session, by="agent", message_id=until if isinstance(until, int) else None
        )
        if at is not None:
            await self.tell(
                live.session_group(session_id),
                {"type": "chat.read", "session": session_id, "who": "agent", "at": at.isoformat()},
            )

    # --- events from the channel layer --------------------------------------------------

    def _case_of(self, session_id) -> str | None:
        return next((ref for ref, sid in self.watching.items() if sid == session_id), None)

    async def _to_case(self, event: dict, **content) -> None:
        reference = self._case_of(event.get("session"))
        if reference is not None:
            await self.send_json({**content, "case": reference})

    async def chat_message(self, event: dict) -> None:
        message = event["message"]
        await self._to_case(
            {"session": message.get("session")},
            type="message",
            id=message["id"],
            author=message["author"],
        )

    async def chat_typing(self, event: dict) -> None:
        if event.get("who") == "visitor":
            await self._to_case(event, type="typing", typing=event["typing"])

    async def chat_read(self, event: dict) -> None:
        await self._to_case(event, type="read", who=event["who"], at=event["at"])

    async def chat_presence(self, event: dict) -> None:
        await self._to_case(event, type="presence", online=event["online"])

    async def chat_status(self, event: dict) -> None:
        await self._to_case(event, type="status", status=event["status"])

    async def chat_list(self, event: dict) -> None:
        await self.send_json({"type": "chats", "waiting": event.get("waiting", 0)})


def _iso(value) -> str | None:
    return value.isoformat() if value else None
