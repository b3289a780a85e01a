"""A hotel reservation resold for 400.00 EUR, paid in full, whose name change the hotel
refused: rebooking budget 100.00 (a quarter of the order), compensation budget 40.00."""

from __future__ import annotations

import pytest

from ombuds.accounts.models import Membership
from ombuds.conversations.events import Actor
from ombuds.marketplace.inputs import BookingInput, PaymentInput
from tests import builders


def desk_actor(workspace, email: str, role: str) -> Actor:
    builders.member(workspace, email, role=role, name=email.split("@")[0].title())
    membership = Membership.objects.select_related("user").get(
        workspace=workspace, user__email=email
    )
    return Actor(user=membership.user)


@pytest.fixture
def hotel(workspace):
    return builders.party(
        workspace, "H-1", kind="third_party", name="Hotel Amstel", email="desk@amstel.example"
    )


@pytest.fixture
def seller(workspace):
    return builders.party(
        workspace, "S-1", kind="seller", name="Sam Seller", email="sam@seller.example"
    )


@pytest.fixture
def hotel_order(workspace, buyer, seller, hotel):
    return builders.order(
        workspace,
        "ORD-H1",
        buyer=buyer,
        seller=seller,
        kind="hotel",
        total=40000,
        payments=[PaymentInput("PAY-H1", status="captured", amount=40000, captured_amount=40000)],
        bookings=[
            BookingInput(
                "BK-1",
                kind="hotel",
                title="Hotel Amstel, 2 nights",
                third_party="H-1",
                confirmation_code="AMS-4471",
                transfer_status="failed",
            )
        ],
    )


@pytest.fixture
def hotel_case(workspace, buyer, hotel_order):
    return builders.case(
        workspace, requester=buyer, order=hotel_order, subject="The hotel has no room for me"
    )


@pytest.fixture
def agent(workspace):
    return desk_actor(workspace, "anna@desk.test", "agent")


@pytest.fixture
def supervisor(workspace):
    return desk_actor(workspace, "sue@desk.test", "supervisor")
