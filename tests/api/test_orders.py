"""PUT/GET /orders/{external_id}: the order read model, fed by the marketplace."""

import copy

import pytest

from ombuds.marketplace.models import Booking, Order, OrderLine, Payment, Shipment
from tests import builders
from tests.api.client import assert_error

ORDER = {
    "buyer": "B-1",
    "seller": "S-1",
    "kind": "event_ticket",
    "currency": "EUR",
    "total": 12500,
    "status": "paid",
    "placed_at": "2025-03-01T10:00:00+01:00",
    "metadata": {"channel": "app"},
    "lines": [{"description": "2x Main stage", "quantity": 2, "unit_price": 6250}],
    "payments": [
        {
            "external_id": "PAY-1",
            "status": "captured",
            "amount": 12500,
            "captured_amount": 12500,
            "provider": "adyen",
            "method": "ideal",
            "captured_at": "2025-03-01T10:01:00Z",
        }
    ],
    "bookings": [
        {
            "external_id": "BK-1",
            "kind": "event_ticket",
            "title": "Lowlands 2025",
            "location": "Biddinghuizen",
            "third_party": "V-1",
            "starts_at": "2025-08-15T12:00:00Z",
            "holder_name": "Bram Buyer",
            "transfer_status": "pending",
            "transfer_due_at": "2025-08-01T12:00:00Z",
        }
    ],
    "shipments": [
        {
            "external_id": "SH-1",
            "carrier": "PostNL",
            "tracking_number": "3S123",
            "tracking_url": "https://postnl.example/3S123",
            "status": "in_transit",
            "promised_at": "2025-03-04",
        }
    ],
}


@pytest.fixture
def parties(workspace, buyer, seller):
    builders.party(workspace, "V-1", kind="third_party", name="Lowlands Festival")


def order_with(**changes):
    body = copy.deepcopy(ORDER)
    body.update(changes)
    return body


def rows():
    return [m.objects.count() for m in (Order, OrderLine, Payment, Booking, Shipment)]


def test_put_creates_an_order_with_everything_in_it(admin_api, parties):
    response = admin_api.put("/orders/ORD-9", ORDER)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["external_id"], body["total"], body["currency"]) == ("ORD-9", 12500, "EUR")
    assert body["buyer"]["external_id"] == "B-1"
    assert body["seller"]["external_id"] == "S-1"
    assert body["lines"] == [
        {"position": 1, "description": "2x Main stage", "quantity": 2, "unit_price": 6250}
    ]
    assert body["payments"][0]["captured_amount"] == 12500
    assert body["bookings"][0]["third_party"] == "V-1"
    assert body["shipments"][0]["promised_at"] == "2025-03-04"
    assert rows() == [1, 1, 1, 1, 1]


def test_get_returns_the_order_its_events_and_its_cases(read_only_api, workspace, order, case):
    response = read_only_api.get("/orders/ORD-1")
    assert response.status_code == 200
    body = response.json()
    assert body["events"] == []
    assert [c["reference"] for c in body["cases"]] == [case.reference]


def test_the_same_order_twice_changes_nothing(admin_api, parties):
    # Given an order the marketplace sent once
    admin_api.put("/orders/ORD-9", ORDER)
    stamps = [row.updated_at for row in (Order.objects.get(), Payment.objects.get())]
    line_ids = list(OrderLine.objects.values_list("pk", flat=True))
    # When it sends the same order again
    again = admin_api.put("/orders/ORD-9", ORDER)
    # Then it answers 200 and no row was touched
    assert again.status_code == 200
    assert [row.updated_at for row in (Order.objects.get(), Payment.objects.get())] == stamps
    assert list(OrderLine.objects.values_list("pk", flat=True)) == line_ids


def test_put_updates_what_changed(admin_api, parties):
    admin_api.put("/orders/ORD-9", ORDER)
    response = admin_api.put("/orders/ORD-9", order_with(status="cancelled", lines=[]))
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["lines"] == []


@pytest.mark.parametrize(
    "changes, status, code",
    [
        ({"currency": "XXY"}, 422, "unknown_currency"),
        ({"currency": "eur"}, 422, "unknown_currency"),
        ({"total": -1}, 422, "negative_amount"),
        ({"total": 12.5}, 422, "validation_error"),
        ({"total": "12500"}, 422, "validation_error"),
        ({"total": True}, 422, "validation_error"),
        ({"total": 2**70}, 422, "validation_error"),
        ({"status": "shipped"}, 422, "validation_error"),
        ({"kind": "car"}, 422, "validation_error"),
        ({"placed_at": "2025-03-01T10:00:00"}, 422, "validation_error"),
        ({"buyer": "B-404"}, 422, "unknown_party"),
        (
            {"lines": [{"description": "x", "quantity": 0, "unit_price": 1}]},
            422,
            "invalid_quantity",
        ),
        (
            {"lines": [{"description": "x", "quantity": 1, "unit_price": -5}]},
            422,
            "negative_amount",
        ),
        (
            {"lines": [{"description": "x" * 501, "quantity": 1, "unit_price": 5}]},
            422,
            "validation_error",
        ),
        (
            {"payments": [{**ORDER["payments"][0], "refunded_amount": 99999}]},
            422,
            "refund_exceeds_capture",
        ),
        ({"payments": [{**ORDER["payments"][0], "status": "lost"}]}, 422, "validation_error"),
        (
            {"bookings": [{**ORDER["bookings"][0], "transfer_status": "maybe"}]},
            422,
            "validation_error",
        ),
        ({"bookings": [{**ORDER["bookings"][0], "third_party": "V-404"}]}, 422, "unknown_party"),
        (
            {"shipments": [{**ORDER["shipments"][0], "status": "teleported"}]},
            422,
            "validation_error",
        ),
        ({"totl": 12500}, 422, "validation_error"),
    ],
)
def test_bad_orders_are_refused_and_nothing_is_written(admin_api, parties, changes, status, code):
    assert_error(admin_api.put("/orders/ORD-9", order_with(**changes)), status, code)
    assert rows() == [0, 0, 0, 0, 0]


def test_a_refused_update_leaves_the_order_as_it_was(admin_api, parties):
    # Given an order with a payment
    admin_api.put("/orders/ORD-9", ORDER)
    # When an update changes the total but names a venue nobody sent
    bad = order_with(total=999, bookings=[{**ORDER["bookings"][0], "third_party": "V-404"}])
    assert_error(admin_api.put("/orders/ORD-9", bad), 422, "unknown_party")
    # Then the total is what it was, though the order row was saved before the booking
    assert Order.objects.get().total == 12500


def test_only_admins_may_write_orders(agent_api, read_only_api, parties):
    assert_error(agent_api.put("/orders/ORD-9", ORDER), 403, "forbidden")
    assert_error(read_only_api.put("/orders/ORD-9", ORDER), 403, "forbidden")
    assert rows() == [0, 0, 0, 0, 0]


def test_another_workspaces_order_is_not_found(other_api, order):
    assert_error(other_api.get("/orders/ORD-1"), 404, "order_not_found")


def test_an_order_cannot_name_another_workspaces_buyer(other_api, buyer):
    response = other_api.put("/orders/ORD-9", order_with(seller=None, bookings=[]))
    assert_error(response, 422, "unknown_party")
    assert not Order.objects.exists()
