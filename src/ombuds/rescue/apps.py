from django.apps import AppConfig


class RescueConfig(AppConfig):
    name = "ombuds.rescue"
    label = "rescue"
    verbose_name = "Rescue ladder"

    def ready(self) -> None:
        from ombuds.conversations import events

        from .services import on_case_event

        events.listen("rescue", on_case_event)
