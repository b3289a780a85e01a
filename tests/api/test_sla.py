"""/api/v1/sla: policies (read by anyone who reads cases, changed by admins and
supervisors) and a case's clocks."""

from __future__ import annotations

from tests import builders
from tests.api.client import assert_error


def test_admins_create_list_patch_and_delete_policies(admin_api, workspace):
    created = admin_api.post(
        "/sla/policies",
        {
            "name": "Urgent",
            "priorities": ["urgent"],
            "first_response_minutes": 60,
            "on_breach": {"notify": "supervisors", "raise_priority": True},
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["priorities"] == ["urgent"]
    assert body["on_breach"] == {"notify": "supervisors", "raise_priority": True, "team": None}
    assert body["pause_statuses"] == ["pending_customer", "pending_third_party"]
    pk = body["id"]

    patched = admin_api.patch(f"/sla/policies/{pk}", {"resolution_minutes": 480})
    assert patched.status_code == 200
    assert (patched.json()["resolution_minutes"], patched.json()["first_response_minutes"]) == (
        480,
        60,
    )
    assert [p["name"] for p in admin_api.get("/sla/policies").json()] == ["Urgent"]
    assert admin_api.send("DELETE", f"/sla/policies/{pk}").status_code == 204
    assert admin_api.get("/sla/policies").json() == []


def test_agents_read_policies_but_may_not_change_them(admin_api, agent_api, workspace):
    admin_api.post("/sla/policies", {"name": "All", "first_response_minutes": 60})
    assert len(agent_api.get("/sla/policies").json()) == 1
    refused = agent_api.post("/sla/policies", {"name": "Mine", "first_response_minutes": 1})
    assert_error(refused, 403, "forbidden")


def test_invalid_policies_are_refused_with_the_field(admin_api):
    assert_error(admin_api.post("/sla/policies", {"name": "None"}), 422, "invalid_policy")
    assert_error(
        admin_api.post("/sla/policies", {"name": "X", "first_response_minutes": 0}),
        422,
        "validation_error",
    )
    refused = admin_api.post(
        "/sla/policies", {"name": "X", "first_response_minutes": 5, "calendar": 999999}
    )
    assert_error(refused, 422, "invalid_policy")
    assert "calendar" in refused.json()["details"]["errors"]


def test_policies_of_another_workspace_do_not_exist(admin_api, other_api):
    pk = admin_api.post("/sla/policies", {"name": "Ours", "first_response_minutes": 60}).json()[
        "id"
    ]
    assert_error(other_api.get(f"/sla/policies/{pk}"), 404, "policy_not_found")
    assert_error(other_api.send("DELETE", f"/sla/policies/{pk}"), 404, "policy_not_found")
    assert other_api.get("/sla/policies").json() == []


def test_a_case_shows_its_clocks(admin_api, workspace, buyer):
    admin_api.post(
        "/sla/policies", {"name": "All", "first_response_minutes": 60, "resolution_minutes": 600}
    )
    case = builders.case(workspace, requester=buyer)
    answer = admin_api.get(f"/sla/cases/{case.reference}/clocks")
    assert answer.status_code == 200
    clocks = {c["metric"]: c for c in answer.json()}
    assert set(clocks) == {"first_response", "resolution"}
    assert clocks["first_response"]["state"] == "running"
    assert clocks["first_response"]["target_minutes"] == 60
    assert clocks["resolution"]["policy"] == "All"
    assert_error(admin_api.get("/sla/cases/RES-999/clocks"), 404, "case_not_found")
