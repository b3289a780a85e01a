"""Every word the widget shows, in the visitor's language: served by the desk with the
widget's settings, so the script itself carries no text of its own."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import override


def widget_texts(language: str, *, workspace_name: str) -> dict[str, str]:
    with override(language):
        return {
            "launcher": _("Chat with us"),
            "title": _("Chat with %(name)s") % {"name": workspace_name},
            "close": _("Close chat"),
            "end": _("End chat"),
            "intro": _(
                "Ask us anything: a ticket, a booking, a parcel. We usually answer within minutes."
            ),
            "available": _("We are online and happy to help."),
            "unavailable": _("No one is available right now."),
            "input_label": _("Your message"),
            "placeholder": _("Write a message…"),
            "send": _("Send"),
            "you": _("You"),
            "agent": _("Support"),
            "seen": _("Seen"),
            "sending": _("Sending…"),
            "not_sent": _("Not sent yet — it goes out when the connection is back."),
            "typing": _("%(name)s is typing…"),
            "someone_typing": _("Support is typing…"),
            "connecting": _("Connecting…"),
            "reconnecting": _("Connection lost. Reconnecting…"),
            "offline_intro": _(
                "No one is available right now. Leave your email address and we will answer "
                "by email."
            ),
            "name_label": _("Your name"),
            "email_label": _("Email address"),
            "email_send": _("Answer me by email"),
            "email_done": _("Thank you. We will answer at %(email)s."),
            "ended": _("This chat has ended. Our team keeps the conversation."),
            "new_chat": _("Start a new chat"),
            "log_label": _("Messages"),
            "error_message_too_long": _("That message is too long for a chat."),
            "error_rate_limited": _("Slow down a little, please. Try again in a moment."),
            "error_invalid_email": _("That does not look like an email address."),
            "error_name_too_long": _("That name is too long."),
            "error_generic": _("Something went wrong. Please try again."),
        }
