"""The buyer's portal: their cases, the public conversation, replies and files."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from ombuds.conversations.attachments import IncomingFile
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Attachment, Message, MessageKind, Status
from ombuds.conversations.services import (
    add_internal_note,
    receive_customer_message,
    reply_to_customer,
    update_case,
)
from ombuds.marketplace.models import PartyIdentity
from ombuds.web.portal.magic_links import make_token
from tests import builders


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


@pytest.fixture
def signed_in(client, workspace, buyer):
    identity = PartyIdentity.objects.get(party=buyer, kind="email")
    response = client.get(f"/help/resale/portal/login/{make_token(identity)}/")
    assert response.status_code == 302
    return client


def _pdf(name="proof.pdf", content=b"%PDF-1.4 proof"):
    return IncomingFile(filename=name, content_type="application/pdf", content=content)


def test_case_list_speaks_the_customers_words(signed_in, workspace, buyer, agent):
    waiting = builders.case(workspace, requester=buyer, subject="Which seat?")
    reply_to_customer(case=waiting, author=agent, body="Row?", status=Status.PENDING_CUSTOMER)
    solved = builders.case(workspace, requester=buyer, subject="Refund please")
    update_case(case=solved, actor=Actor(user=agent), status=Status.SOLVED)
    builders.case(workspace, requester=buyer, subject="Parcel late")

    page = signed_in.get("/help/resale/portal/cases/").content.decode()

    assert "Waiting for you" in page
    assert "Solved" in page
    assert "Received" in page
    assert "Pending customer" not in page
    # Newest activity first.
    assert page.index("Parcel late") < page.index("Refund please") < page.index("Which seat?")


def test_case_page_shows_the_conversation_but_never_internal_notes(
    signed_in, workspace, buyer, agent
):
    case = builders.case(workspace, requester=buyer, body="My tickets never arrived.")
    add_internal_note(
        case=case,
        author=agent,
        body="Seller has a history of no-shows.",
        files=[_pdf("seller-record.pdf")],
    )
    reply_to_customer(case=case, author=agent, body="We have asked the seller.")

    response = signed_in.get(f"/help/resale/portal/cases/{case.reference}/")

    page = response.content.decode()
    assert "My tickets never arrived." in page
    assert "We have asked the seller." in page
    assert "Seller has a history" not in page
    assert "seller-record.pdf" not in page
    # Internal timeline events (status changes by name, assignments) are not shown either.
    assert "status.changed" not in page
    assert "Anna from Resale" in page
    assert "Anna Agent" not in page


def test_file_of_an_internal_note_cannot_be_downloaded(signed_in, workspace, buyer, agent):
    case = builders.case(workspace, requester=buyer)
    add_internal_note(case=case, author=agent, body="Internal", files=[_pdf("internal.pdf")])
    hidden = Attachment.objects.get(filename="internal.pdf")

    response = signed_in.get(f"/help/resale/portal/cases/{case.reference}/files/{hidden.pk}/")

    assert response.status_code == 404


def test_own_files_are_downloadable_as_attachments(signed_in, workspace, buyer):
    case = builders.case(workspace, requester=buyer, files=[_pdf()])
    attachment = Attachment.objects.get()

    response = signed_in.get(f"/help/resale/portal/cases/{case.reference}/files/{attachment.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 proof"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_file_of_another_buyers_case_is_not_found(signed_in, workspace, buyer):
    mine = builders.case(workspace, requester=buyer)
    other = builders.party(workspace, "B-2", email="olga@example.com")
    builders.case(workspace, requester=other, files=[_pdf("olga.pdf")])
    theirs = Attachment.objects.get(filename="olga.pdf")

    response = signed_in.get(f"/help/resale/portal/cases/{mine.reference}/files/{theirs.pk}/")

    assert response.status_code == 404


def test_reply_reopens_a_case_waiting_for_the_buyer(signed_in, workspace, buyer, agent):
    case = builders.case(workspace, requester=buyer)
    reply_to_customer(case=case, author=agent, body="Which size?", status=Status.PENDING_CUSTOMER)
    photo = SimpleUploadedFile("label.jpg", b"\xff\xd8 label", content_type="image/jpeg")

    response = signed_in.post(
        f"/help/resale/portal/cases/{case.reference}/",
        {"body": "Size M, photo of the label attached.", "attachments": [photo]},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/help/resale/portal/cases/{case.reference}/#latest"
    case.refresh_from_db()
    assert case.status == Status.OPEN
    reply = case.messages.order_by("-pk").first()
    assert (reply.kind, reply.channel, reply.author_party) == (MessageKind.INBOUND, "web", buyer)
    assert reply.attachments.get().filename == "label.jpg"
    page = signed_in.get(response["Location"]).content.decode()
    assert "Size M, photo of the label attached." in page
    assert "label.jpg" in page


def test_oversized_reply_attachment_is_refused_and_nothing_is_added(
    signed_in, workspace, buyer, settings
):
    case = builders.case(workspace, requester=buyer)
    settings.OMBUDS_MAX_ATTACHMENT_BYTES = 4
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 big", content_type="application/pdf")

    response = signed_in.post(
        f"/help/resale/portal/cases/{case.reference}/", {"body": "See scan", "attachments": [big]}
    )

    assert response.status_code == 413
    assert "scan.pdf is too large" in response.content.decode()
    assert Message.objects.filter(case=case).count() == 1


def test_closed_case_offers_a_new_request_instead_of_a_reply(signed_in, workspace, buyer, agent):
    order = builders.order(workspace, "ORD-9", buyer=buyer)
    case = builders.case(workspace, requester=buyer, order=order)
    update_case(case=case, actor=Actor(user=agent), status=Status.CLOSED)

    page = signed_in.get(f"/help/resale/portal/cases/{case.reference}/").content.decode()

    assert "This request is closed." in page
    assert 'name="body"' not in page
    assert 'href="/help/resale/contact/?order=ORD-9"' in page
    response = signed_in.post(f"/help/resale/portal/cases/{case.reference}/", {"body": "Hello?"})
    assert response.status_code == 409
    assert Message.objects.filter(case=case).count() == 1


def test_new_request_form_knows_the_signed_in_buyer(signed_in, workspace, buyer):
    form = signed_in.get("/help/resale/contact/?order=ORD-9").context["form"]

    assert form.initial == {
        "email": "bram@example.com",
        "name": "Bram Buyer",
        "order_number": "ORD-9",
    }


def test_case_of_another_workspace_is_not_found(signed_in, other_workspace):
    stranger = builders.party(other_workspace, "S-1", email="sam@example.com")
    foreign = builders.case(other_workspace, requester=stranger)

    response = signed_in.get(f"/help/resale/portal/cases/{foreign.reference}/")

    assert response.status_code == 404


def test_replying_to_someone_elses_case_is_not_found(signed_in, workspace):
    other = builders.party(workspace, "B-2", email="olga@example.com")
    theirs = builders.case(workspace, requester=other)

    response = signed_in.post(f"/help/resale/portal/cases/{theirs.reference}/", {"body": "Hi"})

    assert response.status_code == 404
    assert theirs.messages.count() == 1


def test_hostile_subject_and_body_render_harmless(signed_in, workspace, buyer):
    case = builders.case(
        workspace,
        requester=buyer,
        subject="<img src=x onerror=alert(1)>",
        body="<script>alert('body')</script> please help",
    )
    receive_customer_message(
        case=case,
        party=buyer,
        body="styled",
        channel="email",
        body_html='<p onclick="alert(2)">styled <a href="javascript:alert(3)">link</a></p>',
    )

    for path in ("/help/resale/portal/cases/", f"/help/resale/portal/cases/{case.reference}/"):
        page = signed_in.get(path).content.decode()
        assert "<img src=x" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        assert "<script>" not in page
        assert "onclick" not in page
        assert "javascript:" not in page
    assert "&lt;script&gt;" in page


def test_case_page_in_dutch(signed_in, workspace, buyer, agent):
    case = builders.case(workspace, requester=buyer)
    reply_to_customer(case=case, author=agent, body="Welke maat?", status=Status.PENDING_CUSTOMER)

    page = signed_in.get(
        f"/help/resale/portal/cases/{case.reference}/", HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()

    assert "Wacht op jou" in page
    assert "Mijn verzoeken" in page
    assert "Stuur antwoord" in page


def test_portal_pages_need_a_signed_in_buyer(client, workspace, buyer):
    case = builders.case(workspace, requester=buyer, files=[_pdf()])
    attachment = Attachment.objects.get()

    for path in (
        "/help/resale/portal/cases/",
        f"/help/resale/portal/cases/{case.reference}/",
        f"/help/resale/portal/cases/{case.reference}/files/{attachment.pk}/",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/help/resale/portal/"


def test_contact_form_case_shows_its_topic_in_words_not_as_a_code(signed_in, workspace, buyer):
    case = builders.case(workspace, requester=buyer, subject="Tickets for Friday", topic="transfer")

    for path in ("/help/resale/portal/cases/", f"/help/resale/portal/cases/{case.reference}/"):
        page = signed_in.get(path, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
        assert "Ticket- of boekingsoverdracht" in page
        assert "Tickets for Friday" in page
        assert ">transfer<" not in page
