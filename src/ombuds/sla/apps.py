from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "ombuds.sla"
    label = "sla"
    verbose_name = "Service levels"

    def ready(self) -> None:
        from ombuds.conversations import events
        from ombuds.core.services import on_calendar_change

        from . import clocks, refresh

        events.listen("sla", clocks.on_case_event)
        on_calendar_change("sla", refresh.on_calendar_change)
