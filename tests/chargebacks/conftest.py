"""A resale workspace connected to Stripe, an order paid by card through it, and a way
to deliver Stripe's webhook events as Stripe would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from ombuds.chargebacks.connections import ConnectionInput, connect_psp
from ombuds.chargebacks.receiving import process_pending_events
from ombuds.marketplace.inputs import LineInput, OrderInput, PaymentInput, ShipmentInput
from ombuds.marketplace.services import upsert_order
from tests import builders

from . import documented as doc


@pytest.fixture
def admin(workspace):
    return builders.member(workspace, "admin@resale.test", role="admin", name="Ada Admin")


@pytest.fixture
def seller(workspace):
    return builders.party(workspace, "S-1", kind="seller", name="Sam's Shop")


@pytest.fixture
def finance(workspace):
    from ombuds.accounts.services import create_team

    return create_team(workspace=workspace, name="Finance")


def paid_order(workspace, external_id, *, buyer, seller, charge=doc.CHARGE, total=12500, **extra):
    spec = OrderInput(
        buyer=buyer.external_id,
        seller=seller.external_id if seller else None,
        kind="goods",
        currency="EUR",
        total=total,
        status="paid",
        placed_at=datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
        lines=[LineInput(description="Vintage record player", quantity=1, unit_price=total)],
        payments=[
            PaymentInput(
                external_id=charge,
                status="captured",
                amount=total,
                captured_amount=total,
                provider="stripe",
                method="card",
                captured_at=datetime(2026, 11, 2, 10, 1, tzinfo=UTC),
            )
        ],
        shipments=[
            ShipmentInput(
                external_id=f"{external_id}-SH",
                carrier="PostNL",
                tracking_number="3SABCD1234567",
                status="delivered",
                shipped_at=datetime(2026, 11, 3, 8, 0, tzinfo=UTC),
                delivered_at=datetime(2026, 11, 5, 14, 0, tzinfo=UTC),
            )
        ],
        **extra,
    )
    return upsert_order(workspace=workspace, external_id=external_id, spec=spec)[0]


@pytest.fixture
def order(workspace, buyer, seller):
    return paid_order(workspace, "ORD-1", buyer=buyer, seller=seller)


@pytest.fixture
def stripe_connection(workspace, admin, httpserver):
    return connect_psp(
        workspace=workspace,
        by=admin,
        spec=ConnectionInput(
            provider="stripe",
            name="Stripe",
            account_id=doc.ACCOUNT,
            secret_key=doc.SECRET_KEY,
            webhook_secret=doc.WEBHOOK_SECRET,
            api_base_url=httpserver.url_for("/").rstrip("/"),
        ),
    )


def webhook_path(connection) -> str:
    return reverse("psp:webhook", args=[connection.workspace.slug, connection.provider])


def post_event(client, connection, payload: dict, *, secret=doc.WEBHOOK_SECRET, **headers):
    raw = doc.body(payload)
    signed = doc.signed_headers(raw, secret=secret, timestamp=headers.pop("timestamp", None))
    return client.post(
        webhook_path(connection),
        data=raw,
        content_type="application/json",
        headers={**signed, **headers},
    )


@pytest.fixture
def deliver(client, stripe_connection):
    """POST Stripe events as Stripe does, then let the worker process what was stored."""

    def run(*payloads, connection=None):
        for payload in payloads:
            response = post_event(client, connection or stripe_connection, payload)
            assert response.status_code == 200, response.content
        process_pending_events()

    return run


@pytest.fixture
def stripe_api(httpserver):
    """Stripe's API, as the local server; a request the test did not expect fails it."""
    yield httpserver
    httpserver.check_assertions()
