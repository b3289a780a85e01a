from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "ombuds.intake"
    label = "intake"

    def ready(self) -> None:
        from ombuds.conversations.models import Channel
        from ombuds.core import transports

        from . import incoming, social
        from .email.read import read_email
        from .email.send import send_reply_email
        from .phone.calls import read_call

        transports.register(Channel.EMAIL, send_reply_email)
        incoming.register_reader(Channel.EMAIL, read_email)
        incoming.register_reader(Channel.PHONE, read_call)
        social.register()
