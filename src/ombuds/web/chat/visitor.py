"""The visitor's websocket: /ws/chat/<workspace>/.

The first frame is `hello` with the token the widget kept (or none, for a new chat); the
token travels in a frame, not in the URL, so it stays out of access logs. The page's
Origin must be one of the workspace's allowed sites.

Frames in: hello, message {id, text}, typing {typing}, read {until}, email {email, name},
end, ping. Frames out: welcome, ack, message, typing, read, status, offline, ended,
agents, error, pong.
"""

from __future__ import annotations

import asyncio
import time

from channels.db import database_sync_to_async

from ombuds.core.errors import ApplicationError
from ombuds.core.models import Workspace
from ombuds.intake.chat import limits, live, presence, selectors, sessions
from ombuds.intake.chat.setup import chat_account, origin_allowed
from ombuds.intake.language import detect_language
from ombuds.intake.models import ChatSession, ChatStatus, ConnectionKind

from .sockets import FrameSocket, header, own_hosts

HELLO_WITHIN = 15  # seconds a socket may stay open without saying hello
_language_model_warming = False


def _warm_language_model() -> None:
    """Load the language model before the first message of this process needs it: it takes
    a few seconds once, which the visitor would otherwise wait for their first answer."""
    detect_language("A chat has started; the first message should not wait for the model.")


def _workspace_and_account(slug: str):
    workspace = Workspace.objects.filter(slug=slug).first()
    return (workspace, chat_account(workspace)) if workspace else (None, None)


def _start(workspace, token, frame, address):
    """The session of this hello: the one `token` holds, or a new one. (session, problem)"""
    if token:
        session = sessions.chat_session_for(workspace=workspace, token=token)
        if session is None:
            return None, "unknown_chat"
        if session.status == ChatStatus.ENDED:
            return None, "chat_ended"
        return session, ""
    if not limits.allow("sessions", address, limit=limits.SESSIONS_PER_ADDRESS):
        raise ApplicationError("rate_limited", "Too many chats from here; try later.", status=429)
    session = sessions.open_chat_session(
        workspace=workspace,
        language=str(frame.get("language") or ""),
        page_url=str(frame.get("page") or ""),
        name=str(frame.get("name") or ""),
    )
    return session, ""


