"""The web tests' shared scenario: a resale workspace with a ticket order, a seller, a
hotel and a few cases."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
import uvicorn

from ombuds.accounts.services import create_team
from ombuds.conversations.events import Actor
from ombuds.conversations.services import record_order_event
from ombuds.marketplace.inputs import BookingInput, LineInput, PaymentInput, ShipmentInput
from tests import builders

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def seller(workspace):
    return builders.party(
        workspace, "S-1", kind="seller", name="Sam Seller", email="sam@tickets.example"
    )


@pytest.fixture
def hotel(workspace):
    return builders.party(
        workspace, "H-1", kind="third_party", name="Hotel Aurora", email="desk@aurora.example"
    )


@pytest.fixture
def ticket_order(workspace, buyer, seller, hotel):
    """Two concert tickets with a hotel night: one booking still to transfer, one failed,
    printed tickets on a delayed shipment, a partly refunded payment."""
    return builders.order(
        workspace,
        "ORD-7731",
        buyer=buyer,
        seller=seller,
        kind="event_ticket",
        total=24950,
        placed_at=T0 - timedelta(days=20),
        lines=[
            LineInput("Coldplay — Amsterdam ArenA, row 12", 2, 9975),
            LineInput("Hotel Aurora, 1 night", 1, 5000),
        ],
        payments=[
            PaymentInput(
                "PAY-1",
                status="partially_refunded",
                amount=24950,
                captured_amount=24950,
                refunded_amount=5000,
                provider="adyen",
                method="ideal",
            )
        ],
        bookings=[
            BookingInput(
                "BK-1",
                kind="event_ticket",
                title="Coldplay — Music of the Spheres",
                location="Johan Cruijff ArenA",
                starts_at=T0 + timedelta(days=30),
                transfer_status="pending",
                transfer_due_at=T0 + timedelta(days=2),
            ),
            BookingInput(
                "BK-2",
                kind="hotel",
                title="Hotel Aurora, standard double",
                third_party="H-1",
                starts_at=T0 + timedelta(days=30),
                ends_at=T0 + timedelta(days=31),
                transfer_status="failed",
            ),
        ],
        shipments=[
            ShipmentInput(
                "SH-1",
                carrier="PostNL",
                tracking_number="3SPOST123456",
                tracking_url="https://tracking.example/3SPOST123456",
                status="delayed",
                promised_at=date(2026, 5, 3),
            )
        ],
    )


@pytest.fixture
def team(workspace, agent):
    return create_team(workspace=workspace, name="Tickets", members=[agent])


@pytest.fixture
def colleague(workspace):
    return builders.member(workspace, "ben@resale.test", role="agent", name="Ben Backup")


@pytest.fixture
def ticket_case(workspace, buyer, ticket_order):
    return builders.case(
        workspace,
        requester=buyer,
        order=ticket_order,
        subject="Tickets not transferred yet",
        body="The concert is next month and I still have no tickets.",
        tags=["transfer"],
    )


@pytest.fixture
def order_event(workspace, ticket_order, ticket_case):
    return record_order_event(
        workspace=workspace,
        order=ticket_order,
        type="shipment.delayed",
        occurred_at=T0,
        data={"shipment": "SH-1", "reason": "sorting centre"},
        actor=Actor.system("marketplace"),
    )[0]


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def asgi_server(transactional_db):
    """`ombuds serve`'s application under uvicorn, in a thread of this process, so it serves
    the test database (a file on SQLite: every server thread opens its own connection)."""
    from django.db import connections

    # Server threads close their connections after each request and socket call, so none
    # is left open on the test database when it is dropped at the end of the run.
    database = connections.settings["default"]
    kept_age, database["CONN_MAX_AGE"] = database["CONN_MAX_AGE"], 0
    port = _free_port()
    config = uvicorn.Config(
        "ombuds.config.asgi:application",
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        database["CONN_MAX_AGE"] = kept_age
