"""Which case an email joins: the ids it answers first, then the case reference in its
subject or in the plus address we gave out; a new subject is a new case; and mail from
our own side never becomes a case at all."""

import pytest

from ombuds.conversations.models import Case
from ombuds.intake.models import InboundStatus, Mailbox

from .mailroom import OUR_ID, ingest, sample


def mail(*, sender="ann@example.com", to="support@resale.test", subject, mid, extra=""):
    return (
        f"From: Ann Buyer <{sender}>\nTo: {to}\nSubject: {subject}\nMessage-ID: {mid}\n"
        f"{extra}Content-Type: text/plain; charset=utf-8\n\nA few words.\n"
    ).encode()


def test_references_thread_a_reply_onto_its_case(thread):
    case, reply = thread
    message = ingest(case.workspace, sample("gmail_reply.eml")).message
    assert message.case_id == case.pk
    assert message.reply_to_id == reply.pk
    assert message.meta["references"] == ["<CAFfirst0001@mail.gmail.com>", OUR_ID]


@pytest.mark.parametrize("subject", ["Re: Tickets [RES-1]", "About RES-1 again"])
def test_the_case_reference_in_the_subject_threads_without_headers(thread, subject):
    case, _ = thread
    message = ingest(case.workspace, mail(subject=subject, mid="<ref-1@example.com>")).message
    assert message.case_id == case.pk


def test_a_reference_quoted_by_a_stranger_opens_a_case_of_their_own(thread):
    case, _ = thread
    inbound = ingest(
        case.workspace,
        mail(sender="mallory@example.net", subject="Re: [RES-1]", mid="<guess@example.net>"),
    )
    assert inbound.message.case_id != case.pk


def test_the_plus_address_we_handed_out_threads_too(thread):
    case, _ = thread
    message = ingest(
        case.workspace,
        mail(to="Support <support+RES-1@resale.test>", subject="Photos", mid="<plus@x>"),
    ).message
    assert message.case_id == case.pk


def test_a_plus_address_on_someone_elses_domain_counts_for_nothing(thread):
    case, _ = thread
    message = ingest(
        case.workspace, mail(to="ann+RES-1@example.com", subject="Photos", mid="<plus2@x>")
    ).message
    assert message.case_id != case.pk


def test_a_new_subject_from_a_known_customer_is_a_new_case(thread):
    case, _ = thread
    message = ingest(case.workspace, mail(subject="Another order", mid="<new@x>")).message
    assert message.case_id != case.pk
    assert message.case.requester_id == case.requester_id


def test_a_copy_of_our_own_reply_is_never_a_case(thread):
    case, _ = thread
    before = Case.objects.count()
    inbound = ingest(case.workspace, sample("own_copy.eml"))
    assert (inbound.status, inbound.outcome) == (InboundStatus.IGNORED, "own_mail")
    assert Case.objects.count() == before


@pytest.mark.parametrize(
    "sender",
    [
        "support@resale.test",
        "SUPPORT+RES-1@resale.test",
        "support@ombuds.localhost",  # DEFAULT_FROM_EMAIL
        "help@mailbox.resale.test",  # a mailbox the workspace fetches
    ],
)
def test_mail_from_any_of_our_addresses_is_ignored(mail_workspace, sender):
    Mailbox.objects.create(
        workspace=mail_workspace,
        address="help@mailbox.resale.test",
        host="imap.resale.test",
        username="help",
        password="x",
    )
    inbound = ingest(mail_workspace, mail(sender=sender, subject="Loop?", mid="<loop@x>"))
    assert (inbound.status, inbound.outcome) == (InboundStatus.IGNORED, "own_mail")


def test_our_message_id_under_another_sender_is_still_ours(mail_workspace):
    raw = mail(
        sender="relay@forwarder.example",
        subject="Re: Tickets",
        mid="<ombuds.abcdefghijklmnopqrstuvwxyz@resale.test>",
    )
    inbound = ingest(mail_workspace, raw)
    assert inbound.outcome == "own_mail"


def test_a_colleague_on_our_domain_is_not_mistaken_for_ourselves(mail_workspace):
    raw = mail(sender="colleague@resale.test", subject="Question", mid="<c@resale.test>")
    assert ingest(mail_workspace, raw).status == InboundStatus.PROCESSED
