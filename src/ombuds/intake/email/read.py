"""Reading a raw email into an `Incoming` message.

This is the reader registered for the email channel: it decides what the message is (a
customer writing, or something to leave out) and what it says; threading and filing are
shared with every channel (`intake.threads`).

What it leaves out, and how (the payload's outcome says why):
- a bounce marks the outbound delivery it reports on as failed, on its case (`bounce`);
  a report on nothing we sent, a delay or success notice, a read receipt: ignored;
- mail from our own addresses or with our own Message-ID: ignored (`own_mail`), so a
  copy of a reply or a forwarding loop never becomes a case;
- an automatic reply (RFC 3834 Auto-Submitted, X-Autoreply, Precedence, an
  out-of-office subject) or list mail is filed on the case it answers, marked
  `meta["auto_submitted"] = True`, without reopening it; with no such case it is ignored
  (unless only its subject looked automatic: then it is a person's new case).
- `meta["no_auto_reply"] = True` on every automatic message and on mail whose sender
  asks for no automatic answers (X-Auto-Response-Suppress): automations must not answer
  a message with that flag (see docs/adr/0020).
"""

from __future__ import annotations

import hashlib
import html as markup
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from urllib.parse import unquote

from django.conf import settings

from ombuds.conversations.attachments import IncomingFile, check_files
from ombuds.conversations.models import Case, CaseParticipant, Channel, Message, Status
from ombuds.core.errors import ApplicationError
from ombuds.core.html import text_to_html
from ombuds.marketplace.models import IdentityKind, PartyIdentity

from ..identity import Identity
from ..inbound import digest
from ..incoming import Incoming, Skip
from ..language import detect_language
from ..models import InboundMessage
from ..threads import reference_in
from . import own, quotes
from .bounces import record_bounce
from .classify import (
    Automation,
    automation_of,
    bounce_of,
    report_type,
    suppresses_auto_replies,
)
from .markup import html_to_text
from .parse import ParsedEmail, parse_email
from .parse import message_ids as message_ids

_INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"}
# To and Cc first: read_bytes reads them apart.
_ADDRESS_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to", "x-envelope-to")
MAX_LISTED_ADDRESSES = 50


def parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)


