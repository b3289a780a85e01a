"""The ASGI entry point `ombuds serve` runs under uvicorn.

Pages and the API are served by Django's WSGI handler on a fixed pool of threads
(a2wsgi), not by Django's ASGI handler: the latter runs each request's synchronous code
in a thread of its own, so a database connection could not outlive its request (a new
SQLite connection with a cold cache, or a new PostgreSQL login, per request; under load
PostgreSQL ran out of connections). Threads of a fixed pool keep theirs. Websockets
(live chat: the visitor's widget and the desk's pages) are routed here beside "http" to
Channels consumers. See docs/adr/0004 and 0010.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ombuds.config.settings")

from a2wsgi import WSGIMiddleware
from channels.routing import ProtocolTypeRouter, URLRouter
from django.conf import settings
from django.core.wsgi import get_wsgi_application

http_application = WSGIMiddleware(get_wsgi_application(), workers=settings.OMBUDS_WEB_THREADS)

from ombuds.web.chat.routing import websocket_urlpatterns  # noqa: E402  (needs apps loaded)

application = ProtocolTypeRouter(
    {"http": http_application, "websocket": URLRouter(websocket_urlpatterns)}
)
