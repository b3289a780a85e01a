from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "ombuds.marketplace"
    label = "marketplace"
