from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "ombuds.intake"
    label = "intake"

    def ready(self) -> None:
        from ombuds.core import transports

        from .email_out import send_reply_email

        transports.register("email", send_reply_email)
