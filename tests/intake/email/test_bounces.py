"""A bounce marks our reply as not delivered, on its case, and opens no case; delays,
success reports and read receipts change nothing."""

import pytest

from ombuds.conversations.models import Case, CaseEvent, Delivery, DeliveryStatus
from ombuds.intake.models import InboundStatus

from .mailroom import ingest, sample

BOUNCES = [
    ("dsn_postfix.eml", "550 5.1.1 <nobody@example.com>: Recipient address rejected"),
    ("dsn_exchange.eml", "550 5.1.10 RESOLVER.ADR.RecipientNotFound"),
    ("dsn_gmail.eml", "The email account that you tried to reach does not exist"),
    ("bounce_qmail.eml", "550 5.1.1 Mailbox unavailable"),
]


@pytest.mark.parametrize(("name", "diagnostic"), BOUNCES)
def test_a_bounce_fails_the_delivery_on_its_case_and_opens_no_case(thread, name, diagnostic):
    case, reply = thread
    cases_before = Case.objects.count()

    inbound = ingest(case.workspace, sample(name))

    assert (inbound.status, inbound.outcome) == (InboundStatus.IGNORED, "bounce")
    assert case.reference in inbound.error
    delivery = Delivery.objects.get(message=reply)
    assert delivery.status == DeliveryStatus.FAILED
    assert diagnostic in delivery.last_error
    event = CaseEvent.objects.get(case=case, kind="delivery.failed")
    assert event.message_id == reply.pk
    assert event.data["bounced"] is True
    assert diagnostic in event.data["error"]
    assert Case.objects.count() == cases_before


def test_the_same_bounce_twice_is_recorded_once(thread):
    case, _ = thread
    ingest(case.workspace, sample("dsn_postfix.eml"))
    again = sample("dsn_postfix.eml").replace(b"5E6F7A8B9C@", b"second@")
    ingest(case.workspace, again)
    assert CaseEvent.objects.filter(case=case, kind="delivery.failed").count() == 1


def test_a_bounce_about_mail_we_never_sent_is_ignored(mail_workspace):
    inbound = ingest(mail_workspace, sample("dsn_exchange.eml"))
    assert (inbound.status, inbound.outcome) == (InboundStatus.IGNORED, "bounce")
    assert "No reply of ours matches" in inbound.error
    assert not Case.objects.exists()


def test_a_delay_warning_leaves_the_delivery_as_it_was(thread):
    case, reply = thread
    inbound = ingest(case.workspace, sample("dsn_delayed.eml"))
    assert inbound.outcome == "delivery_delayed"
    assert Delivery.objects.get(message=reply).status == DeliveryStatus.SENT


def test_a_read_receipt_is_not_a_message(thread):
    case, _ = thread
    inbound = ingest(case.workspace, sample("read_receipt.eml"))
    assert inbound.outcome == "read_receipt"
    assert case.messages.count() == 2


def test_a_bounce_shows_on_the_case_page(thread, client, mail_agent):
    case, _ = thread
    ingest(case.workspace, sample("dsn_postfix.eml"))
    client.force_login(mail_agent)
    page = client.get(f"/w/resale/cases/{case.reference}/").text
    assert "msg-delivery--failed" in page
    assert "Recipient address rejected" in page
