"""POST /orders/{external_id}/events: what happens to an order reaches its cases."""

from ombuds.conversations.models import CaseEvent
from ombuds.marketplace.inputs import ShipmentInput
from ombuds.marketplace.models import OrderEvent, Shipment, ShipmentStatus
from tests import builders
from tests.api.client import assert_error

DELAYED = {
    "type": "shipment.delayed",
    "occurred_at": "2025-03-03T09:00:00Z",
    "data": {"shipment": "SH-1", "new_eta": "2025-03-06"},
    "id": "EVT-1",
}


def test_an_event_lands_on_the_order_and_on_every_case_about_it(
    admin_api, workspace, buyer, order, case
):
    # Given two cases about the same order, and one about nothing
    second = builders.case(workspace, requester=buyer, subject="Also late", order=order)
    unrelated = builders.case(workspace, requester=buyer, subject="Password reset")
    # When the marketplace reports a delay
    response = admin_api.post("/orders/ORD-1/events", DELAYED)
    # Then it is on the order's events
    assert response.status_code == 201, response.content
    assert response.json()["id"] == "EVT-1"
    events = admin_api.get("/orders/ORD-1").json()["events"]
    assert [(e["type"], e["id"]) for e in events] == [("shipment.delayed", "EVT-1")]
    # And on the timeline of each case of the order, not of the other case
    for c in (case, second):
        timeline = admin_api.get(f"/cases/{c.reference}/timeline").json()
        order_events = [e for e in timeline if e["kind"] == "order.event"]
        assert [e["data"]["type"] for e in order_events] == ["shipment.delayed"]
        assert order_events[0]["actor"]["type"] == "user"
    assert not CaseEvent.objects.filter(case=unrelated, kind="order.event").exists()


def test_an_event_moves_the_shipment_it_names(admin_api, workspace, buyer):
    builders.order(
        workspace,
        "ORD-2",
        buyer=buyer,
        shipments=[_shipment("SH-1"), _shipment("SH-2")],
    )
    admin_api.post("/orders/ORD-2/events", DELAYED)
    statuses = dict(Shipment.objects.values_list("external_id", "status"))
    assert statuses == {"SH-1": ShipmentStatus.DELAYED, "SH-2": ShipmentStatus.IN_TRANSIT}


def _shipment(external_id):
    return ShipmentInput(external_id=external_id, carrier="PostNL", status="in_transit")


def test_the_same_event_id_twice_is_recorded_once(admin_api, order, case):
    assert admin_api.post("/orders/ORD-1/events", DELAYED).status_code == 201
    again = admin_api.post("/orders/ORD-1/events", DELAYED)
    assert again.status_code == 200
    assert OrderEvent.objects.count() == 1
    assert CaseEvent.objects.filter(kind="order.event").count() == 1


def test_events_without_an_id_are_all_kept(admin_api, order):
    event = {key: value for key, value in DELAYED.items() if key != "id"}
    assert admin_api.post("/orders/ORD-1/events", event).status_code == 201
    assert admin_api.post("/orders/ORD-1/events", event).status_code == 201
    assert OrderEvent.objects.count() == 2


def test_bad_events_are_refused_without_a_write(admin_api, order, case):
    cases = [
        ({**DELAYED, "type": "Delayed!"}, 422, "invalid_event_type"),
        ({**DELAYED, "occurred_at": "yesterday"}, 422, "validation_error"),
        ({**DELAYED, "occurred_at": "2025-03-03T09:00:00"}, 422, "validation_error"),
        ({**DELAYED, "data": ["not", "an", "object"]}, 422, "validation_error"),
        ({"type": "shipment.delayed"}, 422, "validation_error"),
    ]
    for body, status, code in cases:
        assert_error(admin_api.post("/orders/ORD-1/events", body), status, code)
    assert not OrderEvent.objects.exists()
    assert not CaseEvent.objects.filter(kind="order.event").exists()


def test_only_admins_may_report_order_events(agent_api, read_only_api, order):
    assert_error(agent_api.post("/orders/ORD-1/events", DELAYED), 403, "forbidden")
    assert_error(read_only_api.post("/orders/ORD-1/events", DELAYED), 403, "forbidden")
    assert not OrderEvent.objects.exists()


def test_events_for_unknown_or_foreign_orders_are_not_found(admin_api, other_api, order):
    assert_error(admin_api.post("/orders/ORD-404/events", DELAYED), 404, "order_not_found")
    assert_error(other_api.post("/orders/ORD-1/events", DELAYED), 404, "order_not_found")
    assert not OrderEvent.objects.exists()
