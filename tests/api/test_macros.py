"""GET /api/v1/macros and /macros/{id}/render: the approved answers for integrations."""

from __future__ import annotations

from ombuds.automation.macros.services import create_macro
from tests import builders


def test_list_and_render_for_a_case(agent_api, workspace, buyer):
    macro = create_macro(
        workspace=workspace,
        name="Hello",
        texts={"en": "Hi {{ buyer_first_name }} ({{ order_number }})", "nl": "Hoi"},
    )
    case = builders.case(workspace, requester=buyer)
    listed = agent_api.get("/macros")
    assert listed.status_code == 200
    (row,) = listed.json()
    assert row["name"] == "Hello" and row["version"] == 1 and row["languages"] == ["en", "nl"]

    rendered = agent_api.get(f"/macros/{macro.pk}/render", {"case": case.reference})
    assert rendered.status_code == 200
    assert rendered.json() == {
        "macro": macro.pk,
        "version": 1,
        "language": "en",
        "text": "Hi Bram ()",
        "missing": ["order_number"],
    }


def test_other_workspaces_macros_and_cases_are_not_found(agent_api, other_api, workspace, buyer):
    macro = create_macro(workspace=workspace, name="Mine", texts={"en": "x"})
    case = builders.case(workspace, requester=buyer)
    assert other_api.get("/macros").json() == []
    answer = other_api.get(f"/macros/{macro.pk}/render", {"case": case.reference})
    assert answer.status_code == 404
    assert answer.json()["code"] == "macro_not_found"
    missing_case = agent_api.get(f"/macros/{macro.pk}/render", {"case": "RES-999"})
    assert missing_case.status_code == 404


def test_reading_macros_needs_a_token(anonymous_api):
    assert anonymous_api.get("/macros").status_code == 401
