"""The demo's cases from every channel, fed through the real intake: loaded once for this
module, rolled back afterwards."""

import pytest
from django.db import transaction
from django.db.models import OuterRef, Subquery

from ombuds.accounts.models import User
from ombuds.conversations.models import (
    Case,
    Channel,
    Delivery,
    DeliveryStatus,
    Message,
    MessageKind,
)
from ombuds.core.models import Workspace
from ombuds.demo import DEMO_PASSWORD, load_demo
from ombuds.intake.models import InboundMessage, InboundStatus
from ombuds.marketplace.models import IdentityKind

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield load_demo()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def resale(demo, db):
    return Workspace.objects.get(slug="resale")


FED = (
    Channel.EMAIL,
    Channel.WHATSAPP,
    Channel.MESSENGER,
    Channel.TELEGRAM,
    Channel.X,
    Channel.PHONE,
    Channel.CHAT,
)


def fed(resale, channel):
    """Cases opened by a payload of this channel that the intake took in."""
    return Case.objects.filter(
        workspace=resale,
        pk__in=InboundMessage.objects.filter(
            workspace=resale, channel=channel, status=InboundStatus.PROCESSED
        ).values("case_id"),
    )


def opened_on(cases):
    """The channels of these cases' first messages."""
    first = Message.objects.filter(case=OuterRef("pk")).order_by("created_at", "pk")
    return set(
        cases.annotate(first=Subquery(first.values("channel")[:1])).values_list("first", flat=True)
    )


def stored(resale, words: bytes):
    """The one email payload holding these words."""
    (found,) = [
        row
        for row in InboundMessage.objects.filter(workspace=resale, channel=Channel.EMAIL)
        if words in bytes(row.raw)
    ]
    return found


def form_case(resale):
    return Case.objects.get(workspace=resale, messages__body_text__contains="sold-out concert")


def test_every_channel_has_a_case_that_began_there(resale):
    for channel in FED:
        assert channel in opened_on(fed(resale, channel)), channel
    assert opened_on(Case.objects.filter(pk=form_case(resale).pk)) == {Channel.WEB}
    called = Message.objects.filter(workspace=resale, kind=MessageKind.CALL)
    assert called.filter(meta__call__logged_by_hand=True).exists()
    assert called.filter(meta__call__duration_seconds=187).exists()  # Twilio's record


def test_the_x_mention_is_public_and_escalated(resale):
    mention = fed(resale, Channel.X).get(messages__body_text__contains="scam site")
    assert mention.priority in ("high", "urgent")  # urgent once the escalation rules ran
    assert mention.tags.filter(name="public-post").exists()
    assert mention.messages.get(body_text__contains="scam site").meta["public"] is True


def test_the_email_with_files_keeps_attachment_and_inline_image(resale):
    message = Message.objects.get(workspace=resale, body_text__contains="row 31")
    names = set(message.attachments.values_list("filename", flat=True))
    assert {"receipt.pdf", "listing.png"} <= names


def test_the_auto_reply_opened_no_case(resale):
    auto = stored(resale, b"out of the office")
    assert auto.status == InboundStatus.IGNORED, (auto.status, auto.outcome, auto.error)
    assert auto.case_id is None


def test_the_threaded_reply_joined_the_case_it_answers(resale):
    reply = Message.objects.get(workspace=resale, body_text__startswith="Thanks for getting back")
    assert reply.case.channel == Channel.EMAIL
    assert reply.case.messages.filter(kind=MessageKind.OUTBOUND).exists()
    assert opened_on(Case.objects.filter(pk=reply.case_id)) != {None}
    assert reply.case.messages.order_by("created_at", "pk").first().pk != reply.pk


def test_the_bounce_failed_a_desk_reply(resale):
    bounce = stored(resale, b"Undelivered Mail")
    assert (bounce.status, bounce.outcome) == (InboundStatus.IGNORED, "bounce"), bounce.error
    assert Delivery.objects.filter(workspace=resale, status=DeliveryStatus.FAILED).exists()


def test_nothing_the_feed_sent_waits_in_the_outbox(resale):
    assert not Delivery.objects.filter(workspace=resale, status=DeliveryStatus.QUEUED).exists()


def test_one_buyer_writes_by_email_and_on_whatsapp(resale):
    whatsapp = fed(resale, Channel.WHATSAPP).get()
    buyer = whatsapp.requester
    kinds = set(buyer.identities.values_list("kind", flat=True))
    assert {IdentityKind.EMAIL, IdentityKind.PHONE} <= kinds
    assert fed(resale, Channel.EMAIL).filter(requester=buyer).exists()


def test_the_inbox_lists_the_fed_cases(client, resale):
    agent = User.objects.get(email="emma@demo.ombuds.test")
    answer = client.post("/login/", {"username": agent.email, "password": DEMO_PASSWORD})
    assert answer.status_code == 302
    for channel in (*FED, Channel.WEB):
        cases = fed(resale, channel) if channel != Channel.WEB else [form_case(resale)]
        page = client.get(f"/w/resale/inbox/?channel={channel}")
        assert page.status_code == 200
        shown = page.content.decode()
        assert any(case.reference in shown for case in cases), channel
