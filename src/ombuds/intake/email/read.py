"""Reading a raw email into an `Incoming` message.

This is the reader registered for the email channel: it decides what the message is (a
customer writing, or something to leave out) and what it says; threading and filing are
shared with every channel (`intake.threads`).
"""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import getaddresses

from ombuds.conversations.models import Channel
from ombuds.core.errors import ApplicationError

from ..identity import Identity
from ..inbound import digest
from ..incoming import Incoming, Skip
from ..models import InboundMessage
from ..threads import reference_in


def parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)


def message_ids(value: str | None) -> tuple[str, ...]:
    """The <ids> named in a Message-ID, In-Reply-To or References header, in order."""
    if not value:
        return ()
    return tuple(part for part in str(value).replace(">", "> ").split() if part.startswith("<"))


def external_id_of(raw: bytes) -> str:
    """What makes an email the same email when it arrives twice: its Message-ID, or a
    digest of its bytes when it has none."""
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw[:65536])
    ids = message_ids(headers.get("Message-ID"))
    return ids[0][:255] if ids else digest(raw)


def read_email(inbound: InboundMessage) -> Incoming | Skip:
    mail = parse(bytes(inbound.raw))
    senders = getaddresses([str(mail.get("From", ""))])
    name, address = senders[0] if senders else ("", "")
    if not address:
        return Skip("no_sender", "The email names no sender.")
    try:
        sender = Identity.email(address, name)
    except ApplicationError:
        return Skip("no_sender", f"{address!r} is not an address we can answer.")
    body = mail.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    html = ""
    html_part = mail.get_body(preferencelist=("html",))
    if html_part is not None:
        html = html_part.get_content()
    subject = " ".join(str(mail.get("Subject", "")).split())
    own_id = message_ids(mail.get("Message-ID"))
    answers = message_ids(mail.get("References")) + message_ids(mail.get("In-Reply-To"))
    return Incoming(
        channel=Channel.EMAIL,
        sender=sender,
        text=text,
        html=html,
        subject=subject,
        external_id=own_id[0] if own_id else "",
        answers=answers,
        case_reference=reference_in(inbound.workspace, subject),
    )
