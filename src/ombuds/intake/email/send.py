"""Sending replies by email through Django's mail backend (SMTP in production).

The outbox (`conversations.tasks`) calls `send_reply_email` for each due delivery. A
refusal the server gives for good (a 5xx: unknown mailbox, rejected content) becomes a
`PermanentFailure` and shows on the case at once; anything else (4xx, a connection that
failed) is retried with back-off.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from ombuds.conversations.models import Delivery, Message
from ombuds.core.transports import PermanentFailure, Sent

from . import own
from .compose import compose_reply, thread_of


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def permanent_refusal(error: Exception) -> str | None:
    """The server's words when it refused for good (5xx), or None when a retry may work.
    A failed login is left to retry: it is fixed in configuration, not per message."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = list(error.recipients.items())
        if refusals and all(500 <= code < 600 for _, (code, _msg) in refusals):
            return "; ".join(f"{code} {_text(msg)} ({to})" for to, (code, msg) in refusals)
        return None
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return None
    if isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600:
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return None


def deliver(email: EmailMessage) -> None:
    """Hand one email to the configured backend; PermanentFailure for a 5xx."""
    connection = get_connection(fail_silently=False, timeout=settings.OMBUDS_SMTP_TIMEOUT)
    email.connection = connection
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPException as error:
        refusal = permanent_refusal(error)
        if refusal is not None:
            raise PermanentFailure(refusal) from error
        raise


def send_reply_email(delivery: Delivery) -> Sent:
    message = delivery.message
    workspace = message.case.workspace
    domain = own.domain_of(own.sender_address(workspace))
    message_id = delivery.provider_id or own.message_id_for(
        workspace_id=workspace.pk, scope="delivery", key=delivery.pk, domain=domain
    )
    # Saved with the attempt, whatever its outcome: the next attempt sends the same id.
    delivery.provider_id = message_id
    thread = thread_of(message)
    deliver(compose_reply(delivery, message_id=message_id, thread=thread))
    references = thread[1]
    if references:
        # What our next email on this case will extend when nobody answers this one.
        meta = {**(message.meta or {}), "references": references}
        Message.objects.filter(pk=message.pk).update(meta=meta)
    return Sent(provider_id=message_id)
