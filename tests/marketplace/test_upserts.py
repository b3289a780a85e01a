from datetime import UTC, date, datetime

import pytest

from ombuds.core.errors import ApplicationError
from ombuds.marketplace.inputs import (
    BookingInput,
    LineInput,
    OrderInput,
    PaymentInput,
    ShipmentInput,
)
from ombuds.marketplace.models import Order, OrderLine, Party, PartyIdentity, Payment
from ombuds.marketplace.services import (
    find_or_create_party_by_email,
    record_order_event,
    upsert_order,
    upsert_party,
)
from tests import builders

WHEN = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def ticket_order(buyer="B-1", seller="S-1", **changes) -> OrderInput:
    spec = OrderInput(
        buyer=buyer,
        seller=seller,
        kind="event_ticket",
        currency="EUR",
        total=12500,
        lines=[builders_line("2x Standing, Ziggo Dome", 2, 6250)],
        payments=[
            PaymentInput(external_id="P-1", status="captured", amount=12500, captured_amount=12500)
        ],
        bookings=[
            BookingInput(
                external_id="BK-1",
                kind="event_ticket",
                title="Ziggo Dome",
                starts_at=WHEN,
                transfer_status="pending",
            )
        ],
    )
    for name, value in changes.items():
        setattr(spec, name, value)
    return spec


def builders_line(description, quantity, unit_price):
    return LineInput(description=description, quantity=quantity, unit_price=unit_price)


@pytest.fixture
def parties(workspace):
    builders.party(workspace, "B-1", name="Bram", email="bram@example.com")
    builders.party(workspace, "S-1", kind="seller", name="Sanne", email="sanne@example.com")


def test_same_party_payload_twice_changes_nothing(workspace):
    party, created = upsert_party(
        workspace=workspace, external_id="B-9", kind="buyer", name="Eva", email="Eva@Example.com"
    )
    stamp = party.updated_at
    again, changed = upsert_party(
        workspace=workspace, external_id="B-9", kind="buyer", name="Eva", email="eva@example.com"
    )
    assert created and not changed
    assert again.pk == party.pk and Party.objects.get(pk=party.pk).updated_at == stamp
    assert PartyIdentity.objects.get(party=party).value == "eva@example.com"


def test_prospect_who_wrote_in_becomes_the_marketplace_buyer(workspace):
    prospect = find_or_create_party_by_email(workspace=workspace, email="new@example.com")
    party, _ = upsert_party(
        workspace=workspace,
        external_id="B-77",
        kind="buyer",
        name="New Buyer",
        email="new@example.com",
    )
    assert party.pk == prospect.pk and party.external_id == "B-77"


def test_same_order_payload_twice_changes_nothing(workspace, parties):
    order, changed = upsert_order(workspace=workspace, external_id="O-1", spec=ticket_order())
    stamp = order.updated_at
    _, changed_again = upsert_order(workspace=workspace, external_id="O-1", spec=ticket_order())
    assert changed and not changed_again
    assert Order.objects.get(pk=order.pk).updated_at == stamp
    assert OrderLine.objects.filter(order=order).count() == 1
    assert Payment.objects.filter(order=order).count() == 1


@pytest.mark.parametrize(
    "change,code",
    [
        ({"currency": "EURO"}, "unknown_currency"),
        ({"total": -1}, "negative_amount"),
        ({"total": 12.5}, "invalid_amount"),
        ({"kind": "car"}, "unknown_order_kind"),
        ({"buyer": "nobody"}, "unknown_party"),
        (
            {
                "payments": [
                    PaymentInput(
                        external_id="P-2",
                        status="refunded",
                        amount=100,
                        captured_amount=100,
                        refunded_amount=101,
                    )
                ]
            },
            "refund_exceeds_capture",
        ),
        (
            {"shipments": [ShipmentInput(external_id="SH", carrier="DHL", status="teleported")]},
            "unknown_shipment_status",
        ),
    ],
)
def test_invalid_order_writes_nothing(workspace, parties, change, code):
    with pytest.raises(ApplicationError) as refused:
        upsert_order(workspace=workspace, external_id="O-1", spec=ticket_order(**change))
    assert refused.value.code == code
    assert not Order.objects.exists() and not Payment.objects.exists()


def test_another_workspace_cannot_reach_our_parties(workspace, other_workspace, parties):
    with pytest.raises(ApplicationError) as refused:
        upsert_order(workspace=other_workspace, external_id="O-1", spec=ticket_order())
    assert refused.value.code == "unknown_party"


def test_shipment_events_move_the_read_model(workspace, parties):
    order, _ = upsert_order(
        workspace=workspace,
        external_id="O-2",
        spec=ticket_order(
            kind="goods",
            bookings=[],
            shipments=[
                ShipmentInput(
                    external_id="SH-1",
                    carrier="PostNL",
                    status="in_transit",
                    promised_at=date(2026, 11, 3),
                )
            ],
        ),
    )
    event, created = record_order_event(
        workspace=workspace,
        order=order,
        type="shipment.delayed",
        occurred_at=WHEN,
        data={"shipment": "SH-1"},
        external_id="E-1",
    )
    again, created_again = record_order_event(
        workspace=workspace,
        order=order,
        type="shipment.delayed",
        occurred_at=WHEN,
        external_id="E-1",
    )
    assert created and not created_again and again.pk == event.pk
    assert order.shipments.get().status == "delayed"


def test_booking_transfer_failure_is_recorded(workspace, parties):
    order, _ = upsert_order(workspace=workspace, external_id="O-3", spec=ticket_order())
    record_order_event(
        workspace=workspace, order=order, type="booking.transfer_failed", occurred_at=WHEN
    )
    assert order.bookings.get().transfer_status == "failed"


@pytest.mark.parametrize("bad", ["", "delayed", "Shipment.Delayed", "shipment."])
def test_event_types_have_a_fixed_shape(workspace, parties, bad):
    order, _ = upsert_order(workspace=workspace, external_id="O-4", spec=ticket_order())
    with pytest.raises(ApplicationError) as refused:
        record_order_event(workspace=workspace, order=order, type=bad, occurred_at=WHEN)
    assert refused.value.code == "invalid_event_type"
