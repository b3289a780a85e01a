"""An agent's reply as the email the customer's mail program threads and answers.

- Message-ID: derived from the delivery (`own.message_id_for`), so a retry sends the same id.
- In-Reply-To: the message this answers — the customer's latest email on the case, or
  our own latest when they never wrote by email (a web-form case).
- References: that message's References plus its id (RFC 5322 3.6.4), trimmed to the
  first and the latest ids, so every mail program files the answer in the thread.
- Reply-To: the support address, plus-tagged with the case reference when the server
  supports it; the subject carries the reference too (`Re: … [RES-1042]`).
- Auto-Submitted: auto-replied only for what no person wrote (RFC 3834), none otherwise.
"""

from __future__ import annotations

import re
from email.utils import formataddr

from django.core.mail import EmailMultiAlternatives
from django.utils.html import escape

from ombuds.conversations.models import Case, Delivery, Message, MessageKind
from ombuds.core.html import with_inline_images

from . import own

MAX_REFERENCES = 20
THREAD_WINDOW = 50
_PREFIX = re.compile(r"^\s*(?:(?:re|aw|antw|sv|vs|ref|rif|fwd?|fw|wg|tr|doorst)\s*:\s*)+", re.I)


def reply_subject(case: Case) -> str:
    """`Re: <subject> [RES-1042]`, however many Re:s and references it carried before."""
    subject = case.subject.replace(f"[{case.reference}]", " ")
    subject = " ".join(_PREFIX.sub("", subject).split()) or case.reference
    return f"Re: {subject} [{case.reference}]"


def is_automatic(message: Message) -> bool:
    """A message no person wrote (an automation's answer, a notice)."""
    return message.author_user_id is None or bool((message.meta or {}).get("automatic"))


def thread_of(message: Message) -> tuple[str, list[str]]:
    """(In-Reply-To, References) for an outbound email on `message`'s case."""
    earlier = list(
        Message.objects.filter(
            case_id=message.case_id,
            # Email Message-IDs, whatever channel the case began on (a web form's case
            # is answered by email too); other channels' ids never start with "<".
            kind__in=[MessageKind.INBOUND, MessageKind.OUTBOUND],
            external_id__startswith="<",
            created_at__lte=message.created_at,
        )
        .exclude(pk=message.pk)
        .only("pk", "kind", "external_id", "meta", "created_at")
        .order_by("-created_at", "-pk")[:THREAD_WINDOW]
    )
    parent = next((m for m in earlier if m.kind == MessageKind.INBOUND), None)
    parent = parent or next(iter(earlier), None)
    if parent is None:
        return "", []
    chain = [i for i in (parent.meta or {}).get("references", []) if isinstance(i, str)]
    references = list(dict.fromkeys([*chain, parent.external_id]))
    if len(references) > MAX_REFERENCES:
        references = references[:1] + references[-(MAX_REFERENCES - 1) :]
    return parent.external_id, references


def _html_document(fragment: str) -> str:
    return (
        '<!doctype html><html><head><meta charset="utf-8"></head>'
        f"<body>{with_inline_images(fragment, {})}</body></html>"
    )


def compose_reply(
    delivery: Delivery, *, message_id: str, thread: tuple[str, list[str]] | None = None
) -> EmailMultiAlternatives:
    """The email for one delivery of an outbound message, ready for any mail backend."""
    message = delivery.message
    case = message.case
    workspace = case.workspace
    sender = own.sender_address(workspace)
    automatic = is_automatic(message)
    author = workspace.name
    if not automatic and message.author_user is not None:
        author = f"{message.author_user.display_name} ({workspace.name})"
    meta = message.meta or {}
    if meta.get("to_party"):
        # A message to a third party (a task's email to a hotel) starts its own thread;
        # it must not carry the customer's Message-IDs to them.
        in_reply_to, references = "", []
    else:
        in_reply_to, references = thread if thread is not None else thread_of(message)
    headers = {"Message-ID": message_id, "X-Ombuds-Case": case.reference}
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = " ".join(references)
    if automatic:
        # RFC 3834: an answer no person wrote; other systems must not answer it in turn.
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    email = EmailMultiAlternatives(
        subject=meta.get("subject") or reply_subject(case),
        body=message.body_text,
        from_email=formataddr((author, sender)),
        to=[delivery.recipient],
        reply_to=[own.reply_address(workspace, case.reference)],
        headers=headers,
    )
    email.attach_alternative(
        _html_document(message.body_html or f"<p>{escape(message.body_text)}</p>"), "text/html"
    )
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            email.attach(attachment.filename, handle.read(), attachment.content_type)
    return email
