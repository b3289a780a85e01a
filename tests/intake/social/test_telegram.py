"""Telegram: the bot's secret token, one row per update (per bot), messages, edits and
button presses, files through getFile, replies through sendMessage."""

from __future__ import annotations

import pytest
from werkzeug import Response

from ombuds.conversations.attachments import IncomingFile
from ombuds.conversations.models import Delivery, DeliveryStatus, Message
from ombuds.conversations.services import reply_to_customer
from ombuds.conversations.tasks import drain_outbox
from ombuds.intake.models import InboundMessage
from ombuds.intake.social.telegram import BLOCKED_TEXT, register_webhook

from . import documented as doc
from .platforms import post_signed

BOT = f"/bot{doc.BOT_TOKEN}"


@pytest.fixture
def telegram_case(deliver, telegram_account):
    deliver(telegram_account, doc.tg_message(10000, 1365, "My hotel booking is missing"))
    return Message.objects.get().case


def test_the_bot_id_comes_from_its_token(telegram_account):
    assert telegram_account.account_id == doc.BOT_ID


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_an_update_without_the_secret_token_is_refused(client, telegram_account, token):
    headers = {} if token is None else {"X-Telegram-Bot-Api-Secret-Token": token}
    response = post_signed(client, telegram_account, doc.tg_message(1, 1, "hi"), headers=headers)
    assert response.status_code == (401 if token is None else 403)
    assert not InboundMessage.objects.exists()


def test_a_message_becomes_a_case_with_the_senders_name_and_username(telegram_case, workspace):
    message = telegram_case.messages.get()
    assert message.body_text == "My hotel booking is missing"
    assert message.external_id == "1111111:1365"
    assert message.meta["username"] == "Testusername"
    assert telegram_case.requester.name == "Test Lastname"
    assert telegram_case.requester.identities.get().value == "telegram:1111111"
    stored = InboundMessage.objects.get()
    assert stored.external_id == f"{doc.BOT_ID}:10000"


def test_the_same_update_twice_is_one_message(deliver, telegram_account):
    update = doc.tg_message(10001, 1, "Hello")
    deliver(telegram_account, update)
    deliver(telegram_account, update)
    assert Message.objects.count() == 1


def test_opening_the_chat_opens_no_case(deliver, telegram_account):
    deliver(telegram_account, doc.tg_message(10002, 1, "/start"))
    assert InboundMessage.objects.get().outcome == "command"


def test_an_edit_a_reply_and_a_button_press_join_the_conversation(
    deliver, telegram_account, telegram_case
):
    edited = doc.tg_message(
        10003, 1365, "My hotel booking AND my tickets are missing", edit_date=1441645600
    )
    edited["edited_message"] = edited.pop("message")
    deliver(telegram_account, edited)
    reply = doc.tg_message(
        10004,
        1366,
        "Any news?",
        reply_to_message={
            "message_id": 1365,
            "date": 1441645532,
            "chat": {"id": 1111111, "type": "private"},
        },
    )
    deliver(telegram_account, reply)
    button = {
        "update_id": 10005,
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": doc.tg_user(),
            "message": {
                "message_id": 1400,
                "chat": {"id": 1111111, "type": "private"},
                "date": 1441645700,
                "text": "Solved?",
            },
            "chat_instance": "-1234",
            "data": "yes-solved",
        },
    }
    deliver(telegram_account, button)
    texts = list(telegram_case.messages.order_by("pk").values_list("body_text", "meta__edited"))
    assert texts == [
        ("My hotel booking is missing", None),
        ("(edited) My hotel booking AND my tickets are missing", True),
        ("Any news?", None),
        ("yes-solved", None),
    ]
    assert (
        telegram_case.messages.get(external_id="1111111:1366").reply_to.external_id
        == "1111111:1365"
    )


def test_a_photo_is_fetched_through_getfile(deliver, api, telegram_account):
    jpeg = b"\xff\xd8\xff" + b"j" * 300
    api.expect_request(
        f"{BOT}/getFile", method="GET", query_string={"file_id": "AgACAgQAAxkBAAIBxL"}
    ).respond_with_json(
        {
            "ok": True,
            "result": {
                "file_id": "AgACAgQAAxkBAAIBxL",
                "file_unique_id": "AQADx",
                "file_size": len(jpeg),
                "file_path": "photos/file_0.jpg",
            },
        }
    )
    api.expect_request(f"/file{BOT}/photos/file_0.jpg").respond_with_data(
        jpeg, content_type="image/jpeg"
    )
    photo = [
        {"file_id": "small", "file_unique_id": "s", "file_size": 1200, "width": 90, "height": 67},
        {
            "file_id": "AgACAgQAAxkBAAIBxL",
            "file_unique_id": "AQADx",
            "file_size": len(jpeg) + 5000,
            "width": 1280,
            "height": 960,
        },
    ]
    deliver(telegram_account, doc.tg_message(10006, 1500, photo=photo, caption="The broken seal"))
    message = Message.objects.get()
    assert message.body_text == "The broken seal"
    attachment = message.attachments.get()
    assert (attachment.filename, attachment.size) == ("photo.jpg", len(jpeg))


