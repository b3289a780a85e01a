from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "ombuds.disputes"
    label = "disputes"
    verbose_name = "Disputes"

    def ready(self) -> None:
        from ombuds.conversations import events

        from .services.decisions import on_case_event

        events.listen("disputes", on_case_event)
