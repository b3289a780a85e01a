from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "ombuds.conversations"
    label = "conversations"