def _welcome(session: ChatSession, channel_name: str) -> dict:
    presence.connect(
        workspace=session.workspace,
        channel_name=channel_name,
        kind=ConnectionKind.VISITOR,
        session=session,
    )
    session.refresh_from_db()
    return {
        "type": "welcome",
        "token": session.token,
        "status": session.status,
        "name": session.visitor_name,
        "email": session.visitor_email,
        "agents_available": presence.agents_available(session.workspace),
        "transcript": selectors.transcript_for_visitor(session),
        "agent_read_at": _iso(session.agent_last_read_at),
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _still_online(session_id: int) -> bool:
    session = ChatSession.objects.filter(pk=session_id).first()
    return bool(session) and presence.visitor_connected(session)


class VisitorChat(FrameSocket):
    handlers = frozenset({"hello", "message", "typing", "read", "email", "end", "ping"})
    session: ChatSession | None = None
    _typed_at = 0.0
    _hello_timer: asyncio.TimerHandle | None = None

    async def open(self) -> None:
        slug = self.scope["url_route"]["kwargs"]["slug"]
        self.workspace, self.account = await database_sync_to_async(_workspace_and_account)(slug)
        if self.account is None or not origin_allowed(
            self.account, header(self.scope, "origin"), own_hosts=own_hosts(self.scope)
        ):
            await self.close()
            return
        await self.accept()
        loop = asyncio.get_running_loop()
        global _language_model_warming
        if not _language_model_warming:
            _language_model_warming = True
            loop.run_in_executor(None, _warm_language_model)
        self._hello_timer = loop.call_later(
            HELLO_WITHIN, lambda: loop.create_task(self._no_hello())
        )

    async def _no_hello(self) -> None:
        if self.session is None:
            await self.close(code=4408)

    async def disconnect(self, code) -> None:
        if self._hello_timer is not None:
            self._hello_timer.cancel()
        await super().disconnect(code)
        if self.session is not None:
            online = await database_sync_to_async(_still_online)(self.session.pk)
            await self.tell(
                live.session_group(self.session.pk),
                {"type": "chat.presence", "session": self.session.pk, "online": online},
            )

    def _need_session(self) -> ChatSession:
        if self.session is None:
            raise ApplicationError("hello_first", "Say hello first.", status=400)
        return self.session

    # --- frames from the widget ---------------------------------------------------------

    async def on_hello(self, frame: dict) -> None:
        if self.session is not None:
            raise ApplicationError("already_started", "This socket has its chat.", status=400)
        token = frame.get("token") or ""
        address = (self.scope.get("client") or ("unknown",))[0]
        session, problem = await database_sync_to_async(_start)(
            self.workspace, token if isinstance(token, str) else "", frame, address
        )
        if problem:
            # The widget forgets the token and may start a new chat with another hello.
            await self.send_json(
                {
                    "type": "ended" if problem == "chat_ended" else "error",
                    "code": problem,
                    "message": "Start a new chat.",
                }
            )
            return
        self.session = session
        self.connection_name = self.channel_name
        if self._hello_timer is not None:
            self._hello_timer.cancel()
        await self.join(live.session_group(session.pk))
        welcome = await database_sync_to_async(_welcome)(session, self.channel_name)
        self.session.status = welcome["status"]
        await self.send_json(welcome)
        await self.tell(
            live.session_group(session.pk),
            {"type": "chat.presence", "session": session.pk, "online": True},
        )

    async def on_message(self, frame: dict) -> None:
        session = self._need_session()
        client_id, text = frame.get("id"), frame.get("text")
        if not isinstance(text, str):
            raise ApplicationError("empty_message", "A message needs some text.", status=422)
        message, created = await database_sync_to_async(sessions.post_visitor_message)(
            session=session, client_id=client_id, text=text
        )
        fresh = await database_sync_to_async(self._reload)()
        available = await database_sync_to_async(presence.agents_available)(self.workspace)
        await self.send_json(
            {
                "type": "ack",
                "id": client_id,
                "created": created,
                "message": live.message_event(message, fresh),
                "agents_available": available,
                "status": fresh.status,
            }
        )

    def _reload(self) -> ChatSession:
        self.session = ChatSession.objects.select_related("case", "party").get(pk=self.session.pk)
        return self.session

    async def on_typing(self, frame: dict) -> None:
        session = self._need_session()
        now = time.monotonic()
        typing = bool(frame.get("typing"))
        if typing and now - self._typed_at < limits.TYPING_INTERVAL:
            return  # throttled: the last notice still stands
        self._typed_at = now if typing else 0.0
        await self.tell(
            live.session_group(session.pk),
            {
                "type": "chat.typing",
                "session": session.pk,
                "who": "visitor",
                "name": session.visitor_name,
                "typing": typing,
                "sender": self.channel_name,
            },
        )

    async def on_read(self, frame: dict) -> None:
        session = self._need_session()
        until = frame.get("until")
        at = await database_sync_to_async(sessions.mark_read)(
            session=session, by="visitor", message_id=until if isinstance(until, int) else None
        )
        if at is not None:
            await self.tell(
                live.session_group(session.pk),
                {
                    "type": "chat.read",
                    "session": session.pk,
                    "who": "visitor",
                    "at": at.isoformat(),
                },
            )

    async def on_email(self, frame: dict) -> None:
        session = self._need_session()
        email, name = frame.get("email"), frame.get("name") or ""
        if not isinstance(email, str) or not isinstance(name, str):
            raise ApplicationError("invalid_email", "That is not an email address.", status=422)
        updated = await database_sync_to_async(sessions.continue_chat_by_email)(
            session=session, email=email, name=name
        )
        self.session = updated
        await self.send_json(
            {"type": "offline", "email": updated.visitor_email, "name": updated.visitor_name}
        )

    async def on_end(self, frame: dict) -> None:
        session = self._need_session()
        await database_sync_to_async(sessions.end_chat_session)(session=session, reason="visitor")
        await self.send_json({"type": "ended", "code": "chat_ended"})
        await self.close()

    # --- events from the channel layer --------------------------------------------------

    async def chat_message(self, event: dict) -> None:
        message = event["message"]
        if message.get("author") in ("agent", "visitor"):
            await self.send_json({"type": "message", "message": message})

    async def chat_typing(self, event: dict) -> None:
        if event.get("who") == "agent" and event.get("sender") != self.channel_name:
            await self.send_json(
                {"type": "typing", "name": event.get("name", ""), "typing": event["typing"]}
            )

    async def chat_read(self, event: dict) -> None:
        if event.get("who") == "agent":
            await self.send_json({"type": "read", "at": event["at"]})

    async def chat_status(self, event: dict) -> None:
        await self.send_json({"type": "status", "status": event["status"]})
        if event["status"] == ChatStatus.ENDED:
            await self.send_json({"type": "ended", "code": "chat_ended"})
            await self.close()

    async def chat_presence(self, event: dict) -> None:
        pass  # the visitor's own tabs coming and going
