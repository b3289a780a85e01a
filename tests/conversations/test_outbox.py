"""The outbox delivers every reply once, retries what failed for a while, and shows on the
case what failed for good."""

import pytest
from django.core import mail
from django.utils import timezone

from ombuds.conversations.models import Delivery
from ombuds.conversations.services import reply_to_customer
from ombuds.conversations.tasks import MAX_ATTEMPTS, drain_outbox
from ombuds.core import transports
from ombuds.core.transports import PermanentFailure
from tests import builders


@pytest.fixture
def reply(workspace, agent, buyer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case = builders.case(workspace, requester=buyer, subject="Tickets missing")
    return reply_to_customer(case=case, author=agent, body="They are on their way.")


def test_a_reply_is_mailed_once_with_its_case_reference(reply):
    # The test's transaction never commits, so the worker's wake-up has not fired yet.
    assert drain_outbox() == 1
    assert drain_outbox() == 0
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["bram@example.com"]
    assert sent.subject == "Re: Tickets missing [RES-1]"
    assert "They are on their way." in sent.body
    delivery = Delivery.objects.get(message=reply)
    assert delivery.status == "sent" and delivery.provider_id == sent.extra_headers["Message-ID"]


def test_a_transient_failure_backs_off_and_then_gives_up(reply, monkeypatch):
    calls = []

    def flaky(delivery):
        calls.append(delivery.pk)
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setitem(transports._TRANSPORTS, "email", flaky)
    delivery = Delivery.objects.get(message=reply)
    Delivery.objects.filter(pk=delivery.pk).update(
        status="queued", attempts=0, next_attempt_at=timezone.now()
    )
    drain_outbox()
    delivery.refresh_from_db()
    assert delivery.status == "queued" and delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()
    assert "smtp down" in delivery.last_error

    for _ in range(MAX_ATTEMPTS):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        drain_outbox()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == MAX_ATTEMPTS
    assert reply.case.events.filter(kind="delivery.failed").count() == 1


def test_a_permanent_failure_shows_on_the_case_at_once(reply, monkeypatch):
    def bounce(delivery):
        raise PermanentFailure("550 mailbox unknown")

    monkeypatch.setitem(transports._TRANSPORTS, "email", bounce)
    Delivery.objects.filter(message=reply).update(status="queued", next_attempt_at=timezone.now())
    drain_outbox()
    delivery = Delivery.objects.get(message=reply)
    assert delivery.status == "failed" and delivery.attempts == 1
    event = reply.case.events.get(kind="delivery.failed")
    assert event.data["error"] == "550 mailbox unknown"
