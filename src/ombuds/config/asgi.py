import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ombuds.config.settings")

from channels.routing import ProtocolTypeRouter
from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

# Live chat and the live inbox add a "websocket" route here.
application = ProtocolTypeRouter({"http": django_application})
