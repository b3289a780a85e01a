"""Calls from the telephony provider and calls logged by hand land on the caller's case."""

import json
from urllib.parse import urlencode

import pytest

from ombuds.conversations.models import Case, Message, MessageKind
from ombuds.core import signing
from ombuds.intake.inbound import process_pending
from ombuds.intake.models import ChannelAccount, InboundMessage, InboundStatus
from ombuds.intake.phone.calls import log_call
from ombuds.intake.phone.views import twilio_signature
from tests import builders

SECRET = "phone-secret"
TWILIO_TOKEN = "twilio-auth-token"


@pytest.fixture
def phone_account(workspace):
    return ChannelAccount.objects.create(
        workspace=workspace,
        channel="phone",
        name="Main line",
        account_id="line-1",
        signing_secret=SECRET,
        access_token=TWILIO_TOKEN,
    )


def post_call(client, record, *, secret=SECRET, account="line-1"):
    body = json.dumps(record).encode()
    return client.post(
        f"/intake/phone/{account}/calls/",
        data=body,
        content_type="application/json",
        headers={"Ombuds-Signature": signing.sign(secret, body)},
    )


CALL = {
    "call_id": "c-100",
    "direction": "inbound",
    "from": "+31 6 1234 5678",
    "to": "+31201234567",
    "started_at": "2026-11-30T10:15:00Z",
    "duration_seconds": 252,
    "outcome": "answered",
    "recording_url": "https://pbx.example/rec/c-100.mp3",
    "agent_email": "anna@resale.test",
    "notes": "Buyer asked when the hotel confirms the name change.",
}


def test_a_call_record_becomes_a_call_on_a_new_phone_case(client, phone_account, workspace):
    response = post_call(client, CALL)
    assert response.status_code == 200
    process_pending()

    message = Message.objects.get(workspace=workspace, kind=MessageKind.CALL)
    assert message.case.channel == "phone"
    assert message.case.requester.phone == "+31612345678"
    assert message.meta["call"]["duration_seconds"] == 252
    assert message.meta["call"]["recording_url"].endswith("c-100.mp3")
    assert "hotel confirms" in message.body_text


def test_a_call_from_someone_with_an_open_case_joins_that_case(client, phone_account, workspace):
    from ombuds.intake.identity import Identity, party_for

    caller = party_for(workspace=workspace, identity=Identity.phone("+31612345678"))
    emailed = builders.case(workspace, requester=caller, subject="Name change", channel="email")

    post_call(client, CALL)
    process_pending()

    assert Message.objects.get(kind=MessageKind.CALL).case_id == emailed.pk
    assert Case.objects.filter(workspace=workspace).count() == 1


def test_the_same_record_posted_twice_is_filed_once(client, phone_account, workspace):
    first = post_call(client, CALL).json()
    second = post_call(client, CALL).json()
    process_pending()

    assert first["id"] == second["id"] and second["duplicate"] is True
    assert Message.objects.filter(kind=MessageKind.CALL).count() == 1


@pytest.mark.parametrize(
    "header",
    [None, "t=1,v1=00", signing.sign("wrong-secret", json.dumps(CALL).encode())],
)
def test_an_unsigned_or_wrongly_signed_record_is_refused_and_not_stored(
    client, phone_account, header
):
    headers = {"Ombuds-Signature": header} if header else {}
    response = client.post(
        "/intake/phone/line-1/calls/",
        data=json.dumps(CALL),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 401
    assert response.json()["code"].startswith("signature_")
    assert not InboundMessage.objects.exists()


def test_a_malformed_record_gets_a_clear_422(client, phone_account):
    response = post_call(client, {**CALL, "direction": "sideways"})
    assert response.status_code == 422
    assert response.json()["details"] == {"field": "direction"}
    assert not InboundMessage.objects.exists()


def test_another_workspaces_line_does_not_exist_here(client, phone_account, other_workspace):
    response = post_call(client, CALL, account="line-of-nobody")
    assert response.status_code == 404


def twilio_post(client, params, *, token=TWILIO_TOKEN):
    path = "/intake/phone/line-1/twilio/"
    from django.conf import settings

    signature = twilio_signature(token, settings.OMBUDS_PUBLIC_URL + path, params)
    return client.post(
        path,
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )


TWILIO_DONE = {
    "CallSid": "CA1234",
    "AccountSid": "AC99",
    "From": "+447700900123",
    "To": "+31201234567",
    "Direction": "inbound",
    "CallStatus": "completed",
    "CallDuration": "61",
}


def test_twilio_progress_is_ignored_the_finished_call_filed_and_the_recording_linked(
    client, phone_account, workspace
):
    assert twilio_post(client, {**TWILIO_DONE, "CallStatus": "ringing"}).status_code == 200
    assert twilio_post(client, TWILIO_DONE).status_code == 200
    recording = {
        "CallSid": "CA1234",
        "AccountSid": "AC99",
        "RecordingSid": "RE55",
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC99/Recordings/RE55",
    }
    assert twilio_post(client, recording).status_code == 200
    process_pending()

    outcomes = dict(InboundMessage.objects.values_list("external_id", "outcome"))
    assert outcomes["CA1234:ringing"] == "call_in_progress"
    assert outcomes["CA1234:RE55"] == "recording_linked"
    call = Message.objects.get(kind=MessageKind.CALL)
    assert call.meta["call"]["duration_seconds"] == 61
    assert call.meta["call"]["recording_url"].endswith("/RE55")
    assert InboundMessage.objects.filter(status=InboundStatus.PENDING).count() == 0


def test_a_forged_twilio_callback_is_refused(client, phone_account):
    response = twilio_post(client, TWILIO_DONE, token="not-the-token")
    assert response.status_code == 401
    assert not InboundMessage.objects.exists()


def test_an_agent_logs_a_call_on_the_case_at_hand(workspace, agent, buyer):
    case = builders.case(workspace, requester=buyer)
    message = log_call(
        workspace=workspace,
        by=agent,
        phone="+31612345678",
        direction="outbound",
        duration_seconds=95,
        notes="Called back; the seller will transfer tonight.",
        case=case,
    )
    assert message.case_id == case.pk
    assert message.kind == MessageKind.CALL
    assert message.author_user == agent
    assert message.meta["call"]["logged_by_hand"] is True
    assert case.events.filter(kind="call.logged").exists()


def test_a_hand_logged_call_from_a_new_number_opens_a_case(workspace, agent):
    message = log_call(
        workspace=workspace,
        by=agent,
        phone="+447700900999",
        direction="inbound",
        duration_seconds=30,
        notes="Prospect asked how the buyer guarantee works.",
    )
    assert message.case.channel == "phone"
    assert message.case.requester.phone == "+447700900999"


def test_a_call_on_another_workspaces_case_is_refused(workspace, other_workspace, agent):
    other_buyer = builders.party(other_workspace, "OB-1", email="o@example.com")
    foreign = builders.case(other_workspace, requester=other_buyer)
    from ombuds.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        log_call(
            workspace=workspace,
            by=agent,
            phone="+31612345678",
            direction="inbound",
            duration_seconds=10,
            notes="x",
            case=foreign,
        )
    assert refused.value.status == 404