def external_id_of(raw: bytes) -> str:
    """What makes an email the same email when it arrives twice: its Message-ID, or a
    digest of its bytes when it has none."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw[:65536])
        value = next((v for k, v in headers.raw_items() if k.lower() == "message-id"), "")
        ids = message_ids(value)
    except Exception:  # headers too broken to read count as no Message-ID
        ids = ()
    return ids[0][:255] if ids else digest(raw)


@dataclass
class ReadEmail:
    """What an email says, worked out from its bytes alone: no database, no settings.

    This is the costly, pure part of reading (parsing, cutting quoted history, detecting
    the language of what the customer wrote), so it can be done ahead, in another process
    (`intake.prepare`); the reader then only decides what the email is and to whom."""

    parsed: ParsedEmail
    text: str  # the visible text: quoted history and signature cut
    html: str  # the visible HTML, not yet sanitized
    stripped: bool
    language: str
    sender: Identity | None  # None: no From address, or one we cannot answer
    to: list[str]
    cc: list[str]
    recipients: list[str]  # every address it was sent to, Delivered-To and the like too


def read_bytes(raw: bytes) -> ReadEmail:
    parsed = parse_email(raw)
    visible = quotes.visible(parsed.text, parsed.html, subject=parsed.subject)
    text = visible.text
    if parsed.text_from_html:
        # The text was read from the HTML; where the HTML was cut, read what is left.
        text = html_to_text(visible.html) if visible.stripped else parsed.text
    to = [a for _, a in parsed.addresses("to")]
    cc = [a for _, a in parsed.addresses("cc")]
    return ReadEmail(
        parsed=parsed,
        text=text,
        html=visible.html,
        stripped=visible.stripped,
        language=detect_language(text),
        sender=_sender(parsed),
        to=to[:MAX_LISTED_ADDRESSES],
        cc=cc[:MAX_LISTED_ADDRESSES],
        recipients=to + cc + [a for _, a in parsed.addresses(*_ADDRESS_HEADERS[2:])],
    )


def _sender(parsed: ParsedEmail) -> Identity | None:
    if not parsed.from_address:
        return None
    try:
        return Identity.email(parsed.from_address, parsed.from_name)
    except ApplicationError:
        return None


def _read(inbound: InboundMessage) -> ReadEmail:
    """The row's email read once: read ahead (`inbound.prepared`), or here, by the
    sender hint, and kept on the row for the reader."""
    read = getattr(inbound, "prepared", None)
    if not isinstance(read, ReadEmail):
        read = inbound.prepared = read_bytes(bytes(inbound.raw))
    return read


def sender_of(inbound: InboundMessage) -> Identity | None:
    """Who the email says sent it (the sender hint: the worker looks up the senders of a
    batch at once). Parsing is pure; the reader decides later what the email is."""
    return _read(inbound).sender


def answers_of(inbound: InboundMessage) -> tuple[str, ...]:
    """The Message-IDs the email answers, newest last (the thread hint)."""
    parsed = _read(inbound).parsed
    return parsed.references + parsed.in_reply_to


def read_email(inbound: InboundMessage) -> Incoming | Skip:
    workspace = inbound.workspace
    read = _read(inbound)
    inbound.prepared = None  # read once; the row's attempt is over after this
    parsed = read.parsed
    bounce = bounce_of(parsed)
    if bounce is not None:
        if bounce.success:
            return Skip("delivery_report", "A mail server reports a message delivered.")
        if not bounce.permanent:
            return Skip("delivery_delayed", bounce.diagnostic[:500])
        failed = record_bounce(workspace=workspace, bounce=bounce)
        if not failed:
            return Skip("bounce", f"No reply of ours matches. {bounce.diagnostic}"[:1000])
        cases = ", ".join(sorted({d.message.case.reference for d in failed}))
        return Skip("bounce", f"Marked failed on {cases}: {bounce.diagnostic}"[:1000])
    report = report_type(parsed)
    if report == "disposition-notification":
        return Skip("read_receipt", "A read receipt.")
    if report:
        return Skip("report", f"A {report} report.")
    if not parsed.from_address:
        return Skip("no_sender", "The email names no sender.")
    sender = read.sender
    if sender is None:
        return Skip("no_sender", f"{parsed.from_address!r} is not an address we can answer.")
    if own.is_own_address(workspace, sender.value):
        return Skip("own_mail", f"Sent from our own address {sender.value}.")
    if own.is_our_message_id(workspace, parsed.message_id):
        return Skip("own_mail", f"Sent by us: {parsed.message_id}.")
    automation = automation_of(parsed)
    incoming = incoming_of(inbound, read, sender, automation)
    if automation is not None and _open_case_answered(inbound, incoming) is None:
        if automation.certain:
            return Skip(automation.kind, automation.reason[:500])
        # Only the subject looked automatic, and it answers nothing: a person's mail.
        incoming.meta.pop("auto_submitted", None)
        incoming.meta.pop("automated", None)
    return incoming


def incoming_of(
    inbound: InboundMessage,
    read: ReadEmail,
    sender: Identity,
    automation: Automation | None = None,
) -> Incoming:
    """What a person (or their mail program) wrote, as a message ready to be filed."""
    workspace = inbound.workspace
    parsed = read.parsed
    meta: dict = {"original": "eml"}
    text, body_html = read.text, read.html
    if read.stripped:
        meta["quote_stripped"] = True
        meta["full_text"] = parsed.text[: settings.OMBUDS_MAX_MESSAGE_CHARS]
    for forwarded in parsed.forwarded:
        text, body_html = _with_forwarded(text, body_html, forwarded)
        meta.setdefault("forwarded", []).append(
            {"subject": forwarded.subject[:300], "from": forwarded.sender[:300]}
        )
    limit = settings.OMBUDS_MAX_MESSAGE_CHARS
    if len(text) > limit:
        # The whole email stays downloadable; the case shows as much as a message holds.
        note = "\n\n[…] The message was longer; download the original email for all of it."
        text = text[: limit - len(note)].rstrip() + note
        meta["truncated"] = True
    files, inline, dropped = _files(parsed, body_html)
    if inline:
        meta["inline_images"] = inline
    if dropped:
        meta["dropped_attachments"] = dropped
    if parsed.references or parsed.in_reply_to:
        meta["references"] = list(parsed.references or parsed.in_reply_to)[-30:]
    if read.to:
        meta["to"] = read.to
    if read.cc:
        meta["cc"] = read.cc
    if parsed.date is not None:
        meta["sent_at"] = parsed.date.isoformat()
    if automation is not None:
        meta["auto_submitted"] = True
        meta["automated"] = automation.kind
    if automation is not None or suppresses_auto_replies(parsed):
        # Whatever answers automatically (automations, notices) must leave this alone.
        meta["no_auto_reply"] = True
    reference = reference_in(workspace, parsed.subject) or own.reference_in_addresses(
        workspace, read.recipients
    )
    return Incoming(
        channel=Channel.EMAIL,
        sender=sender,
        text=text,
        html=body_html,
        subject=parsed.subject,
        files=files,
        external_id=parsed.message_id or inbound.external_id,
        answers=parsed.references + parsed.in_reply_to,
        case_reference=reference,
        sent_at=parsed.date,
        language=read.language,
        meta=meta,
    )


def _with_forwarded(text: str, body_html: str, forwarded) -> tuple[str, str]:
    head = [f"From: {forwarded.sender}", f"Date: {forwarded.date}", f"Subject: {forwarded.subject}"]
    lines = "\n".join(line for line in head if not line.endswith(": "))
    text = f"{text}\n\n---------- Forwarded message ----------\n{lines}\n\n{forwarded.text}"
    if body_html:
        heading = "<br>".join(markup.escape(line) for line in lines.split("\n"))
        body_html += f"<hr><p><strong>Forwarded message</strong><br>{heading}</p>" + text_to_html(
            forwarded.text
        )
    return text.strip(), body_html


def _blocked(file: IncomingFile) -> bool:
    try:
        check_files([IncomingFile(file.filename, file.content_type, b"")])
    except ApplicationError as refusal:
        return refusal.code == "attachment_type_not_allowed"
    return False


def _files(parsed: ParsedEmail, body_html: str) -> tuple[list[IncomingFile], dict, list]:
    """The email's files as attachments; inline images the HTML shows, by Content-ID.

    A file type the desk never accepts (a program, an HTML page) is left out with a note
    rather than refusing the whole email: it stays in the downloadable original. Inline
    images beyond the per-message limit go the same way; attachments beyond it refuse
    the email (the sender is told why)."""
    shown = unquote(body_html.lower()) if "cid:" in body_html.lower() else ""
    files: list[IncomingFile] = []
    inline: dict[str, str] = {}
    dropped: list[str] = []
    referenced = []
    for mail_file in parsed.files:
        file = IncomingFile(mail_file.filename, mail_file.content_type, mail_file.content)
        if _blocked(file):
            dropped.append(mail_file.filename[:200])
            continue
        cid = mail_file.content_id.lower()
        if cid and mail_file.content_type in _INLINE_TYPES and f"cid:{cid}" in shown:
            referenced.append((cid, file))
        else:
            files.append(file)
    room = settings.OMBUDS_MAX_ATTACHMENTS_PER_MESSAGE - len(files)
    for cid, file in referenced:
        if room <= 0:
            dropped.append(file.filename[:200])
            continue
        files.append(file)
        inline[cid] = hashlib.sha256(file.content).hexdigest()
        room -= 1
    return files, inline, dropped


def _open_case_answered(inbound: InboundMessage, incoming: Incoming) -> Case | None:
    """The case an automatic reply answers, if it is still open to messages. Follows the
    same clues as filing (`threads.find_case`) without creating a party for the sender."""
    workspace = inbound.workspace
    if incoming.answers:
        answered = (
            Message.objects.filter(workspace=workspace, external_id__in=incoming.answers[-20:])
            .select_related("case")
            .order_by("-created_at", "-pk")
            .first()
        )
        if answered is not None:
            return answered.case if answered.case.status != Status.CLOSED else None
    if not incoming.case_reference:
        return None
    identity = (
        PartyIdentity.objects.select_related("party")
        .filter(workspace=workspace, kind=IdentityKind.EMAIL, value=incoming.sender.value)
        .first()
    )
    case = Case.objects.filter(workspace=workspace, reference=incoming.case_reference).first()
    if identity is None or case is None or case.status == Status.CLOSED:
        return None
    party = identity.party
    while party.merged_into_id is not None:
        party = party.merged_into
    takes_part = (
        case.requester_id == party.pk
        or CaseParticipant.objects.filter(case=case, party=party).exists()
    )
    return case if takes_part else None
