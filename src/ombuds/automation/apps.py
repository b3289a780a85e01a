from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "ombuds.automation"
    label = "automation"
    verbose_name = "Automation"

    def ready(self) -> None:
        from ombuds.conversations import events
        from ombuds.core import webhooks

        from .listener import on_case_event, on_webhook_failure

        events.listen("automation", on_case_event)
        webhooks.on_failure(on_webhook_failure)
