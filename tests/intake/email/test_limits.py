"""An email over the limits is refused with a clear reason, and its sender is told so
by email: once, never when a machine sent it, and not more than a few times a day."""

from __future__ import annotations

import base64

import pytest
from django.core import mail

from ombuds.conversations.models import Message
from ombuds.intake.email.notices import send_due_notices
from ombuds.intake.models import InboundStatus, NoticeStatus, SenderNotice

from .mailroom import OUR_ID, ingest
from .smtp_server import SmtpServer


def with_files(*sizes: int, mid="<big@example.com>", sender="ann@example.com", extra="") -> bytes:
    parts = "".join(
        f'--b\nContent-Type: application/pdf; name="scan-{i}.pdf"\n'
        f'Content-Disposition: attachment; filename="scan-{i}.pdf"\n'
        "Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(b"%PDF" + b"x" * size).decode()
        for i, size in enumerate(sizes, 1)
    )
    return (
        f"From: Ann Buyer <{sender}>\nTo: support@resale.test\nSubject: My scans\n"
        f"Message-ID: {mid}\n{extra}MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nHere are the scans.\n" + parts + "--b--\n"
    ).encode()


@pytest.fixture
def limits(settings):
    settings.OMBUDS_MAX_ATTACHMENT_BYTES = 1000
    settings.OMBUDS_MAX_ATTACHMENTS_PER_MESSAGE = 3


def test_too_large_an_attachment_is_refused_and_the_sender_told_why(mail_workspace, limits):
    inbound = ingest(mail_workspace, with_files(200, 5000))

    assert (inbound.status, inbound.outcome) == (InboundStatus.REJECTED, "attachment_too_large")
    assert "scan-2.pdf" in inbound.error
    assert not Message.objects.exists()
    notice = SenderNotice.objects.get(inbound=inbound)
    assert (notice.status, notice.recipient) == (NoticeStatus.QUEUED, "ann@example.com")

    assert send_due_notices() == 1
    [sent] = mail.outbox
    assert sent.to == ["ann@example.com"]
    assert sent.subject == "Your email could not be accepted: My scans"
    assert "The attachment scan-2.pdf is 4.9\xa0KB; we accept files of at most 1000" in sent.body
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"
    assert sent.extra_headers["In-Reply-To"] == "<big@example.com>"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT


def test_too_many_attachments_are_refused_with_their_own_reason(mail_workspace, limits):
    inbound = ingest(mail_workspace, with_files(10, 10, 10, 10))
    assert inbound.outcome == "too_many_attachments"
    send_due_notices()
    assert "more than 3 files" in mail.outbox[0].body


def test_the_same_email_delivered_again_gets_no_second_notice(mail_workspace, limits):
    ingest(mail_workspace, with_files(5000))
    ingest(mail_workspace, with_files(5000))
    assert SenderNotice.objects.count() == 1


@pytest.mark.parametrize(
    "extra",
    [
        "Auto-Submitted: auto-replied\n",
        "Precedence: bulk\n",
        "Return-Path: <>\n",
        "X-Auto-Response-Suppress: All\n",
    ],
)
def test_a_machine_or_who_asks_for_silence_is_never_answered(thread, limits, extra):
    case, _ = thread
    raw = with_files(5000, extra=f"In-Reply-To: {OUR_ID}\n{extra}")
    inbound = ingest(case.workspace, raw)

    assert inbound.status == InboundStatus.REJECTED
    notice = SenderNotice.objects.get(inbound=inbound)
    assert notice.status == NoticeStatus.SUPPRESSED
    assert notice.note
    assert send_due_notices() == 0


def test_a_sender_is_told_a_few_times_a_day_at_most(mail_workspace, limits, settings):
    for i in range(settings.OMBUDS_SENDER_NOTICES_PER_DAY + 2):
        ingest(mail_workspace, with_files(5000, mid=f"<big-{i}@example.com>"))
    statuses = list(SenderNotice.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [NoticeStatus.QUEUED] * 3 + [NoticeStatus.SUPPRESSED] * 2
    # Someone else is not held back by Ann's mail.
    ingest(mail_workspace, with_files(5000, mid="<bo@example.com>", sender="bo@example.com"))
    assert SenderNotice.objects.filter(recipient="bo@example.com").get().status == "queued"


def test_the_notice_speaks_the_workspace_language(mail_workspace, limits):
    mail_workspace.default_language = "nl"
    mail_workspace.save()
    ingest(mail_workspace, with_files(5000))
    send_due_notices()
    assert mail.outbox[0].subject == "Uw e-mail kon niet worden aangenomen: My scans"
    assert "stuur een kleiner bestand" in mail.outbox[0].body.lower()


def test_the_notice_goes_out_by_smtp_and_a_refusal_ends_it(mail_workspace, limits, settings):
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        ingest(mail_workspace, with_files(5000))
        server.refuse("bo@example.com", "550 5.1.1 unknown")
        ingest(mail_workspace, with_files(5000, mid="<bo@example.com>", sender="bo@example.com"))

        assert send_due_notices() == 2

        [received] = server.received
        assert received.recipients == ["ann@example.com"]
        assert received.email["Auto-Submitted"] == "auto-replied"
        assert received.email["X-Auto-Response-Suppress"] == "All"
        bo = SenderNotice.objects.get(recipient="bo@example.com")
        assert bo.status == NoticeStatus.FAILED and "550" in bo.last_error
