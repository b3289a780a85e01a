"""Stripe's signed webhooks: only what Stripe signed with this workspace's secret,
recently, is stored; what is stored is acknowledged and processed once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from ombuds.chargebacks.models import Chargeback, EventStatus, PspConnection, PspEvent
from ombuds.chargebacks.receiving import process_pending_events
from ombuds.chargebacks.stripe.signature import expected_signature, verify_stripe_signature
from ombuds.core.errors import ApplicationError

from . import documented as doc
from .conftest import post_event, webhook_path


def opened_event(**extra):
    due = datetime.now(UTC) + timedelta(days=5)
    return doc.event("charge.dispute.created", doc.dispute(due_by=due), **extra)


def test_a_signed_event_is_stored_and_acknowledged(client, stripe_connection, order):
    payload = opened_event()
    response = post_event(client, stripe_connection, payload)
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False, "id": payload["id"]}
    stored = PspEvent.objects.get()
    assert (stored.event_id, stored.event_type, stored.status) == (
        payload["id"],
        "charge.dispute.created",
        EventStatus.PENDING,
    )
    assert bytes(stored.raw) == doc.body(payload)
    stripe_connection.refresh_from_db()
    assert stripe_connection.last_event_at is not None


@pytest.mark.parametrize(
    "headers, code",
    [
        ({}, "signature_missing"),
        ({"Stripe-Signature": "t=abc,v1=00"}, "signature_missing"),
        ({"Stripe-Signature": f"t={int(time.time())}"}, "signature_missing"),
        ({"Stripe-Signature": f"t={int(time.time())},v1={'0' * 64}"}, "signature_invalid"),
    ],
)
def test_an_unsigned_or_forged_event_is_refused_and_not_stored(
    client, stripe_connection, order, headers, code
):
    raw = doc.body(opened_event())
    response = client.post(
        webhook_path(stripe_connection), data=raw, content_type="application/json", headers=headers
    )
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert not PspEvent.objects.exists()
    stripe_connection.refresh_from_db()
    assert stripe_connection.last_error.startswith(code)


def test_an_event_signed_with_another_secret_is_refused(client, stripe_connection, order):
    response = post_event(client, stripe_connection, opened_event(), secret="whsec_other0000000")
    assert response.status_code == 401
    assert response.json()["code"] == "signature_invalid"
    assert not PspEvent.objects.exists()


def test_a_tampered_body_is_refused(client, stripe_connection, order):
    signed = doc.body(opened_event())
    headers = doc.signed_headers(signed)
    tampered = signed.replace(b'"amount": 12500', b'"amount": 1')
    response = client.post(
        webhook_path(stripe_connection),
        data=tampered,
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 401
    assert not PspEvent.objects.exists()


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_signature_outside_five_minutes_is_refused(client, stripe_connection, order, skew):
    response = post_event(
        client, stripe_connection, opened_event(), timestamp=int(time.time()) + skew
    )
    assert response.status_code == 401
    assert response.json()["code"] == "signature_expired"
    assert not PspEvent.objects.exists()


def test_a_replayed_delivery_is_recognised_not_doubled(client, stripe_connection, order):
    payload = opened_event()
    raw = doc.body(payload)
    headers = doc.signed_headers(raw)
    first = client.post(
        webhook_path(stripe_connection), data=raw, content_type="application/json", headers=headers
    )
    process_pending_events()
    again = client.post(
        webhook_path(stripe_connection), data=raw, content_type="application/json", headers=headers
    )
    process_pending_events()
    assert first.json()["duplicate"] is False
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert PspEvent.objects.count() == 1
    assert Chargeback.objects.count() == 1
    assert PspEvent.objects.get().attempts == 1


def test_one_of_several_signatures_may_match(stripe_connection):
    raw = b'{"id": "evt_1"}'
    now = int(time.time())
    good = expected_signature(doc.WEBHOOK_SECRET, raw, now)
    header = f"t={now},v1={'f' * 64},v0=ignored,v1={good}"
    assert verify_stripe_signature(secret=doc.WEBHOOK_SECRET, header=header, body=raw) == now


def test_an_older_scheme_alone_is_not_enough():
    raw = b"{}"
    now = int(time.time())
    good = expected_signature(doc.WEBHOOK_SECRET, raw, now)
    with pytest.raises(ApplicationError) as refused:
        verify_stripe_signature(secret=doc.WEBHOOK_SECRET, header=f"t={now},v0={good}", body=raw)
    assert refused.value.code == "signature_missing"


def test_a_workspace_without_a_connection_answers_404(client, workspace, other_workspace):
    response = client.post(
        f"/psp/{other_workspace.slug}/stripe/", data=b"{}", content_type="application/json"
    )
    assert response.status_code == 404
    missing = client.post("/psp/nowhere/stripe/", data=b"{}", content_type="application/json")
    assert missing.status_code == 404


def test_an_inactive_connection_takes_no_events(client, stripe_connection, order):
    PspConnection.objects.filter(pk=stripe_connection.pk).update(is_active=False)
    assert post_event(client, stripe_connection, opened_event()).status_code == 404
    assert not PspEvent.objects.exists()


def test_a_signed_body_that_is_not_json_is_kept_rejected(client, stripe_connection):
    raw = b"not json at all"
    response = client.post(
        webhook_path(stripe_connection),
        data=raw,
        content_type="application/json",
        headers=doc.signed_headers(raw),
    )
    assert response.status_code == 400
    stored = PspEvent.objects.get()
    assert (stored.status, stored.outcome) == (EventStatus.REJECTED, "invalid_json")


def test_an_event_type_ombuds_does_not_act_on_is_kept_and_ignored(deliver, order):
    deliver(doc.event("charge.succeeded", {"id": doc.CHARGE, "object": "charge"}))
    stored = PspEvent.objects.get()
    assert (stored.status, stored.outcome) == (EventStatus.IGNORED, "unsupported_type")


def test_only_post_is_served(client, stripe_connection):
    assert client.get(webhook_path(stripe_connection)).status_code == 405
