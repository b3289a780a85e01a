"""WhatsApp's webhook: the endpoint check, signatures, one stored row per message and
status, routing by phone number id, and what each documented message type becomes."""

from __future__ import annotations

import pytest

from ombuds.conversations.models import Case, Message
from ombuds.intake.inbound import process_pending
from ombuds.intake.models import ChannelAccount, InboundMessage, InboundStatus
from ombuds.marketplace.models import PartyIdentity
from tests import builders

from . import documented as doc
from .platforms import connect, post_signed, webhook_path

WAMID = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="


def test_meta_checks_the_endpoint_with_the_verify_token(client, whatsapp_account):
    path = webhook_path(whatsapp_account)
    ok = client.get(
        path,
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200
    assert ok.content == b"1158201444"
    assert ok["Content-Type"].startswith("text/plain")

    wrong = client.get(
        path, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"}
    )
    assert wrong.status_code == 403
    assert b"1158201444" not in wrong.content
    whatsapp_account.refresh_from_db()
    assert "verify token" in whatsapp_account.last_error


def test_an_unknown_account_has_no_webhook(client, whatsapp_account):
    response = client.get("/intake/whatsapp/999/", {"hub.mode": "subscribe"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"X-Hub-Signature-256": "sha256=" + "0" * 64}, 403),
        ({"X-Hub-Signature-256": "not-even-a-signature"}, 403),
    ],
)
def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_stored(
    client, whatsapp_account, headers, status
):
    payload = doc.whatsapp_webhook(doc.whatsapp_value(messages=[doc.wa_text(WAMID, "Hi")]))
    response = post_signed(client, whatsapp_account, payload, headers=headers)
    assert response.status_code == status
    assert response.json()["code"] in ("missing_signature", "bad_signature")
    assert not InboundMessage.objects.exists()
    whatsapp_account.refresh_from_db()
    assert whatsapp_account.last_error and whatsapp_account.last_error_at


def test_a_signature_made_with_another_secret_is_refused(client, whatsapp_account):
    payload = doc.whatsapp_webhook(doc.whatsapp_value(messages=[doc.wa_text(WAMID, "Hi")]))
    response = post_signed(client, whatsapp_account, payload, secret="someone-elses-secret")
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_a_signed_body_altered_in_transit_is_refused(client, whatsapp_account):
    raw = doc.body(doc.whatsapp_webhook(doc.whatsapp_value(messages=[doc.wa_text(WAMID, "Hi")])))
    headers = doc.meta_headers("meta-app-secret", raw)
    tampered = raw.replace(b"Hi", b"Ho")
    response = client.post(
        webhook_path(whatsapp_account),
        data=tampered,
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_a_text_message_becomes_a_case_from_the_sender_once(client, whatsapp_account, workspace):
    payload = doc.whatsapp_webhook(
        doc.whatsapp_value(messages=[doc.wa_text(WAMID, "My tickets never arrived")])
    )
    first = post_signed(client, whatsapp_account, payload)
    again = post_signed(client, whatsapp_account, payload)  # Meta retries deliveries
    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.json()["stored"], again.json()["stored"]) == (1, 0)
    stored = InboundMessage.objects.get()
    assert (stored.workspace, stored.channel, stored.external_id) == (workspace, "whatsapp", WAMID)

    process_pending()
    stored.refresh_from_db()
    assert stored.status == InboundStatus.PROCESSED
    message = Message.objects.get()
    case = message.case
    assert (case.channel, case.workspace) == ("whatsapp", workspace)
    assert message.body_text == "My tickets never arrived"
    assert message.external_id == WAMID
    assert message.meta["wa_id"] == doc.WA_ID
    assert case.requester.name == "Sheena Nelson"
    assert PartyIdentity.objects.get(party=case.requester).value == "+16505551234"
    whatsapp_account.refresh_from_db()
    assert whatsapp_account.last_webhook_at is not None


def test_every_message_of_a_batch_is_its_own_row_and_the_conversation_continues(
    deliver, whatsapp_account
):
    payload = doc.whatsapp_webhook(
        doc.whatsapp_value(
            messages=[doc.wa_text("wamid.A", "Hello"), doc.wa_text("wamid.B", "Order ORD-7731")]
        )
    )
    deliver(whatsapp_account, payload)
    assert sorted(InboundMessage.objects.values_list("external_id", flat=True)) == [
        "wamid.A",
        "wamid.B",
    ]
    assert Case.objects.count() == 1
    assert Message.objects.count() == 2


