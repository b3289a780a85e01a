"""A mail provider posts raw MIME, signed: stored before 200, refused clearly otherwise."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from ombuds.intake.email.endpoint import signature_for
from ombuds.intake.models import ChannelAccount, InboundMessage, InboundStatus

from .mailroom import sample

SECRET = "whsec_test_0123456789"
URL = "/intake/email/resale/"


@pytest.fixture
def account(mail_workspace):
    return ChannelAccount.objects.create(
        workspace=mail_workspace,
        channel="email",
        name="Inbound route",
        account_id="support@resale.test",
        signing_secret=SECRET,
    )


def post(body: bytes, *, secret=SECRET, timestamp=None, content_type="message/rfc822", **headers):
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signed = {
        "HTTP_X_OMBUDS_TIMESTAMP": stamp,
        "HTTP_X_OMBUDS_SIGNATURE": signature_for(secret, stamp, body),
    }
    signed.update(headers)
    return Client().post(URL, data=body, content_type=content_type, **signed)


def assert_refused(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert set(body) == {"code", "message", "details"}
    assert not InboundMessage.objects.exists()


def test_a_signed_raw_message_is_stored_then_answered(account):
    raw = sample("gmail_first.eml")
    response = post(raw)

    assert response.status_code == 200
    inbound = InboundMessage.objects.get()
    assert response.json() == {"id": inbound.pk, "created": True, "status": "pending"}
    assert bytes(inbound.raw) == raw
    assert inbound.external_id == "<CAFfirst0001@mail.gmail.com>"
    assert inbound.source == "webhook:Inbound route"


def test_the_same_message_posted_twice_is_stored_once(account):
    raw = sample("gmail_first.eml")
    post(raw)
    again = post(raw)
    assert again.status_code == 200 and again.json()["created"] is False
    assert InboundMessage.objects.count() == 1


def test_a_stored_message_is_filed_when_the_request_commits(
    account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(sample("gmail_first.eml"))
    inbound = InboundMessage.objects.get()
    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.message.case.subject == "Tickets for Saturday"


@pytest.mark.parametrize(
    ("content_type", "encode"),
    [
        ("application/x-www-form-urlencoded", "urlencoded"),
        ("multipart/form-data", "multipart"),
    ],
)
def test_a_form_field_carrying_the_message_works_too(account, content_type, encode):
    from urllib.parse import urlencode

    raw = sample("latin1_8bit.eml")
    if encode == "urlencoded":
        body = urlencode({"recipient": "support@resale.test", "message": raw}).encode()
    else:
        body = (
            b'--XyZ\r\nContent-Disposition: form-data; name="recipient"\r\n\r\n'
            b"support@resale.test\r\n"
            b'--XyZ\r\nContent-Disposition: form-data; name="email"\r\n\r\n'
            + raw
            + b"\r\n--XyZ--\r\n"
        )
        content_type = "multipart/form-data; boundary=XyZ"
    response = post(body, content_type=content_type)
    assert response.status_code == 200, response.content
    assert bytes(InboundMessage.objects.get().raw).rstrip() == raw.rstrip()


def test_no_signature_is_401(account):
    response = Client().post(URL, data=sample("gmail_first.eml"), content_type="message/rfc822")
    assert_refused(response, 401, "signature_missing")


def test_a_wrong_signature_is_403(account):
    assert_refused(post(sample("gmail_first.eml"), secret="guessed"), 403, "signature_invalid")


def test_a_body_changed_after_signing_is_403(account):
    stamp = str(int(time.time()))
    response = Client().post(
        URL,
        data=sample("gmail_first.eml") + b"tampered",
        content_type="message/rfc822",
        HTTP_X_OMBUDS_TIMESTAMP=stamp,
        HTTP_X_OMBUDS_SIGNATURE=signature_for(SECRET, stamp, sample("gmail_first.eml")),
    )
    assert_refused(response, 403, "signature_invalid")


def test_an_old_signature_cannot_be_replayed(account):
    response = post(sample("gmail_first.eml"), timestamp=int(time.time()) - 600)
    assert_refused(response, 403, "signature_expired")
    assert response.json()["details"] == {"tolerance_seconds": 300}


def test_a_workspace_without_that_secret_looks_like_a_wrong_signature(account, other_workspace):
    response = Client().post(
        "/intake/email/other/",
        data=b"x",
        content_type="message/rfc822",
        HTTP_X_OMBUDS_TIMESTAMP="1",
        HTTP_X_OMBUDS_SIGNATURE=signature_for(SECRET, "1", b"x"),
    )
    assert_refused(response, 403, "signature_invalid")


def test_an_inactive_account_signs_nothing(account):
    ChannelAccount.objects.filter(pk=account.pk).update(is_active=False)
    assert_refused(post(sample("gmail_first.eml")), 403, "signature_invalid")


def test_a_rotated_secret_works_beside_the_old_one(account, mail_workspace):
    ChannelAccount.objects.create(
        workspace=mail_workspace,
        channel="email",
        name="Inbound route (new key)",
        account_id="route-2",
        signing_secret="whsec_new",
    )
    assert post(sample("gmail_first.eml"), secret="whsec_new").status_code == 200


def test_too_large_a_message_is_413(account, settings):
    settings.OMBUDS_MAX_INBOUND_BYTES = 100
    assert_refused(post(sample("gmail_first.eml")), 413, "payload_too_large")


def test_an_empty_body_is_400(account):
    assert_refused(post(b"   "), 400, "no_message")


def test_an_unknown_body_type_is_415(account):
    assert_refused(post(b"{}", content_type="application/json"), 415, "unsupported_media_type")


def test_only_post_is_served(account):
    response = Client().get(URL)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
