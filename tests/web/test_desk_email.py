"""What an agent sees of an email on the case page: the new words, the full message one
click away, the original to download, inline images in place, automatic replies marked,
and a reply that did not arrive marked clearly."""

from __future__ import annotations

import pytest

from ombuds.conversations.attachments import IncomingFile
from ombuds.conversations.models import Attachment, Delivery
from ombuds.conversations.services import add_internal_note
from tests import builders
from tests.intake.email import conftest as email_scenario
from tests.intake.email.mailroom import ingest, sample

# The email tests' scenario, shared by name; pytest injects the fixtures as arguments.
mail_workspace = email_scenario.mail_workspace
mail_agent = email_scenario.mail_agent
thread = email_scenario.thread


@pytest.fixture
def desk(client, mail_agent):
    client.force_login(mail_agent)
    return client


def page_of(desk, case) -> str:
    response = desk.get(f"/w/resale/cases/{case.reference}/")
    assert response.status_code == 200
    return response.text


def test_a_reply_shows_its_new_words_and_the_full_message_on_request(desk, thread):
    case, _ = thread
    message = ingest(case.workspace, sample("gmail_reply.eml")).message
    text = page_of(desk, case)
    assert "Still nothing in my account." in text
    assert '<details class="msg-full">' in text
    assert "&gt; Your tickets are on their way." in text  # inside the full text, escaped
    assert f'href="/w/resale/messages/{message.pk}/original.eml"' in text


def test_the_original_email_downloads_byte_for_byte(desk, thread):
    case, _ = thread
    raw = sample("outlook_reply.eml")
    message = ingest(case.workspace, raw).message

    response = desk.get(f"/w/resale/messages/{message.pk}/original.eml")

    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="RES-1-{message.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == raw


def test_the_original_is_not_served_to_another_workspace(client, thread):
    case, _ = thread
    message = ingest(case.workspace, sample("gmail_reply.eml")).message
    other = builders.workspace("other", prefix="OTH")
    stranger = builders.member(other, "eve@other.test")
    client.force_login(stranger)
    assert client.get(f"/w/resale/messages/{message.pk}/original.eml").status_code == 404
    assert client.get(f"/w/other/messages/{message.pk}/original.eml").status_code == 404


def test_a_message_that_did_not_come_by_email_has_no_original(desk, thread, mail_agent):
    case, _ = thread
    note = add_internal_note(case=case, author=mail_agent, body="Checked the transfer.")
    assert desk.get(f"/w/resale/messages/{note.pk}/original.eml").status_code == 404


def test_an_inline_image_shows_in_place_from_the_desk_itself(desk, mail_workspace):
    message = ingest(mail_workspace, sample("inline_image.eml")).message
    image = message.attachments.get()
    text = page_of(desk, message.case)

    assert f'<img src="/w/resale/attachments/{image.pk}/inline/">' in text
    assert "cid:" not in text
    assert "tracker.example" not in text
    served = desk.get(f"/w/resale/attachments/{image.pk}/inline/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")


def test_only_raster_images_are_served_inline(desk, thread, mail_agent):
    case, _ = thread
    note = add_internal_note(
        case=case,
        author=mail_agent,
        body="Receipt",
        files=[IncomingFile("receipt.pdf", "application/pdf", b"%PDF-1.4")],
    )
    pdf = Attachment.objects.get(message=note)
    assert desk.get(f"/w/resale/attachments/{pdf.pk}/inline/").status_code == 404


def test_a_cid_that_names_no_attachment_of_the_message_shows_nothing(desk, mail_workspace):
    raw = (
        b"From: ann@example.com\nSubject: Photo\nMessage-ID: <cid-x@x>\nMIME-Version: 1.0\n"
        b'Content-Type: text/html\n\n<p>See</p><img src="cid:someone-elses@x">'
    )
    case = ingest(mail_workspace, raw).message.case
    text = page_of(desk, case)
    assert "<p>See</p>" in text
    assert "<img" not in text.split('id="timeline"', 1)[1]


def test_an_automatic_reply_is_marked_on_the_case(desk, thread):
    case, _ = thread
    ingest(case.workspace, sample("ooo_exchange.eml"))
    assert "msg-flag--auto" in page_of(desk, case)


def test_a_failed_reply_says_so_on_the_message_itself(desk, thread):
    case, reply = thread
    Delivery.objects.filter(message=reply).update(
        status="failed", last_error="550 5.1.1 mailbox unknown"
    )
    text = page_of(desk, case)
    assert 'class="msg-delivery msg-delivery--failed"' in text
    assert "Not delivered to bram" not in text
    assert "Not delivered to ann@example.com</strong>: 550 5.1.1 mailbox unknown" in text


def test_a_sent_reply_says_where_it_went(desk, thread):
    case, _ = thread
    assert "Sent to ann@example.com" in page_of(desk, case)


def test_files_left_out_of_an_email_are_named(desk, mail_workspace):
    raw = (
        b"From: ann@example.com\nSubject: Files\nMessage-ID: <files@x>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nHi\n'
        b'--b\nContent-Type: application/octet-stream; name="setup.exe"\n\nMZ\n--b--\n'
    )
    case = ingest(mail_workspace, raw).message.case
    text = page_of(desk, case)
    assert "Not attached" in text and "setup.exe" in text


def test_the_email_parts_of_the_case_page_speak_dutch(desk, thread):
    from django.conf import settings

    case, _ = thread
    ingest(case.workspace, sample("gmail_reply.eml"))
    ingest(case.workspace, sample("ooo_exchange.eml"))
    ingest(case.workspace, sample("dsn_postfix.eml"))
    desk.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    text = page_of(desk, case)
    for label in (
        "Volledig bericht tonen",
        "Originele e-mail downloaden (.eml)",
        "Automatisch antwoord",
        "Niet bezorgd bij ann@example.com",
        "stuurde het antwoord terug: niet bezorgd",
    ):
        assert label in text, label