def test_a_file_telegram_will_not_hand_over_is_noted(deliver, api, telegram_account):
    api.expect_request(f"{BOT}/getFile").respond_with_json(
        {"ok": False, "error_code": 400, "description": "Bad Request: file is too big"}, status=400
    )
    document = {
        "file_id": "BQAC",
        "file_unique_id": "AgAD",
        "file_name": "video.mov",
        "mime_type": "video/quicktime",
    }
    deliver(telegram_account, doc.tg_message(10007, 1501, document=document))
    assert Message.objects.get().body_text.startswith("[document not kept: ")


def test_a_venue_and_a_contact_are_text(deliver, telegram_account):
    venue = {
        "location": {"latitude": 52.3676, "longitude": 4.9041},
        "title": "Hotel Aurora",
        "address": "Damrak 1, Amsterdam",
    }
    deliver(telegram_account, doc.tg_message(10008, 1502, venue=venue, location=venue["location"]))
    deliver(
        telegram_account,
        doc.tg_message(
            10009,
            1503,
            contact={"phone_number": "+31612345678", "first_name": "Hotel", "last_name": "Desk"},
        ),
    )
    texts = list(Message.objects.order_by("pk").values_list("body_text", flat=True))
    assert texts == [
        "Location: Hotel Aurora, Damrak 1, Amsterdam (52.3676, 4.9041)",
        "Shared contact: Hotel Desk, +31612345678",
    ]


def test_a_reply_goes_with_sendmessage_answering_the_customers_message(api, telegram_case, agent):
    api.expect_oneshot_request(
        f"{BOT}/sendMessage",
        method="POST",
        json={
            "chat_id": "1111111",
            "text": "We found your booking.",
            "reply_parameters": {"message_id": 1365, "allow_sending_without_reply": True},
        },
    ).respond_with_json(doc.tg_sent(42, text="We found your booking."))
    message = reply_to_customer(case=telegram_case, author=agent, body="We found your booking.")
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    message.refresh_from_db()
    assert (delivery.status, delivery.recipient, delivery.provider_id) == (
        "sent",
        "1111111",
        "1111111:42",
    )
    assert message.external_id == "1111111:42"


def test_the_customers_answer_to_our_reply_threads_back(
    api, deliver, telegram_account, telegram_case, agent
):
    api.expect_request(f"{BOT}/sendMessage").respond_with_json(doc.tg_sent(42))
    reply_to_customer(case=telegram_case, author=agent, body="Found it")
    drain_outbox()
    deliver(
        telegram_account,
        doc.tg_message(
            10010,
            1600,
            "Great",
            reply_to_message={
                "message_id": 42,
                "date": 1,
                "chat": {"id": 1111111, "type": "private"},
            },
        ),
    )
    answer = Message.objects.get(external_id="1111111:1600")
    assert answer.reply_to.external_id == "1111111:42"


def test_a_bot_blocked_by_the_customer_fails_for_good(api, telegram_case, agent):
    api.expect_request(f"{BOT}/sendMessage").respond_with_json(
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
        status=403,
    )
    message = reply_to_customer(case=telegram_case, author=agent, body="Hello?")
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, BLOCKED_TEXT)


def test_too_many_requests_is_tried_again(api, telegram_case, agent):
    api.expect_request(f"{BOT}/sendMessage").respond_with_json(
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 5",
            "parameters": {"retry_after": 5},
        },
        status=429,
    )
    message = reply_to_customer(case=telegram_case, author=agent, body="Hello?")
    drain_outbox()
    assert Delivery.objects.get(message=message).status == DeliveryStatus.QUEUED


def test_an_attached_file_is_sent_as_a_document(api, telegram_case, agent):
    def document(request):
        assert request.form["chat_id"] == "1111111"
        assert request.files["document"].filename == "voucher.pdf"
        return Response(
            '{"ok": true, "result": {"message_id": 44, "chat": {"id": 1111111}}}',
            content_type="application/json",
        )

    api.expect_oneshot_request(f"{BOT}/sendMessage").respond_with_json(doc.tg_sent(43))
    api.expect_oneshot_request(f"{BOT}/sendDocument", method="POST").respond_with_handler(document)
    message = reply_to_customer(
        case=telegram_case,
        author=agent,
        body="Your voucher.",
        files=[IncomingFile("voucher.pdf", "application/pdf", b"%PDF voucher")],
    )
    drain_outbox()
    assert Delivery.objects.get(message=message).provider_id == "1111111:43"


def test_the_webhook_is_registered_with_the_accounts_secret(api, telegram_account):
    api.expect_oneshot_request(
        f"{BOT}/setWebhook",
        method="POST",
        json={
            "url": "https://desk.example/intake/telegram/7012345678/",
            "secret_token": "tg-secret_token-42",
            "allowed_updates": ["message", "edited_message", "callback_query"],
        },
    ).respond_with_json({"ok": True, "result": True, "description": "Webhook was set"})
    register_webhook(telegram_account, "https://desk.example/intake/telegram/7012345678/")
    assert not InboundMessage.objects.exists()
