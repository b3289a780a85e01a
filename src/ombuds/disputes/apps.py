from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "ombuds.disputes"
    label = "disputes"
    verbose_name = "Disputes"
