"""What both chat websockets share: JSON frames with a size limit, refusals as error
frames (never a crash or a dropped socket), heartbeats, and origin checks."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from ombuds.core.errors import ApplicationError
from ombuds.intake.chat import limits, live, presence

log = logging.getLogger(__name__)


def header(scope, name: str) -> str:
    wanted = name.lower().encode()
    for key, value in scope.get("headers", ()):
        if key.lower() == wanted:
            return value.decode("latin-1")
    return ""


def own_hosts(scope) -> list[str]:
    """The desk's own host names as this request and the configured public URL say."""
    return [header(scope, "host").lower(), urlsplit(settings.OMBUDS_PUBLIC_URL).netloc.lower()]


def same_origin(scope) -> bool:
    """A desk socket carries the agent's session cookie, so only the desk's own pages may
    open one (a page elsewhere would otherwise act as the signed-in agent)."""
    origin = header(scope, "origin").strip().lower().rstrip("/")
    if not origin:
        return False
    if urlsplit(origin).netloc in own_hosts(scope):
        return True
    return origin in {o.lower().rstrip("/") for o in settings.CSRF_TRUSTED_ORIGINS}


class FrameSocket(AsyncWebsocketConsumer):
    """Parses each text frame into a dict and hands it to `on_<type>`; answers refusals
    with `{"type": "error", "code", "message"}`."""

    handlers: frozenset[str] = frozenset()
    connection_name = ""  # set once presence is recorded

    async def send_json(self, content: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(content, separators=(",", ":")))

    async def refuse(self, code: str, message: str, **extra) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None:
            await self.refuse("bad_frame", "Frames are JSON text.")
            return
        if len(text_data.encode()) > limits.MAX_FRAME_BYTES:
            await self.refuse("frame_too_large", "That message is too large.")
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self.refuse("bad_frame", "That was not JSON.")
            return
        kind = frame.get("type") if isinstance(frame, dict) else None
        if kind not in self.handlers:
            await self.refuse("unknown_type", "Unknown frame type.")
            return
        try:
            await getattr(self, f"on_{kind}")(frame)
        except ApplicationError as refusal:
            extra = {"id": frame["id"]} if isinstance(frame.get("id"), str) else {}
            await self.refuse(refusal.code, refusal.message, **extra)
        except Exception:
            log.exception("chat frame failed", extra={"frame_type": kind})
            await self.refuse("server_error", "Something went wrong; please try again.")

    async def on_ping(self, frame: dict) -> None:
        if self.connection_name:
            await database_sync_to_async(presence.heartbeat)(self.connection_name)
        await self.send_json({"type": "pong"})

    async def join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups = [*self.groups, group]

    async def tell(self, group: str, event: dict) -> None:
        await self.channel_layer.group_send(group, event)

    async def connect(self) -> None:
        live.bind_server_loop()
        await self.open()

    async def open(self) -> None:  # pragma: no cover - each socket defines it
        raise NotImplementedError

    async def disconnect(self, code) -> None:
        if self.connection_name:
            await database_sync_to_async(presence.disconnect)(self.connection_name)
