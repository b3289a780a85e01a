from django.apps import AppConfig


class ChargebacksConfig(AppConfig):
    name = "ombuds.chargebacks"
    label = "chargebacks"
    verbose_name = "Chargebacks"

    def ready(self) -> None:
        from ombuds.conversations import events
        from ombuds.ledger import announcements

        from .services.freezing import freeze_new_dispute
        from .services.refunds import on_money_announcement

        events.listen("chargebacks", freeze_new_dispute)
        announcements.listen("psp_refunds", on_money_announcement)
