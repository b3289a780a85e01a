from django.apps import AppConfig


class ChargebacksConfig(AppConfig):
    name = "ombuds.chargebacks"
    label = "chargebacks"
    verbose_name = "Chargebacks"

    def ready(self) -> None:
        from ombuds.conversations import events

        from .services.freezing import freeze_new_dispute

        events.listen("chargebacks", freeze_new_dispute)
