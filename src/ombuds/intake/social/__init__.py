"""Messaging and social platforms: WhatsApp, Messenger, Telegram and X.

One module per platform (its webhook payloads, reader, media, replies) and the pieces
they share: `signatures` (webhook proofs), `http` (API calls with bounded time and
size), `webhooks` (the endpoints), `reading`, `receipts`, `outbound` and `accounts`
(connecting a workspace). `register()` plugs readers, transports and recipient finders
into the intake and the outbox at start-up.
"""


def register() -> None:
    from ombuds.core import transports

    from .. import incoming
    from . import messenger, telegram, whatsapp, x

    for module, reader, send, recipient in (
        (whatsapp, whatsapp.read_whatsapp, whatsapp.send_whatsapp, whatsapp.whatsapp_recipient),
        (
            messenger,
            messenger.read_messenger,
            messenger.send_messenger,
            messenger.messenger_recipient,
        ),
        (telegram, telegram.read_telegram, telegram.send_telegram, telegram.telegram_recipient),
        (x, x.read_x, x.send_x, x.x_recipient),
    ):
        incoming.register_reader(module.CHANNEL, reader)
        transports.register(module.CHANNEL, send, recipient=recipient)
