"""A resale workspace with a seller, a paid goods order and a desk of every money role."""

from __future__ import annotations

import itertools

import pytest

from ombuds.accounts.models import Membership
from ombuds.ledger.authority import MoneyActor
from ombuds.marketplace.inputs import PaymentInput, ShipmentInput
from tests import builders

_keys = itertools.count(1)


def key(prefix: str = "k") -> str:
    """A fresh idempotency key."""
    return f"{prefix}-{next(_keys)}"


def actor_for(workspace, email: str, role: str, name: str = "") -> MoneyActor:
    builders.member(workspace, email, role=role, name=name or email.split("@")[0].title())
    return MoneyActor.member(
        Membership.objects.select_related("user").get(workspace=workspace, user__email=email)
    )


@pytest.fixture
def seller(workspace):
    return builders.party(workspace, "S-1", kind="seller", name="Sam Seller")


@pytest.fixture
def paid_order(workspace, buyer, seller):
    """A parcel of 125.00 EUR, captured in full, lost by the carrier."""
    return builders.order(
        workspace,
        "ORD-1",
        buyer=buyer,
        seller=seller,
        total=12500,
        payments=[PaymentInput("PAY-1", status="captured", amount=12500, captured_amount=12500)],
        shipments=[ShipmentInput("SH-1", carrier="PostNL", status="lost")],
    )


@pytest.fixture
def order_case(workspace, buyer, paid_order):
    return builders.case(workspace, requester=buyer, order=paid_order, subject="Parcel lost")


@pytest.fixture
def agent_actor(workspace):
    return actor_for(workspace, "agent@money.test", "agent", "Anna Agent")


@pytest.fixture
def colleague_actor(workspace):
    return actor_for(workspace, "ben@money.test", "agent", "Ben Agent")


@pytest.fixture
def supervisor_actor(workspace):
    return actor_for(workspace, "sue@money.test", "supervisor", "Sue Supervisor")


@pytest.fixture
def finance_actor(workspace):
    return actor_for(workspace, "fin@money.test", "finance", "Fay Finance")


@pytest.fixture
def viewer_actor(workspace):
    return actor_for(workspace, "view@money.test", "read_only", "Vic Viewer")