def test_another_workspaces_number_never_lands_in_this_workspace(
    client, workspace, other_workspace, whatsapp_account
):
    """An item naming another workspace's phone number, signed with our secret, is left
    out: only that number's own app secret may speak for it."""
    other_admin = builders.member(other_workspace, "admin@other.test", role="admin")
    theirs = connect(
        other_workspace,
        other_admin,
        "whatsapp",
        "222222222222222",
        "https://graph.invalid",
        signing_secret="their-own-secret",
    )
    payload = doc.whatsapp_webhook(
        doc.whatsapp_value(messages=[doc.wa_text("wamid.MINE", "mine")]),
        doc.whatsapp_value(
            messages=[doc.wa_text("wamid.FORGED", "forged")], phone_number_id="222222222222222"
        ),
    )
    response = post_signed(client, whatsapp_account, payload)
    assert response.status_code == 200
    assert list(InboundMessage.objects.values_list("workspace", "external_id")) == [
        (workspace.pk, "wamid.MINE")
    ]
    theirs.refresh_from_db()
    assert "another secret" in theirs.last_error


def test_one_app_serving_two_workspaces_routes_each_number_to_its_own(
    client, workspace, other_workspace, whatsapp_account
):
    other_admin = builders.member(other_workspace, "admin@other.test", role="admin")
    connect(other_workspace, other_admin, "whatsapp", "222222222222222", "https://graph.invalid")
    payload = doc.whatsapp_webhook(
        doc.whatsapp_value(messages=[doc.wa_text("wamid.ONE", "one")]),
        doc.whatsapp_value(
            messages=[doc.wa_text("wamid.TWO", "two")], phone_number_id="222222222222222"
        ),
    )
    assert post_signed(client, whatsapp_account, payload).status_code == 200
    assert set(InboundMessage.objects.values_list("workspace", "external_id")) == {
        (workspace.pk, "wamid.ONE"),
        (other_workspace.pk, "wamid.TWO"),
    }


def test_a_number_not_connected_anywhere_is_left_out_and_said_so(client, whatsapp_account):
    payload = doc.whatsapp_webhook(
        doc.whatsapp_value(messages=[doc.wa_text("wamid.X", "x")], phone_number_id="333")
    )
    response = post_signed(client, whatsapp_account, payload)
    assert (response.status_code, response.json()["stored"]) == (200, 0)
    assert not InboundMessage.objects.exists()
    whatsapp_account.refresh_from_db()
    assert "333" in whatsapp_account.last_error


def test_an_inactive_account_has_no_webhook(client, whatsapp_account):
    ChannelAccount.objects.filter(pk=whatsapp_account.pk).update(is_active=False)
    payload = doc.whatsapp_webhook(doc.whatsapp_value(messages=[doc.wa_text(WAMID, "Hi")]))
    assert post_signed(client, whatsapp_account, payload).status_code == 404


def test_a_body_that_is_not_json_is_refused(client, whatsapp_account):
    raw = b"not json"
    response = client.post(
        webhook_path(whatsapp_account),
        data=raw,
        content_type="application/json",
        headers=doc.meta_headers("meta-app-secret", raw),
    )
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_a_shared_location_is_text_and_meta(deliver, whatsapp_account):
    deliver(
        whatsapp_account,
        doc.whatsapp_webhook(doc.whatsapp_value(messages=[doc.wa_location("wamid.L")])),
    )
    message = Message.objects.get()
    assert message.body_text == (
        "Location: Stedelijk Museum, Museumplein 6, 1071 DJ Amsterdam (52.358, 4.881)"
    )
    assert message.meta["location"] == {
        "latitude": 52.358,
        "longitude": 4.881,
        "name": "Stedelijk Museum",
        "address": "Museumplein 6, 1071 DJ Amsterdam",
    }


def test_a_quick_reply_button_is_text_on_the_case_it_answers(deliver, whatsapp_account, workspace):
    deliver(
        whatsapp_account,
        doc.whatsapp_webhook(doc.whatsapp_value(messages=[doc.wa_text("wamid.Q", "Refund?")])),
    )
    first = Message.objects.get()
    # Another case of the same customer is newer; the reply context still wins.
    builders.case(
        workspace, requester=first.case.requester, subject="Another question", channel="whatsapp"
    )
    deliver(
        whatsapp_account,
        doc.whatsapp_webhook(
            doc.whatsapp_value(messages=[doc.wa_button_reply("wamid.R", "wamid.Q")])
        ),
    )
    answer = Message.objects.get(external_id="wamid.R")
    assert answer.body_text == "Yes, refund me"
    assert answer.meta["reply_id"] == "refund-yes"
    assert answer.case_id == first.case_id
    assert answer.reply_to_id == first.pk


def test_a_system_notice_opens_no_case(deliver, whatsapp_account):
    notice = {
        "from": doc.WA_ID,
        "id": "wamid.SYS",
        "timestamp": "1749416383",
        "type": "system",
        "system": {
            "body": "User A changed from +1 650 555 1234 to +1 650 555 9999",
            "type": "user_changed_number",
        },
    }
    deliver(whatsapp_account, doc.whatsapp_webhook(doc.whatsapp_value(messages=[notice])))
    stored = InboundMessage.objects.get()
    assert (stored.status, stored.outcome) == (InboundStatus.IGNORED, "system")
    assert not Case.objects.exists()
