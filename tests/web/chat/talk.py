"""Talking to the chat sockets from a test: a visitor's widget and a desk page."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

SHOP = "https://shop.example"
DESK_HOST = "desk.test"


def run(scenario):
    """Run an async scenario from a sync test. The consumers' database calls come back to
    this thread, so they use the test's connection."""
    return async_to_sync(scenario)()


db = database_sync_to_async


async def visitor_socket(application, *, slug="resale", origin=SHOP):
    socket = WebsocketCommunicator(
        application,
        f"/ws/chat/{slug}/",
        headers=[(b"origin", origin.encode()), (b"host", DESK_HOST.encode())],
    )
    connected, _ = await socket.connect()
    return socket, connected


async def start_chat(application, *, token=None, language="en", slug="resale"):
    """A visitor's widget connects and says hello; returns (socket, welcome)."""
    socket, connected = await visitor_socket(application, slug=slug)
    assert connected
    await socket.send_json_to({"type": "hello", "token": token, "language": language})
    welcome = await socket.receive_json_from()
    return socket, welcome


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def desk_socket(application, cookie: str | None, *, slug="resale", origin=None):
    headers = [
        (b"host", DESK_HOST.encode()),
        (b"origin", (origin or f"http://{DESK_HOST}").encode()),
    ]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    socket = WebsocketCommunicator(application, f"/ws/desk/{slug}/", headers=headers)
    connected, _ = await socket.connect()
    return socket, connected


async def receive_until(socket, kind: str, *, tries: int = 10) -> dict:
    """The next frame of `kind`, skipping others (presence notices, list counts)."""
    for _ in range(tries):
        frame = await socket.receive_json_from(timeout=2)
        if frame.get("type") == kind:
            return frame
    raise AssertionError(f"no {kind!r} frame")


async def reply(socket) -> dict:
    """The socket's answer to what it just sent, past the live echoes of its own messages
    (which every tab of the visitor hears)."""
    while True:
        frame = await socket.receive_json_from(timeout=3)
        if frame.get("type") != "message":
            return frame


async def drain(socket) -> list[dict]:
    """Everything the socket still has to say, until it has been quiet for a moment."""
    frames = []
    while not await socket.receive_nothing(timeout=0.3):
        frames.append(await socket.receive_json_from())
    return frames
