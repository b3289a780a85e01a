from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "ombuds.intake"
    label = "intake"

    def ready(self) -> None:
        from ombuds.conversations.models import Channel
        from ombuds.core import transports

        from . import incoming
        from .email.notices import notice_for_refusal
        from .email.read import read_email
        from .email.send import send_reply_email

        transports.register(Channel.EMAIL, send_reply_email)
        incoming.register_reader(Channel.EMAIL, read_email)
        incoming.register_refusal(Channel.EMAIL, notice_for_refusal)
