"""The automation tests' scenario: the resale workspace with its defaults installed, a
buyer with a delayed parcel, an agent and a supervisor."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ombuds.automation.defaults import install_defaults
from ombuds.automation.macros.services import create_macro
from ombuds.automation.rules.services import create_trigger
from ombuds.marketplace.inputs import BookingInput, ShipmentInput
from ombuds.marketplace.services import upsert_party
from tests import builders


@pytest.fixture
def defaults(workspace):
    install_defaults(workspace)
    return workspace


@pytest.fixture
def supervisor(workspace):
    return builders.member(workspace, "sue@resale.test", role="supervisor", name="Sue Supervisor")


@pytest.fixture
def dutch_buyer(workspace):
    return upsert_party(
        workspace=workspace,
        external_id="B-NL",
        kind="buyer",
        name="Noor de Vries",
        email="noor@example.nl",
        language="nl",
    )[0]


@pytest.fixture
def parcel_order(workspace, buyer):
    return builders.order(
        workspace,
        "ORD-100",
        buyer=buyer,
        shipments=[
            ShipmentInput(
                "SH-100",
                carrier="PostNL",
                tracking_number="3S123",
                tracking_url="https://track.example/3S123",
                status="in_transit",
                promised_at=date(2026, 12, 5),
            )
        ],
    )


@pytest.fixture
def ticket_order(workspace, dutch_buyer):
    return builders.order(
        workspace,
        "ORD-200",
        buyer=dutch_buyer,
        kind="event_ticket",
        bookings=[
            BookingInput(
                "BK-200",
                kind="event_ticket",
                title="Coldplay — Music of the Spheres",
                starts_at=timezone.now() + timedelta(days=30),
                transfer_due_at=timezone.now() + timedelta(days=1),
            )
        ],
    )


@pytest.fixture
def hello_macro(workspace):
    return create_macro(
        workspace=workspace,
        name="Order update",
        texts={
            "en": "Hi {{ buyer_first_name }}, your order {{ order_number }} is on its way.",
            "nl": "Hallo {{ buyer_first_name }}, je bestelling {{ order_number }} is onderweg.",
        },
    )


def trigger(workspace, events, conditions, actions, name="Rule"):
    return create_trigger(
        workspace=workspace, name=name, events=events, conditions=conditions, actions=actions
    )


def kinds(case) -> list[str]:
    return list(case.events.order_by("created_at", "pk").values_list("kind", flat=True))
