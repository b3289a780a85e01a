"""Messenger: page events split and routed by page id, attachments fetched from their
payload URLs, delivery and read receipts by mid and watermark, replies through the Send
API."""

from __future__ import annotations

import json

import pytest
from werkzeug import Response

from ombuds.conversations.attachments import IncomingFile
from ombuds.conversations.models import Attachment, Delivery, DeliveryStatus, Message
from ombuds.conversations.services import reply_to_customer
from ombuds.conversations.tasks import drain_outbox
from ombuds.intake.models import InboundMessage
from ombuds.intake.social.messenger import OUTSIDE_WINDOW_TEXT

from . import documented as doc
from .platforms import post_signed, webhook_path

MID = "m_toDnmD9fHSYrySW8-_JjBOm0wjFYfrrYSnnprKLCVYR4KeMlfBTN1ok6vbsmEoYsiZDmpmhHvO6xsMnq8Rj6lw"
ENDPOINT = "/v26.0/me/messages"
AUTH = {"Authorization": "Bearer messenger-access-token"}


@pytest.fixture
def messenger_case(deliver, messenger_account):
    deliver(messenger_account, doc.messenger_webhook(doc.ms_text(MID, "Is my parcel lost?")))
    return Message.objects.get(external_id=MID).case


def test_the_endpoint_check_and_the_signature(client, messenger_account):
    path = webhook_path(messenger_account)
    check = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "CHALLENGE"}
    assert client.get(path, check).content == b"CHALLENGE"
    payload = doc.messenger_webhook(doc.ms_text(MID, "hi"))
    assert post_signed(client, messenger_account, payload, headers={}).status_code == 401
    assert post_signed(client, messenger_account, payload, secret="wrong").status_code == 403
    assert not InboundMessage.objects.exists()


def test_a_message_becomes_a_case_of_the_page_scoped_sender(messenger_case, workspace):
    message = messenger_case.messages.get()
    assert (messenger_case.channel, messenger_case.workspace) == ("messenger", workspace)
    assert message.body_text == "Is my parcel lost?"
    assert message.meta["psid"] == doc.PSID
    assert messenger_case.requester.identities.get().value == f"messenger:{doc.PSID}"


def test_the_same_event_delivered_twice_is_one_message(deliver, messenger_account):
    payload = doc.messenger_webhook(doc.ms_text(MID, "hello"))
    deliver(messenger_account, payload)
    deliver(messenger_account, payload)
    assert InboundMessage.objects.count() == 1
    assert Message.objects.count() == 1


def test_an_echo_of_the_pages_own_message_opens_no_case(deliver, messenger_account):
    echo = {
        "sender": {"id": doc.PAGE_ID},
        "recipient": {"id": doc.PSID},
        "timestamp": 1583173666767,
        "message": {"mid": "m_echo", "is_echo": True, "app_id": 1517776481860111, "text": "Hi!"},
    }
    deliver(messenger_account, doc.messenger_webhook(echo))
    assert InboundMessage.objects.get().outcome == "own_message"
    assert not Message.objects.exists()


def test_an_image_attachment_is_fetched_from_its_url(deliver, api, messenger_account):
    png = b"\x89PNG\r\n\x1a\n" + b"pixels" * 50
    api.expect_request("/scontent/v/t1.15752-9/receipt.png", method="GET").respond_with_data(
        png, content_type="image/png"
    )
    attachment = {
        "type": "image",
        "payload": {"url": api.url_for("/scontent/v/t1.15752-9/receipt.png") + "?_nc_cat=1&oh=abc"},
    }
    deliver(
        messenger_account, doc.messenger_webhook(doc.ms_text("m_img", "", attachments=[attachment]))
    )
    message = Message.objects.get()
    assert message.body_text == "(photo)"
    stored = Attachment.objects.get(message=message)
    assert (stored.filename, stored.content_type, stored.size) == (
        "receipt.png",
        "image/png",
        len(png),
    )


