"""Sending replies by email through Django's mail backend (SMTP in production)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid

from ombuds.conversations.models import Delivery
from ombuds.core.transports import Sent


def send_reply_email(delivery: Delivery) -> Sent:
    message = delivery.message
    case = message.case
    workspace = case.workspace
    sender = workspace.support_email or settings.DEFAULT_FROM_EMAIL
    message_id = make_msgid(domain=sender.rsplit("@", 1)[-1])
    author = message.author_user.display_name if message.author_user else workspace.name
    # A message to a third party carries its own subject (with the task's reference).
    subject = (message.meta or {}).get("subject") or f"[{case.reference}] {case.subject}"
    email = EmailMultiAlternatives(
        subject=subject,
        body=message.body_text,
        from_email=f"{author} ({workspace.name}) <{sender}>",
        to=[delivery.recipient],
        reply_to=[sender],
        headers={"Message-ID": message_id, "X-Ombuds-Case": case.reference, "Auto-Submitted": "no"},
    )
    email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as fh:
            email.attach(attachment.filename, fh.read(), attachment.content_type)
    email.send(fail_silently=False)
    return Sent(provider_id=message_id)
