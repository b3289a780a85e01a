from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ombuds.ledger"
    label = "ledger"
