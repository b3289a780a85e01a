"""Automatic replies and list mail: kept on the case they answer, marked so nothing
answers them in turn, and never reopening anything; with no such case, ignored."""

import pytest

from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, Status
from ombuds.conversations.services import update_case
from ombuds.intake.models import InboundStatus

from .mailroom import ingest, sample

OUT_OF_OFFICE = ["ooo_exchange.eml", "ooo_gmail.eml", "ooo_subject_nl.eml"]


@pytest.mark.parametrize("name", OUT_OF_OFFICE)
def test_an_out_of_office_joins_its_case_marked_and_reopens_nothing(thread, mail_agent, name):
    case, _ = thread
    update_case(case=case, actor=Actor(user=mail_agent), status=Status.PENDING_CUSTOMER)

    inbound = ingest(case.workspace, sample(name))

    assert inbound.status == InboundStatus.PROCESSED, inbound.error
    message = inbound.message
    assert message.case_id == case.pk
    assert message.meta["auto_submitted"] is True
    assert message.meta["no_auto_reply"] is True
    assert message.meta["automated"] == "auto_reply"
    case.refresh_from_db()
    assert case.status == Status.PENDING_CUSTOMER
    event = case.events.get(kind="message.received", message=message)
    assert event.data == {"auto_submitted": True}


@pytest.mark.parametrize("name", ["ooo_exchange.eml", "ooo_gmail.eml"])
def test_an_out_of_office_that_answers_no_case_is_ignored(mail_workspace, name):
    inbound = ingest(mail_workspace, sample(name))
    assert (inbound.status, inbound.outcome) == (InboundStatus.IGNORED, "auto_reply")
    assert not Case.objects.exists()


def test_a_subject_that_only_looks_automatic_still_opens_a_case(mail_workspace):
    # Nothing but the subject says "machine", and it answers no case: a person may
    # well write "Absent: …"; losing their mail would be worse than one stray case.
    raw = (
        b"From: Ann Buyer <ann@example.com>\nTo: support@resale.test\n"
        b"Subject: Absent: the refund you promised\nMessage-ID: <absent@example.com>\n\n"
        b"The refund is still not on my account.\n"
    )
    message = ingest(mail_workspace, raw).message
    assert message.case.subject == "Absent: the refund you promised"
    assert "auto_submitted" not in message.meta


def test_no_auto_reply_suppression_asks_for_silence_but_is_a_person_writing(thread, mail_agent):
    case, _ = thread
    update_case(case=case, actor=Actor(user=mail_agent), status=Status.PENDING_CUSTOMER)
    raw = sample("outlook_reply.eml").replace(
        b"X-MS-Has-Attach:", b"X-Auto-Response-Suppress: All\r\nX-MS-Has-Attach:"
    )
    message = ingest(case.workspace, raw).message
    assert message.meta["no_auto_reply"] is True
    assert "auto_submitted" not in message.meta
    case.refresh_from_db()
    assert case.status == Status.OPEN  # a person answered: the case is theirs again


def test_an_out_of_office_on_a_closed_case_opens_no_follow_up(thread, mail_agent):
    case, _ = thread
    update_case(case=case, actor=Actor(user=mail_agent), status=Status.SOLVED)
    update_case(case=case, actor=Actor(user=mail_agent), status=Status.CLOSED)

    inbound = ingest(case.workspace, sample("ooo_exchange.eml"))

    assert inbound.outcome == "auto_reply"
    assert Case.objects.count() == 1


def test_a_newsletter_to_the_support_address_is_ignored(mail_workspace):
    inbound = ingest(mail_workspace, sample("list_mail.eml"))
    assert (inbound.status, inbound.outcome) == (InboundStatus.IGNORED, "bulk")
    assert "Precedence: bulk" in inbound.error


def test_a_person_answering_reopens_the_case_as_before(thread, mail_agent):
    case, _ = thread
    update_case(case=case, actor=Actor(user=mail_agent), status=Status.PENDING_CUSTOMER)
    message = ingest(case.workspace, sample("gmail_reply.eml")).message
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert "auto_submitted" not in message.meta
