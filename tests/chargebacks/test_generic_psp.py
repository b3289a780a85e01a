"""Another PSP's signed webhooks, in the documented generic shape, land on the same
chargebacks as Stripe's, with the generic states."""

from __future__ import annotations

import json

import pytest

from ombuds.chargebacks.connections import ConnectionInput, connect_psp
from ombuds.chargebacks.models import Chargeback, EventStatus, PspEvent
from ombuds.chargebacks.receiving import process_pending_events
from ombuds.conversations.models import CaseEvent
from ombuds.core import signing

from .conftest import paid_order, webhook_path

SECRET = "adyen-shared-secret-0042"


@pytest.fixture
def adyen(workspace, admin):
    return connect_psp(
        workspace=workspace,
        by=admin,
        spec=ConnectionInput(provider="adyen", name="Adyen", webhook_secret=SECRET),
    )


@pytest.fixture
def card_order(workspace, buyer, seller):
    return paid_order(workspace, "ORD-A", buyer=buyer, seller=seller, charge="psp-8835511")


def dispute_event(ident: str, kind: str, status: str, created: str, **dispute):
    return {
        "id": ident,
        "type": kind,
        "created": created,
        "dispute": {
            "id": "CB-77",
            "payment": "psp-8835511",
            "amount": 12500,
            "currency": "EUR",
            "reason": "Merchandise not received",
            "reason_code": "13.1",
            "status": status,
            "evidence_due_by": "2026-12-10T23:59:59Z",
            "created": "2026-11-30T10:00:00Z",
            **dispute,
        },
    }


def send(client, connection, payload, *, secret=SECRET):
    raw = json.dumps(payload).encode()
    return client.post(
        webhook_path(connection),
        data=raw,
        content_type="application/json",
        headers={signing.HEADER: signing.sign(secret, raw)},
    )


def test_a_generic_dispute_opens_and_closes_a_chargeback(client, adyen, card_order):
    for payload in (
        dispute_event("n-1", "dispute.opened", "needs_response", "2026-11-30T10:00:05Z"),
        dispute_event("n-2", "dispute.updated", "under_review", "2026-12-02T08:00:00+01:00"),
        dispute_event("n-3", "dispute.closed", "closed", "2026-12-20T12:00:00Z"),
    ):
        assert send(client, adyen, payload).status_code == 200
    process_pending_events()
    chargeback = Chargeback.objects.get()
    assert (chargeback.provider, chargeback.provider_dispute_id) == ("adyen", "CB-77")
    assert chargeback.order == card_order and chargeback.state == "closed"
    assert chargeback.evidence_due_by.isoformat() == "2026-12-10T23:59:59+00:00"
    assert chargeback.reason == "Merchandise not received"
    changes = CaseEvent.objects.filter(kind="chargeback.state_changed").order_by("pk")
    assert [(e.before, e.after, e.actor_label) for e in changes] == [
        ("needs_response", "under_review", "Adyen"),
        ("under_review", "closed", "Adyen"),
    ]


def test_generic_states_only(client, adyen, card_order):
    send(
        client, adyen, dispute_event("n-9", "dispute.opened", "warning_closed", "2026-11-30T10:00Z")
    )
    process_pending_events()
    assert PspEvent.objects.get().outcome == "unknown_state"


def test_a_generic_event_must_be_signed_with_its_secret(client, adyen, card_order):
    payload = dispute_event("n-1", "dispute.opened", "needs_response", "2026-11-30T10:00:05Z")
    response = send(client, adyen, payload, secret="not-the-secret")
    assert response.status_code == 401
    assert response.json()["code"] == "signature_invalid"
    unsigned = client.post(
        webhook_path(adyen), data=json.dumps(payload), content_type="application/json"
    )
    assert unsigned.status_code == 401
    assert not PspEvent.objects.exists()


def test_a_stripe_signature_does_not_open_the_generic_door(client, adyen, card_order):
    from . import documented as doc

    payload = dispute_event("n-1", "dispute.opened", "needs_response", "2026-11-30T10:00:05Z")
    raw = json.dumps(payload).encode()
    response = client.post(
        webhook_path(adyen),
        data=raw,
        content_type="application/json",
        headers=doc.signed_headers(raw, secret=SECRET),
    )
    assert response.status_code == 401


def test_a_malformed_generic_event_is_kept_and_rejected(client, adyen, card_order):
    send(client, adyen, {"id": "n-5", "type": "dispute.opened", "created": "yesterday"})
    process_pending_events()
    event = PspEvent.objects.get()
    assert (event.status, event.outcome) == (EventStatus.REJECTED, "invalid_event")


def refund_event(ident: str, kind: str, *, reference: str = "", amount: int = 2500):
    return {
        "id": ident,
        "type": kind,
        "created": 1764669600,
        "refund": {
            "id": "RF-1",
            "payment": "psp-8835511",
            "amount": amount,
            "currency": "EUR",
            **({"reference": reference} if reference else {}),
        },
    }


def test_a_generic_refund_report_settles_the_desks_refund(
    client, adyen, card_order, workspace, agent
):
    from ombuds.accounts.models import Membership
    from ombuds.core.money import Money
    from ombuds.ledger.authority import MoneyActor
    from ombuds.ledger.models import Transaction
    from ombuds.ledger.services import refund_buyer

    actor = MoneyActor.member(Membership.objects.get(workspace=workspace, user=agent))
    refund_buyer(
        workspace=workspace,
        actor=actor,
        order=card_order,
        amount=Money(2500, "EUR"),
        reason="damaged",
        bearer="seller",
        idempotency_key="desk-refund-7",
    )
    for payload in (
        refund_event("r-1", "refund.created", reference="desk-refund-7"),
        refund_event("r-2", "refund.succeeded", reference="desk-refund-7"),
        refund_event("r-2", "refund.succeeded", reference="desk-refund-7"),
    ):
        assert send(client, adyen, payload).status_code == 200
    process_pending_events()
    assert Transaction.objects.filter(workspace=workspace, kind="refund").count() == 1
    assert Transaction.objects.filter(workspace=workspace, kind="refund_settlement").count() == 1
    assert card_order.payments.get().refunded_amount == 2500


def test_a_refund_the_provider_made_itself_is_booked_once(client, adyen, card_order, workspace):
    from ombuds.ledger.models import Transaction

    send(client, adyen, refund_event("r-9", "refund.succeeded", amount=1000))
    send(client, adyen, refund_event("r-10", "refund.succeeded", amount=1000))
    process_pending_events()
    booked = Transaction.objects.get(workspace=workspace, kind="refund")
    assert (booked.key, booked.amount) == ("psp-refund:adyen:RF-1", 1000)
    assert card_order.payments.get().refunded_amount == 1000
