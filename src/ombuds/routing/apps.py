from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "ombuds.routing"
    label = "routing"

    def ready(self) -> None:
        from ombuds.conversations import events

        from .listeners import on_case_event

        events.listen("routing", on_case_event)
