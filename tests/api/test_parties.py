"""PUT/GET /parties/{external_id}: the marketplace keeps its buyers and sellers in sync."""

import pytest

from ombuds.marketplace.models import Party, PartyIdentity
from ombuds.marketplace.services import find_or_create_party_by_email
from tests import builders
from tests.api.client import assert_error

SELLER = {
    "kind": "seller",
    "name": "Sam's Tickets",
    "email": "Sam@Tickets.example",
    "phone": "+31201234567",
    "language": "nl",
    "is_vip": True,
}


def test_put_creates_a_party_with_201(admin_api, workspace):
    response = admin_api.put("/parties/S-9", SELLER)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["external_id"] == "S-9"
    assert body["kind"] == "seller"
    assert body["email"] == "sam@tickets.example"
    assert body["is_vip"] is True
    assert body["cases"] == [] and body["orders"] == []
    assert Party.objects.get(workspace=workspace, external_id="S-9").name == "Sam's Tickets"


def test_put_updates_an_existing_party_with_200(admin_api):
    admin_api.put("/parties/S-9", SELLER)
    response = admin_api.put("/parties/S-9", {**SELLER, "name": "Sam & Co"})
    assert response.status_code == 200
    assert response.json()["name"] == "Sam & Co"
    assert Party.objects.filter(external_id="S-9").count() == 1


def test_the_same_payload_twice_changes_nothing(admin_api):
    # Given a party the marketplace sent once
    admin_api.put("/parties/S-9", SELLER)
    stamp = Party.objects.get(external_id="S-9").updated_at
    # When it sends exactly the same again
    again = admin_api.put("/parties/S-9", SELLER)
    # Then nothing was written
    assert again.status_code == 200
    assert Party.objects.get(external_id="S-9").updated_at == stamp


def test_put_adopts_a_prospect_who_wrote_in_before_buying(admin_api, workspace):
    # Given someone who wrote in by email before the marketplace knew them
    prospect = find_or_create_party_by_email(workspace=workspace, email="new@example.com")
    builders.case(workspace, requester=prospect)
    # When the marketplace sends them as a buyer
    response = admin_api.put(
        "/parties/B-77", {"kind": "buyer", "name": "New", "email": "new@example.com"}
    )
    # Then it is the same person, with their case
    assert response.status_code == 201
    assert Party.objects.get(pk=prospect.pk).external_id == "B-77"
    assert [c["reference"] for c in response.json()["cases"]] == ["RES-1"]


def test_get_shows_the_party_with_its_cases_and_orders(read_only_api, workspace, buyer, order):
    builders.case(workspace, requester=buyer, subject="Late parcel", order=order)
    response = read_only_api.get("/parties/B-1")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Bram Buyer"
    assert [c["subject"] for c in body["cases"]] == ["Late parcel"]
    assert [o["external_id"] for o in body["orders"]] == ["ORD-1"]


def test_a_seller_sees_cases_about_their_orders(agent_api, case):
    body = agent_api.get("/parties/S-1").json()
    assert [c["reference"] for c in body["cases"]] == [case.reference]


@pytest.mark.parametrize(
    "payload, code, status",
    [
        ({**SELLER, "kind": "hotel"}, "validation_error", 422),
        ({**SELLER, "email": "not-an-address"}, "invalid_email", 400),
        ({**SELLER, "is_vip": "yes"}, "validation_error", 422),
        ({**SELLER, "name": "x" * 201}, "validation_error", 422),
        ({**SELLER, "nickname": "Sammy"}, "validation_error", 422),
        ({"kind": "seller"}, "validation_error", 422),
    ],
)
def test_bad_parties_are_refused_without_a_write(admin_api, payload, code, status):
    assert_error(admin_api.put("/parties/S-9", payload), status, code)
    assert not Party.objects.exists()
    assert not PartyIdentity.objects.exists()


def test_an_email_that_belongs_to_another_party_is_a_conflict(admin_api, buyer):
    response = admin_api.put("/parties/S-9", {**SELLER, "email": "bram@example.com"})
    assert_error(response, 409, "identity_taken")
    assert not Party.objects.filter(external_id="S-9").exists()


def test_only_admins_may_write_parties(agent_api, read_only_api):
    assert_error(agent_api.put("/parties/S-9", SELLER), 403, "forbidden")
    assert_error(read_only_api.put("/parties/S-9", SELLER), 403, "forbidden")
    assert not Party.objects.exists()


def test_a_wrong_role_is_refused_before_the_body_is_read(agent_api):
    assert_error(agent_api.put("/parties/S-9", "{not json"), 403, "forbidden")


def test_another_workspaces_party_is_not_found(other_api, buyer):
    assert_error(other_api.get("/parties/B-1"), 404, "party_not_found")


def test_the_same_external_id_in_another_workspace_is_another_party(other_api, buyer):
    # External ids are the marketplace's own: each workspace has its own namespace.
    response = other_api.put("/parties/B-1", {"kind": "buyer", "name": "Someone else"})
    assert response.status_code == 201
    buyer.refresh_from_db()
    assert buyer.name == "Bram Buyer"
