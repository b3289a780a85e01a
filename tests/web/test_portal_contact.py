"""The contact form: a case from anyone with an email address, or a clear refusal."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from ombuds.conversations.models import Attachment, Case, Message, MessageKind
from ombuds.marketplace.models import Party, PartyIdentity
from ombuds.web.portal import throttle
from tests import builders


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def _form(**overrides):
    fields = {
        "email": "nina@example.com",
        "name": "Nina Newcomer",
        "topic": "transfer",
        "order_number": "",
        "message": "The seller has not transferred my concert tickets yet.\nThe show is Friday.",
        "website": "",
    }
    fields.update(overrides)
    return fields


def _nothing_written():
    return not (Case.objects.exists() or Message.objects.exists() or Party.objects.exists())


def test_form_opens_a_case_for_a_new_person_and_shows_its_reference(client, workspace):
    response = client.post("/help/resale/contact/", _form())

    assert response.status_code == 302
    assert response["Location"] == "/help/resale/contact/sent/"
    case = Case.objects.get()
    assert case.reference == "RES-1"
    assert case.topic == "transfer"
    assert case.channel == "web"
    assert case.requester.email == "nina@example.com"
    assert case.requester.name == "Nina Newcomer"
    message = case.messages.get()
    assert message.kind == MessageKind.INBOUND
    assert "Friday" in message.body_text

    page = client.get(response["Location"]).content.decode()
    assert "RES-1" in page
    assert "nina@example.com" in page


def test_form_mails_a_sign_in_link_that_leads_to_the_new_case(client, workspace):
    client.post("/help/resale/contact/", _form())

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["nina@example.com"]
    assert "RES-1" in sent.subject
    link = re.search(r"https?://\S+/help/resale/portal/login/\S+", sent.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    response = client.get("/" + path)

    assert response.status_code == 302
    assert response["Location"] == "/help/resale/portal/cases/RES-1/"


def test_submitting_the_form_does_not_sign_anyone_in(client, workspace, buyer):
    # Anyone can type any address into the form; only the mailbox's owner gets in.
    client.post("/help/resale/contact/", _form(email="bram@example.com"))

    response = client.get("/help/resale/portal/cases/")

    assert response.status_code == 302
    assert response["Location"] == "/help/resale/portal/"


def test_order_number_of_the_same_buyer_links_the_order(client, workspace, buyer):
    order = builders.order(workspace, "ORD-77", buyer=buyer)

    client.post("/help/resale/contact/", _form(email="bram@example.com", order_number="ORD-77"))

    case = Case.objects.get()
    assert case.requester == buyer
    assert case.order == order


def test_order_number_of_someone_else_is_kept_as_text_only(client, workspace, buyer):
    builders.order(workspace, "ORD-77", buyer=buyer)

    client.post("/help/resale/contact/", _form(order_number="ORD-77"))

    case = Case.objects.get()
    assert case.order is None
    assert "ORD-77" in case.messages.get().body_text


def test_attachments_are_stored_with_the_first_message(client, workspace):
    files = [
        SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", content_type="application/pdf"),
        SimpleUploadedFile("screen.png", b"\x89PNG screenshot", content_type="image/png"),
    ]

    response = client.post("/help/resale/contact/", {**_form(), "attachments": files})

    assert response.status_code == 302
    stored = {a.filename: a for a in Attachment.objects.all()}
    assert set(stored) == {"receipt.pdf", "screen.png"}
    assert stored["receipt.pdf"].message.case.reference == "RES-1"
    with stored["screen.png"].file.open("rb") as fh:
        assert fh.read() == b"\x89PNG screenshot"


def test_contact_form_offers_multiple_file_upload(client, workspace):
    page = client.get("/help/resale/contact/").content.decode()

    assert re.search(r'<input type="file" name="attachments" multiple', page)
    assert 'enctype="multipart/form-data"' in page


def test_oversized_attachment_is_refused_and_nothing_is_written(client, workspace, settings):
    settings.OMBUDS_MAX_ATTACHMENT_BYTES = 10
    big = SimpleUploadedFile("photo.jpg", b"x" * 11, content_type="image/jpeg")

    response = client.post("/help/resale/contact/", {**_form(), "attachments": [big]})

    assert response.status_code == 413
    assert "photo.jpg is too large" in response.content.decode()
    assert _nothing_written()
    assert mail.outbox == []


def test_blocked_file_type_is_refused_and_nothing_is_written(client, workspace):
    page = SimpleUploadedFile("invoice.html", b"<script>x</script>", content_type="text/html")

    response = client.post("/help/resale/contact/", {**_form(), "attachments": [page]})

    assert response.status_code == 415
    assert "We cannot accept files like invoice.html" in response.content.decode()
    assert _nothing_written()


def test_refused_form_keeps_what_the_buyer_typed(client, workspace):
    page = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")

    response = client.post("/help/resale/contact/", {**_form(), "attachments": [page]})

    assert "The seller has not transferred my concert tickets yet." in response.content.decode()


def test_missing_fields_are_a_422_with_field_errors(client, workspace):
    response = client.post("/help/resale/contact/", _form(message="", topic="lottery"))

    assert response.status_code == 422
    assert response.context["form"].has_error("message")
    assert response.context["form"].has_error("topic")
    assert _nothing_written()


def test_honeypot_turns_a_bot_away(client, workspace):
    response = client.post("/help/resale/contact/", _form(website="http://spam.example"))

    assert response.status_code == 400
    assert _nothing_written()
    assert mail.outbox == []


def test_a_flood_from_one_address_is_slowed_down(client, workspace, monkeypatch):
    monkeypatch.setattr(throttle, "CONTACT_PER_ADDRESS", (2, 600))

    statuses = [client.post("/help/resale/contact/", _form()).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]
    assert Case.objects.count() == 2


def test_thank_you_page_without_a_submission_goes_back_to_the_form(client, workspace):
    response = client.get("/help/resale/contact/sent/")

    assert response.status_code == 302
    assert response["Location"] == "/help/resale/contact/"


def test_topics_and_form_are_translated(client, workspace):
    page = client.get("/help/resale/contact/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert "Ticket- of boekingsoverdracht" in page
    assert "Je e-mailadres" in page


def test_same_email_keeps_one_party(client, workspace, buyer):
    client.post("/help/resale/contact/", _form(email="Bram@Example.com", name="Bram"))

    assert Party.objects.count() == 1
    assert PartyIdentity.objects.get(value="bram@example.com").party == buyer
