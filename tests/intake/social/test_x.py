"""X: the CRC challenge and signatures, direct messages, public mentions opening
escalated public cases, and replies in public or by DM."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, Delivery, DeliveryStatus, Message
from ombuds.conversations.services import reply_to_customer, update_case
from ombuds.conversations.tasks import drain_outbox
from ombuds.intake.models import InboundMessage

from . import documented as doc
from .platforms import post_signed, webhook_path

AUTH = {"Authorization": "Bearer x-access-token"}


def test_the_crc_challenge_is_answered_with_the_consumer_secret(client, x_account):
    response = client.get(webhook_path(x_account), {"crc_token": "dGVzdA=="})
    expected = base64.b64encode(
        hmac.new(b"x-consumer-secret", b"dGVzdA==", hashlib.sha256).digest()
    ).decode()
    assert response.status_code == 200
    assert response.json() == {"response_token": f"sha256={expected}"}
    assert client.get(webhook_path(x_account)).status_code == 400


def test_the_crc_answer_cannot_be_used_to_sign_a_forged_event(client, x_account):
    forged = doc.body(doc.x_dm("666", "forged"))
    answer = client.get(webhook_path(x_account), {"crc_token": forged.decode()})
    assert answer.status_code == 400
    assert "response_token" not in answer.json()


@pytest.mark.parametrize(
    ("headers", "status"), [({}, 401), ({"x-twitter-webhooks-signature": "sha256=bm9wZQ=="}, 403)]
)
def test_an_unsigned_or_missigned_event_is_refused(client, x_account, headers, status):
    response = post_signed(client, x_account, doc.x_dm("1", "hi"), headers=headers)
    assert response.status_code == status
    assert not InboundMessage.objects.exists()


def test_a_direct_message_becomes_a_private_case(deliver, x_account):
    deliver(x_account, doc.x_dm("954491830116155396", "Where is my refund?"))
    message = Message.objects.get()
    case = message.case
    assert (case.channel, case.is_public_post, case.priority) == ("x", False, "normal")
    assert message.external_id == "dm:954491830116155396"
    assert message.meta["screen_name"] == "furiouscamper"
    assert case.requester.name == "Jordan Brinks"
    assert case.requester.identities.get().value == f"x:{doc.X_CUSTOMER_ID}"


def test_the_accounts_own_messages_and_posts_are_left_aside(deliver, x_account):
    deliver(
        x_account, doc.x_dm("1001", "Our answer", sender=doc.X_USER_ID, recipient=doc.X_CUSTOMER_ID)
    )
    deliver(x_account, doc.x_mention("1002", "We are on it", user_id=doc.X_USER_ID))
    assert sorted(InboundMessage.objects.values_list("outcome", flat=True)) == [
        "own_message",
        "own_post",
    ]
    assert not Case.objects.exists()


def test_a_public_mention_opens_an_escalated_public_case(deliver, x_account):
    deliver(x_account, doc.x_mention("1050118621198921728", "@resalehelp your checkout is broken"))
    case = Case.objects.get()
    assert case.is_public_post
    assert case.priority == "high"
    assert list(case.tags.values_list("name", flat=True)) == ["public-post"]
    message = case.messages.get()
    assert message.meta["public_url"] == "https://x.com/furiouscamper/status/1050118621198921728"
    created = case.events.get(kind="case.created")
    assert created.after["public_post"] is True and created.after["priority"] == "high"


def test_a_second_mention_joins_the_open_public_case_and_keeps_an_agents_priority(
    deliver, x_account, agent
):
    deliver(x_account, doc.x_mention("2001", "@resalehelp hello?"))
    case = Case.objects.get()
    update_case(case=case, actor=Actor(user=agent), priority="normal")
    deliver(x_account, doc.x_mention("2002", "@resalehelp still waiting"))
    case.refresh_from_db()
    assert Case.objects.count() == 1
    assert case.messages.count() == 2
    assert case.priority == "normal"  # the baseline escalates a case once, when it opens


def test_a_mention_never_lands_on_a_private_case(deliver, x_account):
    deliver(x_account, doc.x_dm("3001", "Private question"))
    deliver(x_account, doc.x_mention("3002", "@resalehelp public complaint"))
    private, public = Case.objects.order_by("pk")
    assert (private.is_public_post, public.is_public_post) == (False, True)
    assert public.messages.get().external_id == "tweet:3002"


def test_a_dm_after_a_public_mention_continues_that_case(deliver, x_account):
    deliver(x_account, doc.x_mention("4001", "@resalehelp I was charged twice"))
    deliver(x_account, doc.x_dm("4002", "Here is my order number: ORD-7731"))
    case = Case.objects.get()
    assert case.messages.count() == 2


def test_a_repost_or_a_blocked_user_opens_no_case(deliver, x_account):
    repost = doc.x_mention("5001", "RT @resalehelp: Sale!")
    repost["tweet_create_events"][0]["retweeted_status"] = {"id_str": "4999"}
    deliver(x_account, repost)
    blocked = doc.x_mention("5002", "@resalehelp spam")
    blocked["user_has_blocked"] = True
    deliver(x_account, blocked)
    assert sorted(InboundMessage.objects.values_list("outcome", flat=True)) == [
        "blocked_user",
        "repost",
    ]


def test_a_reply_on_a_public_case_goes_out_as_a_public_reply(api, deliver, x_account, agent):
    deliver(x_account, doc.x_mention("1050118621198921728", "@resalehelp your checkout is broken"))
    case = Case.objects.get()
    api.expect_oneshot_request(
        "/2/tweets",
        method="POST",
        headers=AUTH,
        json={
            "text": "Sorry! Please DM us your order number.",
            "reply": {"in_reply_to_tweet_id": "1050118621198921728"},
        },
    ).respond_with_json(
        {
            "data": {
                "id": "1445880548472328192",
                "text": "Sorry! Please DM us your order number.",
                "edit_history_tweet_ids": ["1445880548472328192"],
            }
        },
        status=201,
    )
    message = reply_to_customer(
        case=case,
        author=agent,
        body="Sorry! Please DM us your order number.",
        meta={"visibility": "public"},
    )
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    assert (delivery.status, delivery.provider_id) == ("sent", "tweet:1445880548472328192")

    # The customer answers our post in public: it threads back to the case.
    deliver(
        x_account,
        doc.x_mention("1445880548472329999", "@resalehelp done", in_reply_to="1445880548472328192"),
    )
    assert Case.objects.count() == 1
    assert case.messages.get(external_id="tweet:1445880548472329999").reply_to_id == message.pk


def test_an_agent_may_answer_a_public_case_privately(api, deliver, x_account, agent):
    deliver(x_account, doc.x_mention("6001", "@resalehelp my address is wrong on the order"))
    case = Case.objects.get()
    api.expect_oneshot_request(
        f"/2/dm_conversations/with/{doc.X_CUSTOMER_ID}/messages",
        method="POST",
        headers=AUTH,
        json={"text": "Which address should it be?"},
    ).respond_with_json(
        {
            "data": {
                "dm_conversation_id": f"{doc.X_CUSTOMER_ID}-{doc.X_USER_ID}",
                "dm_event_id": "128341038123",
            }
        },
        status=201,
    )
    message = reply_to_customer(
        case=case, author=agent, body="Which address should it be?", meta={"visibility": "private"}
    )
    drain_outbox()
    assert Delivery.objects.get(message=message).provider_id == "dm:128341038123"


def test_the_default_follows_where_the_customer_last_wrote(api, deliver, x_account, agent):
    deliver(x_account, doc.x_mention("7001", "@resalehelp charged twice"))
    deliver(x_account, doc.x_dm("7002", "ORD-7731"))
    case = Case.objects.get()
    api.expect_oneshot_request(
        f"/2/dm_conversations/with/{doc.X_CUSTOMER_ID}/messages"
    ).respond_with_json({"data": {"dm_conversation_id": "c", "dm_event_id": "9"}}, status=201)
    reply_to_customer(case=case, author=agent, body="Refunded.")
    drain_outbox()
    assert Delivery.objects.get().provider_id == "dm:9"


def test_a_public_reply_longer_than_a_post_fails_before_anything_is_sent(
    api, deliver, x_account, agent
):
    deliver(x_account, doc.x_mention("8001", "@resalehelp hi"))
    case = Case.objects.get()
    message = reply_to_customer(
        case=case, author=agent, body="x" * 281, meta={"visibility": "public"}
    )
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    assert delivery.status == DeliveryStatus.FAILED
    assert "at most 280 characters" in delivery.last_error
    assert api.log == []


@pytest.mark.parametrize(
    ("status", "answer", "outcome"),
    [
        (
            403,
            {
                "detail": "You are not permitted to send Direct Messages to this user.",
                "type": "about:blank",
                "title": "Forbidden",
                "status": 403,
            },
            DeliveryStatus.FAILED,
        ),
        (
            429,
            {
                "title": "Too Many Requests",
                "detail": "Too Many Requests",
                "type": "about:blank",
                "status": 429,
            },
            DeliveryStatus.QUEUED,
        ),
        (
            503,
            {
                "title": "Service Unavailable",
                "detail": "Service Unavailable",
                "type": "about:blank",
                "status": 503,
            },
            DeliveryStatus.QUEUED,
        ),
    ],
)
def test_refusals_are_permanent_or_passing_as_documented(
    api, deliver, x_account, agent, status, answer, outcome
):
    deliver(x_account, doc.x_dm("9001", "hello"))
    case = Case.objects.get()
    api.expect_request(f"/2/dm_conversations/with/{doc.X_CUSTOMER_ID}/messages").respond_with_json(
        answer, status=status
    )
    message = reply_to_customer(case=case, author=agent, body="Hi!")
    drain_outbox()
    delivery = Delivery.objects.get(message=message)
    assert delivery.status == outcome
    assert answer["detail"] in delivery.last_error


def test_a_read_receipt_ticks_our_direct_messages(api, deliver, x_account, agent):
    deliver(x_account, doc.x_dm("9101", "hello"))
    case = Case.objects.get()
    api.expect_request(f"/2/dm_conversations/with/{doc.X_CUSTOMER_ID}/messages").respond_with_json(
        {"data": {"dm_conversation_id": "c", "dm_event_id": "9102"}}, status=201
    )
    reply_to_customer(case=case, author=agent, body="Hi!")
    drain_outbox()
    delivery = Delivery.objects.get()
    read_at = int(delivery.sent_at.timestamp() * 1000) + 5000
    receipt = {
        "for_user_id": doc.X_USER_ID,
        "direct_message_mark_read_events": [
            {
                "created_timestamp": str(read_at),
                "sender_id": doc.X_CUSTOMER_ID,
                "target": {"recipient_id": doc.X_USER_ID},
                "last_read_event_id": "9102",
            }
        ],
    }
    deliver(x_account, receipt)
    delivery.refresh_from_db()
    assert delivery.read_at is not None