def test_a_shared_location_is_text_and_meta(deliver, messenger_account):
    attachment = {
        "title": "Centraal Station",
        "type": "location",
        "payload": {"coordinates": {"lat": 52.3791, "long": 4.9003}},
    }
    deliver(
        messenger_account, doc.messenger_webhook(doc.ms_text("m_loc", "", attachments=[attachment]))
    )
    message = Message.objects.get()
    assert message.body_text == "Location: Centraal Station (52.3791, 4.9003)"
    assert message.meta["location"]["latitude"] == 52.3791


def test_a_button_postback_is_text(deliver, messenger_account):
    postback = {
        "sender": {"id": doc.PSID},
        "recipient": {"id": doc.PAGE_ID},
        "timestamp": 1527459824,
        "postback": {"mid": "m_postback", "title": "Talk to a person", "payload": "HUMAN"},
    }
    deliver(messenger_account, doc.messenger_webhook(postback))
    message = Message.objects.get()
    assert (message.body_text, message.meta["reply_id"]) == ("Talk to a person", "HUMAN")


def test_a_reply_is_sent_through_the_send_api_and_its_mid_recorded(api, messenger_case, agent):
    api.expect_oneshot_request(
        ENDPOINT,
        method="POST",
        headers=AUTH,
        json={
            "recipient": {"id": doc.PSID},
            "messaging_type": "RESPONSE",
            "message": {"text": "We are looking into it."},
        },
    ).respond_with_json({"recipient_id": doc.PSID, "message_id": "m_reply_1"})
    message = reply_to_customer(case=messenger_case, author=agent, body="We are looking into it.")
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    message.refresh_from_db()
    assert (delivery.status, delivery.recipient, delivery.provider_id) == (
        "sent",
        doc.PSID,
        "m_reply_1",
    )
    assert message.external_id == "m_reply_1"


def test_delivery_and_read_receipts_tick_the_replies(
    api, deliver, messenger_account, messenger_case, agent
):
    api.expect_request(ENDPOINT).respond_with_json(
        {"recipient_id": doc.PSID, "message_id": "m_reply_1"}
    )
    reply_to_customer(case=messenger_case, author=agent, body="Found it.")
    drain_outbox()
    delivery = Delivery.objects.get()
    deliver(messenger_account, doc.messenger_webhook(doc.ms_delivery(["m_reply_1"], 1458668856253)))
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.read_at is None

    watermark = int(delivery.sent_at.timestamp() * 1000) + 1000
    deliver(messenger_account, doc.messenger_webhook(doc.ms_read(watermark)))
    delivery.refresh_from_db()
    assert delivery.read_at is not None
    assert set(
        InboundMessage.objects.exclude(external_id=MID).values_list("outcome", flat=True)
    ) == {"status"}


def test_a_read_watermark_before_the_reply_was_sent_leaves_it_unread(
    api, deliver, messenger_account, messenger_case, agent
):
    api.expect_request(ENDPOINT).respond_with_json(
        {"recipient_id": doc.PSID, "message_id": "m_reply_1"}
    )
    reply_to_customer(case=messenger_case, author=agent, body="Found it.")
    drain_outbox()
    delivery = Delivery.objects.get()
    before = int(delivery.sent_at.timestamp() * 1000) - 60_000
    deliver(messenger_account, doc.messenger_webhook(doc.ms_read(before)))
    delivery.refresh_from_db()
    assert delivery.read_at is None


def test_outside_the_window_the_reply_fails_for_good(api, messenger_case, agent):
    api.expect_request(ENDPOINT).respond_with_json(
        doc.graph_error(10, "This message is sent outside of allowed window.", subcode=2018278),
        status=400,
    )
    message = reply_to_customer(case=messenger_case, author=agent, body="Late answer")
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, OUTSIDE_WINDOW_TEXT)


def test_a_temporary_send_failure_is_tried_again(api, messenger_case, agent):
    api.expect_request(ENDPOINT).respond_with_json(
        doc.graph_error(1200, "Temporary send message failure. Please try again later"), status=500
    )
    message = reply_to_customer(case=messenger_case, author=agent, body="Hello")
    drain_outbox()
    assert Delivery.objects.get(message=message).status == DeliveryStatus.QUEUED


