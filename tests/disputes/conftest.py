"""A resale workspace with a seller, an agent, a paid parcel and a hotel stay."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from ombuds.accounts.models import Membership
from ombuds.core.money import Money
from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.services.opening import open_dispute
from ombuds.marketplace.inputs import BookingInput, PaymentInput, ShipmentInput
from tests import builders

_keys = itertools.count(1)


def key(prefix: str = "k") -> str:
    return f"{prefix}-{next(_keys)}"


def agent_actor(workspace, email: str, role: str = "agent", name: str = "") -> DisputeActor:
    builders.member(workspace, email, role=role, name=name or email.split("@")[0].title())
    return DisputeActor.agent(
        Membership.objects.select_related("user").get(workspace=workspace, user__email=email)
    )


@pytest.fixture
def seller(workspace):
    return builders.party(
        workspace, "S-1", kind="seller", name="Sam Seller", email="sam@shop.example"
    )


@pytest.fixture
def hotel(workspace):
    return builders.party(
        workspace, "H-1", kind="third_party", name="Hotel Aurora", email="desk@aurora.example"
    )


@pytest.fixture
def parcel(workspace, buyer, seller):
    """A 125.00 EUR parcel, captured in full, that the carrier reports lost."""
    return builders.order(
        workspace,
        "ORD-1",
        buyer=buyer,
        seller=seller,
        total=12500,
        placed_at=timezone.now() - timedelta(days=10),
        payments=[PaymentInput("PAY-1", status="captured", amount=12500, captured_amount=12500)],
        shipments=[ShipmentInput("SH-1", carrier="PostNL", tracking_number="3S123", status="lost")],
    )


@pytest.fixture
def stay(workspace, buyer, seller, hotel):
    """Two resold hotel nights of 240.00 EUR whose transfer the hotel refused."""
    return builders.order(
        workspace,
        "ORD-2",
        buyer=buyer,
        seller=seller,
        kind="hotel",
        total=24000,
        placed_at=timezone.now() - timedelta(days=5),
        payments=[PaymentInput("PAY-2", status="captured", amount=24000, captured_amount=24000)],
        bookings=[
            BookingInput(
                "BK-1",
                kind="hotel",
                title="Hotel Aurora, 2 nights",
                third_party="H-1",
                starts_at=timezone.now() + timedelta(days=3),
                confirmation_code="AUR-889123",
                transfer_status="failed",
            )
        ],
    )


@pytest.fixture
def buyer_actor(buyer):
    return DisputeActor.buyer(buyer)


@pytest.fixture
def seller_actor(seller):
    return DisputeActor.seller(seller)


@pytest.fixture
def agent_one(workspace):
    return agent_actor(workspace, "anna@resale.test", name="Anna Agent")


@pytest.fixture
def agent_two(workspace):
    return agent_actor(workspace, "ben@resale.test", name="Ben Backup")


def claim(workspace, order, actor, **overrides):
    """Open a dispute with sensible defaults."""
    spec = {
        "reason": "not_received",
        "description": "The parcel never arrived.",
        "desired_outcome": "full_refund",
        "amount": Money(order.total, order.currency),
        **overrides,
    }
    return open_dispute(workspace=workspace, order=order, actor=actor, **spec)


@pytest.fixture
def dispute(workspace, parcel, agent_one):
    """A dispute on the lost parcel, opened by an agent: the seller's deadline runs."""
    return claim(workspace, parcel, agent_one)
