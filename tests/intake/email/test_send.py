"""Replies leave by SMTP as mail programs expect them: a stable Message-ID, threading
headers that chain, a Reply-To that comes back to the case, text and HTML, attachments.
A 5xx fails the delivery for good and says so on the case; a 4xx is retried later.

Every test talks to a real SMTP server on this machine (aiosmtpd)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from ombuds.conversations.attachments import IncomingFile
from ombuds.conversations.models import Delivery, DeliveryStatus, Message
from ombuds.conversations.services import reply_to_customer
from ombuds.conversations.tasks import drain_outbox
from ombuds.intake.email import own
from ombuds.intake.models import InboundStatus
from tests import builders

from .mailroom import ingest, sample
from .smtp_server import SmtpServer

OUR_ID = re.compile(r"^<ombuds\.[a-z2-7]{26}@resale\.test>$")


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        yield server


@pytest.fixture
def case(mail_workspace, smtp):
    return ingest(mail_workspace, sample("gmail_first.eml")).message.case


def answer(case, agent, body="Your tickets are on their way.", **kwargs) -> Message:
    message = reply_to_customer(case=case, author=agent, body=body, **kwargs)
    drain_outbox()
    message.refresh_from_db()
    return message


def customer_reply(*, to_id: str, references: str, mid: str, to="support@resale.test") -> bytes:
    return (
        f"From: Ann Buyer <ann@example.com>\nTo: {to}\nSubject: Re: Tickets\n"
        f"Message-ID: {mid}\nIn-Reply-To: {to_id}\nReferences: {references}\n"
        "Content-Type: text/plain; charset=utf-8\n\nThanks, one more question.\n"
    ).encode()


def test_a_reply_arrives_with_the_headers_parts_and_files_of_a_proper_email(case, smtp, mail_agent):
    reply = answer(
        case,
        mail_agent,
        files=[IncomingFile("Bevestiging €49.pdf", "application/pdf", b"%PDF-1.4 confirmed")],
    )

    assert len(smtp.received) == 1
    envelope = smtp.received[0]
    assert envelope.recipients == ["ann@example.com"]
    mail = envelope.email
    assert mail["From"].addresses[0].display_name == "Anna Agent (Resale)"
    assert mail["From"].addresses[0].addr_spec == "support@resale.test"
    assert mail["To"] == "ann@example.com"
    assert mail["Subject"] == "Re: Tickets for Saturday [RES-1]"
    assert mail["Reply-To"] == "support@resale.test"
    assert OUR_ID.match(mail["Message-ID"])
    assert mail["In-Reply-To"] == "<CAFfirst0001@mail.gmail.com>"
    assert mail["References"] == "<CAFfirst0001@mail.gmail.com>"
    assert mail["X-Ombuds-Case"] == "RES-1"
    assert mail["Auto-Submitted"] is None  # a person wrote it
    assert mail.get_body(("plain",)).get_content().strip() == "Your tickets are on their way."
    assert "<p>Your tickets are on their way.</p>" in mail.get_body(("html",)).get_content()
    [attached] = list(mail.iter_attachments())
    assert attached.get_filename() == "Bevestiging €49.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == b"%PDF-1.4 confirmed"
    # The id it went out under is what a reply to it will name.
    delivery = Delivery.objects.get(message=reply)
    assert delivery.status == DeliveryStatus.SENT
    assert reply.external_id == delivery.provider_id == mail["Message-ID"]


def test_threading_headers_chain_over_several_replies(case, smtp, mail_agent):
    first_id = "<CAFfirst0001@mail.gmail.com>"
    r1 = answer(case, mail_agent).external_id
    ingest(
        case.workspace,
        customer_reply(to_id=r1, references=f"{first_id} {r1}", mid="<b@example.com>"),
    )
    r2 = answer(case, mail_agent, body="Here is more.").external_id
    ingest(
        case.workspace,
        customer_reply(
            to_id=r2, references=f"{first_id} {r1} <b@example.com> {r2}", mid="<c@example.com>"
        ),
    )
    answer(case, mail_agent, body="And the last of it.")

    mails = [r.email for r in smtp.received]
    assert [m["In-Reply-To"] for m in mails] == [first_id, "<b@example.com>", "<c@example.com>"]
    assert [m["References"].split() for m in mails] == [
        [first_id],
        [first_id, r1, "<b@example.com>"],
        [first_id, r1, "<b@example.com>", r2, "<c@example.com>"],
    ]
    assert len({m["Message-ID"] for m in mails}) == 3
    assert case.messages.filter(kind="inbound").count() == 3  # every answer threaded back


def test_a_case_that_began_on_the_web_threads_our_own_emails(mail_workspace, smtp, mail_agent):
    buyer = builders.party(mail_workspace, "B-9", name="Bo", email="bo@example.com")
    case = builders.case(mail_workspace, requester=buyer, subject="Seat numbers")
    first = answer(case, mail_agent, body="Row 12.")
    answer(case, mail_agent, body="Seats 4 and 5.")

    mails = [r.email for r in smtp.received]
    assert mails[0]["In-Reply-To"] is None and mails[0]["References"] is None
    assert mails[1]["In-Reply-To"] == first.external_id
    assert mails[1]["References"] == first.external_id


def test_the_plus_address_in_reply_to_brings_an_answer_back_to_its_case(
    case, smtp, mail_agent, settings
):
    settings.OMBUDS_EMAIL_PLUS_ADDRESSING = True
    answer(case, mail_agent)
    assert smtp.received[0].email["Reply-To"] == "support+RES-1@resale.test"

    # The customer's program dropped every threading header; the address still tells.
    raw = (
        b"From: ann@example.com\nTo: support+RES-1@resale.test\nSubject: photos\n"
        b"Message-ID: <no-headers@example.com>\n\nHere they are.\n"
    )
    assert ingest(case.workspace, raw).message.case_id == case.pk


def test_a_message_no_person_wrote_says_so_to_other_systems(case, smtp, mail_agent):
    message = reply_to_customer(case=case, author=mail_agent, body="We received your message.")
    Message.objects.filter(pk=message.pk).update(meta={"automatic": True})
    drain_outbox()

    mail = smtp.received[0].email
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["X-Auto-Response-Suppress"] == "All"
    assert mail["From"].addresses[0].display_name == "Resale"


def test_a_permanent_refusal_fails_the_delivery_and_shows_on_the_case(case, smtp, mail_agent):
    smtp.refuse("ann@example.com", "550 5.1.1 <ann@example.com>: no such user")

    reply = answer(case, mail_agent)

    delivery = Delivery.objects.get(message=reply)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "550 5.1.1 <ann@example.com>: no such user" in delivery.last_error
    event = case.events.get(kind="delivery.failed")
    assert "550" in event.data["error"]
    assert smtp.received == []


def test_a_temporary_refusal_is_retried_later_with_the_same_message_id(case, smtp, mail_agent):
    smtp.refuse("ann@example.com", "451 4.3.0 Mailbox busy, try again later")

    reply = answer(case, mail_agent)

    delivery = Delivery.objects.get(message=reply)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert delivery.next_attempt_at > timezone.now()
    assert "451" in delivery.last_error
    first_id = delivery.provider_id
    assert OUR_ID.match(first_id)

    smtp.accept("ann@example.com")
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    drain_outbox()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert smtp.received[0].email["Message-ID"] == first_id
    assert not case.events.filter(kind="delivery.failed").exists()


def test_a_server_that_does_not_answer_is_retried(case, settings, mail_agent):
    from .smtp_server import free_port

    settings.EMAIL_PORT = free_port()  # nothing listens there
    reply = answer(case, mail_agent)
    delivery = Delivery.objects.get(message=reply)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)


def test_message_ids_are_stable_per_delivery_and_distinct_between_them(mail_workspace):
    one = own.message_id_for(workspace_id=1, scope="delivery", key=7, domain="resale.test")
    assert one == own.message_id_for(workspace_id=1, scope="delivery", key=7, domain="resale.test")
    assert one != own.message_id_for(workspace_id=1, scope="delivery", key=8, domain="resale.test")
    assert one != own.message_id_for(workspace_id=2, scope="delivery", key=7, domain="resale.test")
    assert OUR_ID.match(one)


def test_what_we_sent_does_not_come_back_as_a_case(case, smtp, mail_agent):
    answer(case, mail_agent)
    # The support mailbox gets a copy of what went out (a BCC, a sent-items rule).
    inbound = ingest(case.workspace, smtp.received[0].raw)
    assert (inbound.status, inbound.outcome) == (InboundStatus.IGNORED, "own_mail")
