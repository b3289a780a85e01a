"""Telling a sender why their email was refused: once per email, never to a machine,
and at most a few times a day per address.

The refusal (an attachment over the limit, too many files) is stored on the inbound
payload by the pipeline, which calls `notice_for_refusal` in the same transaction; the
notice row is the outbox, sent by the worker with the same back-off as replies. A bounce,
an automatic reply, list mail or our own mail gets no notice: answering a machine is how
mail loops start (RFC 3834).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ombuds.conversations.tasks import MAX_ATTEMPTS, backoff
from ombuds.core.errors import ApplicationError
from ombuds.core.transports import PermanentFailure

from ..models import InboundMessage, NoticeStatus, SenderNotice
from . import own
from .classify import automation_of, bounce_of, is_daemon, report_type, suppresses_auto_replies
from .parse import ParsedEmail, parse_email

log = logging.getLogger(__name__)
# Refusals a sender can do something about; anything else is ours to look at.
NOTICE_REASONS = (
    "attachment_too_large",
    "too_many_attachments",
    "attachment_type_not_allowed",
    "message_too_long",
    "payload_too_large",
)
BATCH = 50


def _explanation(refusal: ApplicationError) -> str:
    details = refusal.details if isinstance(refusal.details, dict) else {}
    if refusal.code == "attachment_too_large":
        return _(
            "The attachment %(name)s is %(size)s; we accept files of at most %(limit)s. "
            "Please send a smaller file, or a link to it."
        ) % {
            "name": details.get("filename", "?"),
            "size": filesizeformat(details.get("size", 0)),
            "limit": filesizeformat(details.get("limit", settings.OMBUDS_MAX_ATTACHMENT_BYTES)),
        }
    if refusal.code == "too_many_attachments":
        return _(
            "It carries more than %(count)s files. Please spread them over several emails."
        ) % {"count": settings.OMBUDS_MAX_ATTACHMENTS_PER_MESSAGE}
    if refusal.code == "attachment_type_not_allowed":
        return _("It carries a file of a type we cannot accept (%(name)s).") % {
            "name": details.get("filename", "?")
        }
    if refusal.code == "payload_too_large":
        return _("It is larger than the %(limit)s we accept.") % {
            "limit": filesizeformat(settings.OMBUDS_MAX_INBOUND_BYTES)
        }
    return _("It is longer than we can accept. Please shorten it.")


def _why_not(inbound: InboundMessage, parsed: ParsedEmail, recipient: str) -> str:
    """Why this sender gets no notice, or "" when they should get one."""
    if parsed.raw_header("return-path").strip() == "<>":
        return "null return path (a bounce or report)"
    if bounce_of(parsed) is not None or report_type(parsed) or is_daemon(parsed):
        return "a mail server's report"
    if (automation := automation_of(parsed)) is not None:
        return f"automatic mail ({automation.kind})"
    if suppresses_auto_replies(parsed):
        return "the sender asks for no automatic replies"
    if own.is_own_address(inbound.workspace, recipient):
        return "our own address"
    since = timezone.now() - timedelta(days=1)
    recent = SenderNotice.objects.filter(
        workspace=inbound.workspace, recipient=recipient, created_at__gte=since
    ).filter(Q(status=NoticeStatus.QUEUED) | Q(status=NoticeStatus.SENT))
    if recent.count() >= settings.OMBUDS_SENDER_NOTICES_PER_DAY:
        return "sender already told often today"
    return ""


def _recipient(parsed: ParsedEmail) -> str:
    # RFC 3834 3.2: an automatic response goes to the envelope sender when known.
    _, return_path = next(iter(parsed.addresses("return-path")), ("", ""))
    return (return_path or parsed.from_address).strip().lower()[:254]


def notice_for_refusal(inbound: InboundMessage, refusal: ApplicationError) -> SenderNotice | None:
    """Write the notice that tells the sender of a refused email why (or why not)."""
    if refusal.code not in NOTICE_REASONS:
        return None
    existing = SenderNotice.objects.filter(inbound=inbound).first()
    if existing is not None:
        return existing
    parsed = parse_email(bytes(inbound.raw))
    recipient = _recipient(parsed)
    if "@" not in recipient:
        return None
    workspace = inbound.workspace
    note = _why_not(inbound, parsed, recipient)
    with translation.override(workspace.default_language or "en"):
        subject = _("Your email could not be accepted: %(subject)s") % {
            "subject": parsed.subject[:150] or _("(no subject)")
        }
        body = "\n\n".join(
            [
                _("Hello,"),
                _("Your email to %(workspace)s could not be accepted.")
                % {"workspace": workspace.name},
                _explanation(refusal),
                _("This is an automatic message; nothing of your email was filed."),
                workspace.name,
            ]
        )
    now = timezone.now()
    notice = SenderNotice.objects.create(
        workspace=workspace,
        inbound=inbound,
        channel=inbound.channel,
        recipient=recipient,
        reason=refusal.code,
        subject=subject[:300],
        body=body,
        status=NoticeStatus.SUPPRESSED if note else NoticeStatus.QUEUED,
        note=note[:200],
        next_attempt_at=None if note else now,
        created_at=now,
    )
    if not note:
        transaction.on_commit(lambda: deliver_notices.schedule(delay=0))
    return notice


def _compose(notice: SenderNotice):
    from django.core.mail import EmailMessage

    workspace = notice.workspace
    sender = own.sender_address(workspace)
    message_id = notice.message_id or own.message_id_for(
        workspace_id=workspace.pk, scope="notice", key=notice.pk, domain=own.domain_of(sender)
    )
    notice.message_id = message_id
    headers = {
        "Message-ID": message_id,
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
    }
    original = notice.inbound.external_id
    if original.startswith("<"):
        headers["In-Reply-To"] = original
        headers["References"] = original
    return EmailMessage(
        subject=notice.subject,
        body=notice.body,
        from_email=f"{workspace.name} <{sender}>",
        to=[notice.recipient],
        headers=headers,
    )


def send_notice(notice_id: int) -> None:
    from .send import deliver

    with transaction.atomic():
        notice = (
            SenderNotice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("workspace", "inbound")
            .defer("inbound__raw")
            .filter(pk=notice_id, status=NoticeStatus.QUEUED)
            .first()
        )
        if notice is None:
            return
        notice.attempts += 1
        try:
            deliver(_compose(notice))
        except PermanentFailure as failure:
            notice.status = NoticeStatus.FAILED
            notice.last_error = str(failure)[:2000]
            notice.next_attempt_at = None
        except Exception as error:  # the server is busy or away: later
            log.warning("notice failed", extra={"notice": notice.pk, "error": str(error)})
            notice.last_error = str(error)[:2000]
            if notice.attempts >= MAX_ATTEMPTS:
                notice.status = NoticeStatus.FAILED
                notice.next_attempt_at = None
            else:
                notice.next_attempt_at = timezone.now() + backoff(notice.attempts)
        else:
            notice.status = NoticeStatus.SENT
            notice.sent_at = timezone.now()
            notice.next_attempt_at = None
        notice.save()


def send_due_notices() -> int:
    """Send every notice that is due; returns how many were tried."""
    ids = list(
        SenderNotice.objects.filter(status=NoticeStatus.QUEUED, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    for pk in ids:
        send_notice(pk)
    return len(ids)


@db_task()
def deliver_notices() -> int:
    return send_due_notices()


@db_periodic_task(crontab(minute="*"))
def sweep_notices() -> int:
    return send_due_notices()
