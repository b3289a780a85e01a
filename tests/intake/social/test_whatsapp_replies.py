"""Replies on a WhatsApp case go through the Cloud API as documented, their wamid is
recorded, refusals are sorted into permanent and passing, and statuses come back onto
the delivery as ticks."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from werkzeug import Response

from ombuds.conversations.attachments import IncomingFile
from ombuds.conversations.models import Delivery, DeliveryStatus, Message
from ombuds.conversations.services import reply_to_customer
from ombuds.conversations.tasks import drain_outbox
from ombuds.intake.models import ChannelAccount, InboundMessage, InboundStatus
from ombuds.intake.social import http
from ombuds.intake.social.whatsapp import WINDOW_CLOSED_TEXT

from . import documented as doc

CUSTOMER_WAMID = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
REPLY_WAMID = "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA"
ENDPOINT = f"/v26.0/{doc.PHONE_NUMBER_ID}/messages"
AUTH = {"Authorization": "Bearer whatsapp-access-token"}


@pytest.fixture
def whatsapp_case(deliver, whatsapp_account):
    deliver(
        whatsapp_account,
        doc.whatsapp_webhook(
            doc.whatsapp_value(messages=[doc.wa_text(CUSTOMER_WAMID, "Where are my tickets?")])
        ),
    )
    return Message.objects.get(external_id=CUSTOMER_WAMID).case


def text_body(text: str, *, context: str | None = CUSTOMER_WAMID) -> dict:
    body = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": doc.WA_ID,
        "type": "text",
        "text": {"preview_url": False, "body": text},
    }
    if context:
        body["context"] = {"message_id": context}
    return body


def reply(case, agent, text="They are on their way.", **extra) -> Message:
    return reply_to_customer(case=case, author=agent, body=text, **extra)


def due_again(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_a_reply_is_sent_answering_the_customers_message_and_its_wamid_recorded(
    api, whatsapp_case, agent
):
    api.expect_oneshot_request(
        ENDPOINT, method="POST", headers=AUTH, json=text_body("They are on their way.")
    ).respond_with_json(doc.wa_send_answer(REPLY_WAMID))
    message = reply(whatsapp_case, agent)
    delivery = Delivery.objects.get(message=message)
    assert (delivery.channel, delivery.recipient) == ("whatsapp", doc.WA_ID)

    assert drain_outbox() == 1
    delivery.refresh_from_db()
    message.refresh_from_db()
    assert (delivery.status, delivery.provider_id) == (DeliveryStatus.SENT, REPLY_WAMID)
    assert message.external_id == REPLY_WAMID


def test_a_second_reply_continues_without_quoting_again(api, whatsapp_case, agent):
    api.expect_oneshot_request(ENDPOINT, json=text_body("First.")).respond_with_json(
        doc.wa_send_answer("wamid.1")
    )
    api.expect_oneshot_request(ENDPOINT, json=text_body("Second.", context=None)).respond_with_json(
        doc.wa_send_answer("wamid.2")
    )
    reply(whatsapp_case, agent, "First.")
    drain_outbox()
    reply(whatsapp_case, agent, "Second.")
    drain_outbox()
    assert list(Delivery.objects.order_by("pk").values_list("provider_id", flat=True)) == [
        "wamid.1",
        "wamid.2",
    ]


def test_the_customers_answer_to_our_reply_threads_back_by_its_context(
    api, deliver, whatsapp_account, whatsapp_case, agent
):
    api.expect_request(ENDPOINT).respond_with_json(doc.wa_send_answer(REPLY_WAMID))
    reply(whatsapp_case, agent)
    drain_outbox()
    deliver(
        whatsapp_account,
        doc.whatsapp_webhook(
            doc.whatsapp_value(
                messages=[doc.wa_text("wamid.ANS", "Thanks!", context_id=REPLY_WAMID)]
            )
        ),
    )
    answer = Message.objects.get(external_id="wamid.ANS")
    assert answer.case_id == whatsapp_case.pk
    assert answer.reply_to.external_id == REPLY_WAMID


def test_delivered_and_read_statuses_tick_the_delivery(
    api, deliver, whatsapp_account, whatsapp_case, agent
):
    api.expect_request(ENDPOINT).respond_with_json(doc.wa_send_answer(REPLY_WAMID))
    reply(whatsapp_case, agent)
    drain_outbox()
    deliver(
        whatsapp_account,
        doc.whatsapp_webhook(doc.whatsapp_value(statuses=[doc.wa_status(REPLY_WAMID, "sent")])),
    )
    deliver(
        whatsapp_account,
        doc.whatsapp_webhook(
            doc.whatsapp_value(
                statuses=[doc.wa_status(REPLY_WAMID, "delivered", timestamp="1750263780")]
            )
        ),
    )
    delivery = Delivery.objects.get()
    assert delivery.delivered_at.timestamp() == 1750263780 and delivery.read_at is None

    read = doc.whatsapp_webhook(
        doc.whatsapp_value(statuses=[doc.wa_status(REPLY_WAMID, "read", timestamp="1750263900")])
    )
    deliver(whatsapp_account, read)
    deliver(whatsapp_account, read)  # a repeated status changes nothing
    delivery.refresh_from_db()
    assert delivery.read_at.timestamp() == 1750263900
    assert delivery.delivered_at.timestamp() == 1750263780
    assert InboundMessage.objects.filter(outcome="status").count() == 3
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {
        InboundStatus.IGNORED,
        InboundStatus.PROCESSED,
    }
    assert Message.objects.count() == 2  # statuses open no case and add no message


def test_a_read_status_that_overtakes_delivered_sets_both(
    api, deliver, whatsapp_account, whatsapp_case, agent
):
    api.expect_request(ENDPOINT).respond_with_json(doc.wa_send_answer(REPLY_WAMID))
    reply(whatsapp_case, agent)
    drain_outbox()
    deliver(
        whatsapp_account,
        doc.whatsapp_webhook(doc.whatsapp_value(statuses=[doc.wa_status(REPLY_WAMID, "read")])),
    )
    delivery = Delivery.objects.get()
    assert delivery.read_at is not None
    assert delivery.delivered_at == delivery.read_at


def test_a_failed_status_outside_the_window_fails_the_delivery_on_the_case(
    api, deliver, whatsapp_account, whatsapp_case, agent
):
    api.expect_request(ENDPOINT).respond_with_json(doc.wa_send_answer(REPLY_WAMID))
    reply(whatsapp_case, agent)
    drain_outbox()
    failed = doc.wa_status(REPLY_WAMID, "failed", errors=[doc.WA_REENGAGEMENT_ERROR])
    deliver(whatsapp_account, doc.whatsapp_webhook(doc.whatsapp_value(statuses=[failed])))
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == WINDOW_CLOSED_TEXT
    event = whatsapp_case.events.get(kind="delivery.failed")
    assert event.data["error"] == WINDOW_CLOSED_TEXT


def test_a_status_about_a_message_that_is_not_ours_is_left_aside(
    deliver, whatsapp_account, whatsapp_case
):
    deliver(
        whatsapp_account,
        doc.whatsapp_webhook(
            doc.whatsapp_value(statuses=[doc.wa_status("wamid.ELSEWHERE", "read")])
        ),
    )
    stored = InboundMessage.objects.get(external_id="wamid.ELSEWHERE:read")
    assert (stored.status, stored.outcome) == (InboundStatus.IGNORED, "status")


def test_a_status_racing_the_send_is_kept_for_later(
    deliver, whatsapp_account, whatsapp_case, agent
):
    """The status of a reply whose send has not saved its wamid yet stays pending
    (the delivery to that number is still queued) and is tried again."""
    reply(whatsapp_case, agent)
    deliver(
        whatsapp_account,
        doc.whatsapp_webhook(
            doc.whatsapp_value(statuses=[doc.wa_status(REPLY_WAMID, "delivered")])
        ),
    )
    stored = InboundMessage.objects.get(external_id=f"{REPLY_WAMID}:delivered")
    assert stored.status == InboundStatus.PENDING
    assert "ReceiptBeforeSend" in stored.error


def test_outside_the_window_a_reply_fails_for_good_saying_why(api, whatsapp_case, agent):
    api.expect_request(ENDPOINT).respond_with_json(
        doc.graph_error(131047, "Re-engagement message", details="more than 24 hours have passed"),
        status=400,
    )
    message = reply(whatsapp_case, agent)
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert delivery.last_error == WINDOW_CLOSED_TEXT
    assert whatsapp_case.events.get(kind="delivery.failed").data["error"] == WINDOW_CLOSED_TEXT


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (400, doc.graph_error(130429, "Rate limit hit")),
        (429, doc.graph_error(4, "Application request limit reached")),
        (500, doc.graph_error(131000, "Something went wrong")),
        (503, {}),
    ],
)
def test_rate_limits_and_server_errors_are_tried_again(api, whatsapp_case, agent, status, answer):
    api.expect_oneshot_request(ENDPOINT).respond_with_json(answer, status=status)
    message = reply(whatsapp_case, agent)
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert delivery.next_attempt_at > timezone.now()
    assert not whatsapp_case.events.filter(kind="delivery.failed").exists()

    api.expect_oneshot_request(ENDPOINT).respond_with_json(doc.wa_send_answer(REPLY_WAMID))
    due_again(delivery)
    drain_outbox()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.provider_id) == (DeliveryStatus.SENT, REPLY_WAMID)


@pytest.mark.parametrize(
    "answer",
    [
        doc.graph_error(100, "Invalid parameter"),
        doc.graph_error(131026, "Message undeliverable"),
        doc.graph_error(190, "Invalid OAuth access token"),
    ],
)
def test_documented_permanent_refusals_fail_at_once(api, whatsapp_case, agent, answer):
    api.expect_request(ENDPOINT).respond_with_json(answer, status=400)
    message = reply(whatsapp_case, agent)
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    assert delivery.status == DeliveryStatus.FAILED
    assert f"error {answer['error']['code']}" in delivery.last_error


def test_a_platform_that_does_not_answer_in_time_is_tried_again(
    api, whatsapp_case, agent, monkeypatch
):
    monkeypatch.setattr(http, "TIMEOUT", http.httpx.Timeout(0.3, connect=0.3))

    answered = threading.Event()

    def slow(request):
        time.sleep(1)
        answered.set()
        return Response("{}", content_type="application/json")

    api.expect_request(ENDPOINT).respond_with_handler(slow)
    message = reply(whatsapp_case, agent)
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert delivery.last_error == "WhatsApp did not answer in time"
    answered.wait(5)  # let the server finish, so the next test's log starts empty


def test_a_long_reply_goes_in_pieces_and_a_retry_sends_only_what_is_missing(
    api, whatsapp_case, agent
):
    text = ("word " * 600).strip() + "\n\n" + ("more " * 300).strip()
    first, second = text[: text.index("\n\n")], text[text.index("\n\n") + 2 :]
    assert len(text) > 4096
    api.expect_oneshot_request(ENDPOINT, json=text_body(first)).respond_with_json(
        doc.wa_send_answer("wamid.P1")
    )
    api.expect_oneshot_request(ENDPOINT, json=text_body(second, context=None)).respond_with_json(
        {}, status=503
    )
    message = reply(whatsapp_case, agent, text)
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    assert delivery.status == DeliveryStatus.QUEUED

    api.expect_oneshot_request(ENDPOINT, json=text_body(second, context=None)).respond_with_json(
        doc.wa_send_answer("wamid.P2")
    )
    due_again(delivery)
    drain_outbox()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.provider_id) == (DeliveryStatus.SENT, "wamid.P1")
    bodies = [r.get_json()["text"]["body"] for r, _ in api.log if r.path == ENDPOINT]
    assert (bodies.count(first), bodies.count(second)) == (1, 2)


def test_an_attached_file_is_uploaded_and_sent_as_a_document(api, whatsapp_case, agent):
    pdf = b"%PDF-1.7 refund confirmation"

    def upload(request):
        assert request.headers["Authorization"] == AUTH["Authorization"]
        assert request.form["messaging_product"] == "whatsapp"
        assert request.form["type"] == "application/pdf"
        sent = request.files["file"]
        assert (sent.filename, sent.read()) == ("refund.pdf", pdf)
        return Response('{"id": "4490709327384033"}', content_type="application/json")

    api.expect_oneshot_request(
        ENDPOINT, json=text_body("Your refund confirmation.")
    ).respond_with_json(doc.wa_send_answer("wamid.T"))
    api.expect_oneshot_request(
        f"/v26.0/{doc.PHONE_NUMBER_ID}/media", method="POST"
    ).respond_with_handler(upload)
    api.expect_oneshot_request(
        ENDPOINT,
        json={
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": doc.WA_ID,
            "type": "document",
            "document": {"id": "4490709327384033", "filename": "refund.pdf"},
        },
    ).respond_with_json(doc.wa_send_answer("wamid.D"))
    message = reply(
        whatsapp_case,
        agent,
        "Your refund confirmation.",
        files=[IncomingFile("refund.pdf", "application/pdf", pdf)],
    )
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    assert (delivery.status, delivery.provider_id) == (DeliveryStatus.SENT, "wamid.T")


def test_the_reply_goes_to_the_number_the_customer_wrote_from(whatsapp_case):
    from ombuds.conversations.services import reply_route

    assert reply_route(whatsapp_case) == ("whatsapp", doc.WA_ID)


def test_an_hour_old_conversation_is_still_in_the_window(whatsapp_case):
    from ombuds.intake.social.whatsapp import service_window_closes

    closes = service_window_closes(whatsapp_case)
    assert closes - timezone.now() > timedelta(hours=23)


def test_a_reply_through_a_disconnected_number_fails_saying_so(
    api, whatsapp_case, whatsapp_account, agent
):
    ChannelAccount.objects.filter(pk=whatsapp_account.pk).update(is_active=False)
    message = reply(whatsapp_case, agent)
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("No connected WhatsApp account")
    assert api.log == []
