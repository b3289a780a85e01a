from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "ombuds.intake"
    label = "intake"

    def ready(self) -> None:
        from ombuds.conversations import events
        from ombuds.conversations.models import Channel
        from ombuds.core import transports

        from . import incoming, prepare, social
        from .chat.read import read_chat
        from .chat.replies import on_case_event, reply_recipient, send_chat_reply
        from .email.notices import notice_for_refusal
        from .email.read import answers_of, read_bytes, read_email, sender_of
        from .email.send import send_reply_email
        from .phone.calls import read_call

        transports.register(Channel.EMAIL, send_reply_email)
        incoming.register_reader(Channel.EMAIL, read_email)
        incoming.register_sender_hint(Channel.EMAIL, sender_of)
        incoming.register_thread_hint(Channel.EMAIL, answers_of)
        prepare.register_preparer(Channel.EMAIL, read_bytes)
        incoming.register_reader(Channel.PHONE, read_call)
        social.register()
        transports.register(Channel.CHAT, send_chat_reply, recipient=reply_recipient)
        incoming.register_reader(Channel.CHAT, read_chat)
        events.listen("chat", on_case_event)
        incoming.register_refusal(Channel.EMAIL, notice_for_refusal)