def test_an_attached_file_is_uploaded_with_the_message(api, messenger_case, agent):
    label = b"%PDF-1.4 return label"

    def upload(request):
        assert request.headers["Authorization"] == AUTH["Authorization"]
        assert json.loads(request.form["recipient"]) == {"id": doc.PSID}
        assert request.form["messaging_type"] == "RESPONSE"
        assert json.loads(request.form["message"]) == {
            "attachment": {"type": "file", "payload": {"is_reusable": False}}
        }
        assert request.files["filedata"].read() == label
        return Response(
            json.dumps(
                {
                    "recipient_id": doc.PSID,
                    "message_id": "m_file",
                    "attachment_id": "1857777774821032",
                }
            ),
            content_type="application/json",
        )

    api.expect_oneshot_request(
        ENDPOINT,
        json={
            "recipient": {"id": doc.PSID},
            "messaging_type": "RESPONSE",
            "message": {"text": "Your label."},
        },
    ).respond_with_json({"recipient_id": doc.PSID, "message_id": "m_text"})
    api.expect_oneshot_request(ENDPOINT, method="POST").respond_with_handler(upload)
    message = reply_to_customer(
        case=messenger_case,
        author=agent,
        body="Your label.",
        files=[IncomingFile("label.pdf", "application/pdf", label)],
    )
    drain_outbox()
    assert Delivery.objects.get(message=message).provider_id == "m_text"


COMMENT = "2200000001_3300000001"


@pytest.fixture
def comment_case(deliver, messenger_account):
    deliver(messenger_account, doc.page_comment(COMMENT, "Your shop sold me fake tickets!"))
    return Message.objects.get(external_id=f"comment:{COMMENT}").case


def test_a_visitors_comment_on_the_page_is_an_escalated_public_case(comment_case):
    assert comment_case.is_public_post
    assert comment_case.priority == "high"
    assert list(comment_case.tags.values_list("name", flat=True)) == ["public-post"]
    message = comment_case.messages.get()
    assert message.meta["public_url"] == f"https://www.facebook.com/{doc.PAGE_ID}/posts/2200000001"
    assert comment_case.requester.name == "Jane Doe"
    assert comment_case.requester.identities.get().value == "facebook:10160912345"


def test_the_pages_own_comment_opens_no_case(deliver, messenger_account):
    deliver(messenger_account, doc.page_comment("2200000001_1", "Thanks!", author_id=doc.PAGE_ID))
    assert InboundMessage.objects.get().outcome == "own_post"
    assert not Message.objects.exists()


def test_a_public_reply_comments_on_the_customers_comment_and_threads_back(
    api, deliver, messenger_account, comment_case, agent
):
    api.expect_oneshot_request(
        f"/v26.0/{COMMENT}/comments",
        method="POST",
        headers=AUTH,
        json={"message": "We are sorry! We sent you a private message."},
    ).respond_with_json({"id": "2200000001_3300000002"})
    message = reply_to_customer(
        case=comment_case,
        author=agent,
        body="We are sorry! We sent you a private message.",
        meta={"visibility": "public"},
    )
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    assert (delivery.status, delivery.provider_id) == ("sent", "comment:2200000001_3300000002")
    deliver(
        messenger_account,
        doc.page_comment(
            "2200000001_3300000003", "Nothing arrived", parent_id="2200000001_3300000002"
        ),
    )
    answer = Message.objects.get(external_id="comment:2200000001_3300000003")
    assert answer.case_id == comment_case.pk
    assert answer.reply_to_id == message.pk


def test_a_private_reply_reaches_the_commenters_inbox(api, comment_case, agent):
    api.expect_oneshot_request(
        ENDPOINT,
        method="POST",
        headers=AUTH,
        json={
            "recipient": {"comment_id": COMMENT},
            "messaging_type": "RESPONSE",
            "message": {"text": "Could you send us your order number?"},
        },
    ).respond_with_json({"recipient_id": doc.PSID, "message_id": "m_private"})
    message = reply_to_customer(
        case=comment_case,
        author=agent,
        body="Could you send us your order number?",
        meta={"visibility": "private"},
    )
    drain_outbox()
    assert Delivery.objects.get(message=message).provider_id == "m_private"
