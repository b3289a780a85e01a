"""Every refusal has the same shape, {"code", "message", "details"}, and none is a 500."""

import pytest

from ombuds.accounts.models import ApiToken
from ombuds.accounts.services import revoke_token
from ombuds.conversations.models import Case
from ombuds.marketplace.models import Party
from tests.api.client import Api, assert_error


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/cases"),
        ("POST", "/cases"),
        ("GET", "/cases/RES-1"),
        ("PATCH", "/cases/RES-1"),
        ("GET", "/cases/RES-1/messages"),
        ("POST", "/cases/RES-1/messages"),
        ("GET", "/cases/RES-1/timeline"),
        ("GET", "/parties/B-1"),
        ("PUT", "/parties/B-1"),
        ("GET", "/orders/ORD-1"),
        ("PUT", "/orders/ORD-1"),
        ("POST", "/orders/ORD-1/events"),
    ],
)
def test_every_endpoint_wants_a_token(anonymous_api, method, path):
    response = anonymous_api.send(method, path, {})
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    ["Bearer omb_nope_nope", "Bearer ", "Basic dXNlcjpwYXNz", "omb_x_y", "Bearer a b c"],
)
def test_an_unknown_or_malformed_token_is_refused(db, header):
    api = Api()
    response = api.client.get("/api/v1/cases", HTTP_AUTHORIZATION=header)
    assert_error(response, 401, "unauthorized")


def test_a_revoked_token_is_refused(admin_api):
    assert admin_api.get("/cases").status_code == 200
    revoke_token(token=ApiToken.objects.get())
    assert_error(admin_api.get("/cases"), 401, "unauthorized")


def test_a_token_works_only_in_its_workspace(admin_api, other_api, case):
    # Given a case in the first workspace, the other workspace's admin sees nothing of it.
    assert admin_api.get(f"/cases/{case.reference}").status_code == 200
    assert_error(other_api.get(f"/cases/{case.reference}"), 404, "case_not_found")
    assert other_api.get("/cases").json()["items"] == []


def test_malformed_json_is_refused_without_a_write(agent_api):
    response = agent_api.post("/cases", '{"subject": "Broken", ')
    assert_error(response, 400, "invalid_json")
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe not utf-8", '{"total": NaN}', '{"total": Infinity}'],
)
def test_bodies_json_cannot_hold_are_refused(admin_api, body):
    assert_error(admin_api.put("/orders/ORD-9", body), 400, "invalid_json")


@pytest.mark.parametrize("body", ["null", "[]", '"text"', "42"])
def test_a_body_that_is_not_an_object_is_a_validation_error(agent_api, body):
    assert_error(agent_api.post("/cases", body), 422, "validation_error")


def test_an_empty_body_is_a_validation_error(agent_api):
    assert_error(agent_api.post("/cases", ""), 422, "validation_error")


def test_validation_errors_name_each_field_as_sent(admin_api, buyer):
    response = admin_api.put(
        "/orders/ORD-9",
        {
            "buyer": "B-1",
            "kind": "goods",
            "currency": "EUR",
            "total": "12500",
            "lines": [{"description": "Shoes", "quantity": 1, "unit_price": 99.5}],
        },
    )
    body = assert_error(response, 422, "validation_error")
    assert {(e["location"], e["field"]) for e in body["details"]} == {
        ("body", "total"),
        ("body", "lines.0.unit_price"),
    }


def test_nul_characters_are_refused_in_body_path_and_query(agent_api, admin_api, buyer):
    body = {"subject": "Hi\u0000", "body": "x", "requester": {"email": "a@example.com"}}
    assert_error(agent_api.post("/cases", body), 400, "invalid_characters")
    assert_error(agent_api.get("/cases", {"q": "a\x00b"}), 400, "invalid_characters")
    assert_error(agent_api.get("/cases/RES-1%00"), 400, "invalid_characters")
    assert Party.objects.count() == 1  # only the buyer the test started with


def test_an_unknown_path_is_a_json_404(agent_api):
    assert_error(agent_api.get("/nothing/here"), 404, "not_found")


def test_a_wrong_method_is_a_json_405(agent_api):
    response = agent_api.send("DELETE", "/cases")
    body = assert_error(response, 405, "method_not_allowed")
    assert body["details"]["allowed"] == ["GET", "POST"]
    assert response["Allow"]


def test_a_bug_is_a_500_in_the_same_shape_and_is_logged(agent_api, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("ombuds.conversations.api.cases_for_inbox", broken)
    body = assert_error(agent_api.get("/cases"), 500, "internal_error")
    assert "boom" not in body["message"]
    assert any(r.message == "api.internal_error" for r in caplog.records)


def test_a_model_rule_the_schema_does_not_repeat_is_a_422(admin_api, buyer):
    # URLField shape is only checked by the model's full_clean.
    response = admin_api.put(
        "/orders/ORD-9",
        {
            "buyer": "B-1",
            "kind": "goods",
            "currency": "EUR",
            "total": 100,
            "shipments": [{"external_id": "SH-1", "carrier": "DHL", "tracking_url": "nope"}],
        },
    )
    assert_error(response, 422, "validation_error")


def test_openapi_and_docs_are_served(db):
    client = Api().client
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Ombuds API"
    assert "/api/v1/cases/{reference}/messages" in schema["paths"]
    assert "BearerToken" in schema["components"]["securitySchemes"]
    assert client.get("/api/v1/docs").status_code == 200


def test_a_body_over_the_upload_limit_is_a_413(agent_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = {"subject": "Big", "body": "x" * 2048, "requester": {"email": "a@example.com"}}
    assert_error(agent_api.post("/cases", body), 413, "request_too_large")
    assert Case.objects.count() == 0
