"""Websocket routes, beside the HTTP ones in config/asgi.py."""

from channels.auth import AuthMiddlewareStack
from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path, re_path

from .desk import DeskChat
from .visitor import VisitorChat


class NoSuchSocket(AsyncWebsocketConsumer):
    """Any other websocket path is refused at the handshake, not left to crash the router."""

    async def connect(self):
        await self.close()


websocket_urlpatterns = [
    # Visitors prove their chat with a token; they carry no desk session.
    path("ws/chat/<slug:slug>/", VisitorChat.as_asgi()),
    path("ws/desk/<slug:slug>/", AuthMiddlewareStack(DeskChat.as_asgi())),
    re_path(r"", NoSuchSocket.as_asgi()),
]
