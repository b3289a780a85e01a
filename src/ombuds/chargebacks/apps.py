from django.apps import AppConfig


class ChargebacksConfig(AppConfig):
    name = "ombuds.chargebacks"
    label = "chargebacks"
    verbose_name = "Chargebacks"
