"""POST /cases, GET and PATCH /cases/{reference}."""

import pytest

from ombuds.accounts.services import create_team
from ombuds.conversations.models import Case, CaseEvent, Message
from ombuds.marketplace.models import Party
from tests import builders
from tests.api.client import assert_error

NEW_CASE = {
    "subject": "Tickets never arrived",
    "body": "I paid but got no tickets.",
    "requester": {"email": "Lea@Example.com", "name": "Lea"},
    "priority": "high",
    "tags": ["Tickets", "late"],
    "language": "nl",
}


def test_post_opens_a_case_for_a_new_customer(agent_api, workspace):
    response = agent_api.post("/cases", NEW_CASE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == "RES-1"
    assert body["channel"] == "api"
    assert body["priority"] == "high"
    assert body["tags"] == ["late", "tickets"]
    assert body["requester"]["email"] == "lea@example.com"
    case = Case.objects.get(reference="RES-1")
    assert case.messages.get().body_text == "I paid but got no tickets."
    assert case.events.get(kind="case.created").actor_user.email == "agent-api@resale.test"


def test_post_finds_the_known_customer_and_links_the_order(agent_api, buyer, order):
    body = {**NEW_CASE, "requester": {"email": "bram@example.com"}, "order": "ORD-1"}
    response = agent_api.post("/cases", body)
    assert response.status_code == 201
    assert response.json()["requester"]["external_id"] == "B-1"
    assert response.json()["order"] == "ORD-1"
    assert Party.objects.filter(email="bram@example.com").count() == 1


def test_an_unknown_order_is_refused_and_no_customer_is_created(agent_api):
    response = agent_api.post("/cases", {**NEW_CASE, "order": "ORD-404"})
    assert_error(response, 422, "unknown_order")
    assert not Party.objects.exists()


def test_another_workspaces_order_is_an_unknown_order(other_api, order):
    response = other_api.post("/cases", {**NEW_CASE, "order": "ORD-1"})
    assert_error(response, 422, "unknown_order")


@pytest.mark.parametrize(
    "changes, status, code",
    [
        ({"body": "   "}, 422, "empty_message"),
        ({"subject": " "}, 422, "empty_subject"),
        ({"priority": "asap"}, 422, "validation_error"),
        ({"channel": "pigeon"}, 422, "validation_error"),
        ({"requester": {"email": "nobody"}}, 400, "invalid_email"),
        ({"requester": {}}, 422, "validation_error"),
        ({"tags": [f"t{i}" for i in range(21)]}, 422, "too_many_tags"),
        ({"subject": "x" * 301}, 422, "validation_error"),
    ],
)
def test_bad_cases_are_refused_and_nothing_is_left_behind(agent_api, changes, status, code):
    # The customer is created before the case; a refused case must take them back.
    assert_error(agent_api.post("/cases", {**NEW_CASE, **changes}), status, code)
    assert [Case.objects.count(), Party.objects.count(), Message.objects.count()] == [0, 0, 0]


def test_read_only_may_read_but_not_open_cases(read_only_api, case):
    assert read_only_api.get(f"/cases/{case.reference}").status_code == 200
    assert_error(read_only_api.post("/cases", NEW_CASE), 403, "forbidden")
    assert Case.objects.count() == 1


def test_get_shows_one_case(agent_api, case):
    response = agent_api.get(f"/cases/{case.reference.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == case.reference
    assert body["order"] == "ORD-1"
    assert body["requester"]["name"] == "Bram Buyer"


def test_patch_changes_each_field_with_one_event_each(agent_api, workspace, agent, case):
    team = create_team(workspace=workspace, name="Tickets")
    response = agent_api.patch(
        f"/cases/{case.reference}",
        {
            "status": "pending_customer",
            "priority": "urgent",
            "assignee": agent.pk,
            "team": team.pk,
            "tags": ["refund"],
            "subject": "Tickets missing",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "pending_customer"
    assert body["assignee"] == {"id": agent.pk, "name": "Anna Agent", "email": agent.email}
    assert body["team"] == {"id": team.pk, "name": "Tickets"}
    assert body["tags"] == ["refund"]
    kinds = set(case.events.exclude(kind="case.created").values_list("kind", flat=True))
    assert kinds == {
        "status.changed",
        "priority.changed",
        "assignee.changed",
        "team.changed",
        "tags.changed",
        "subject.changed",
    }


def test_patch_null_clears_and_absent_leaves_alone(agent_api, workspace, agent, case):
    agent_api.patch(f"/cases/{case.reference}", {"assignee": agent.pk, "priority": "high"})
    body = agent_api.patch(f"/cases/{case.reference}", {"assignee": None}).json()
    assert body["assignee"] is None
    assert body["priority"] == "high"


def test_an_invalid_transition_is_a_conflict(agent_api, case):
    agent_api.patch(f"/cases/{case.reference}", {"status": "closed"})
    response = agent_api.patch(f"/cases/{case.reference}", {"status": "open"})
    body = assert_error(response, 409, "invalid_transition")
    assert body["details"] == {"from": "closed", "to": "open"}


def test_a_refused_patch_changes_nothing(agent_api, case):
    events = CaseEvent.objects.count()
    response = agent_api.patch(f"/cases/{case.reference}", {"priority": "high", "subject": " "})
    assert_error(response, 422, "empty_subject")
    case.refresh_from_db()
    assert case.priority == "normal"
    assert CaseEvent.objects.count() == events


@pytest.mark.parametrize(
    "body, code",
    [
        ({"status": "archived"}, "validation_error"),
        ({"priority": "asap"}, "validation_error"),
        ({"assignee": "1"}, "validation_error"),
        ({"assignee": 999999}, "unknown_assignee"),
        ({"team": 999999}, "unknown_team"),
        ({"owner": 1}, "validation_error"),
    ],
)
def test_bad_patches_are_refused(agent_api, case, body, code):
    assert_error(agent_api.patch(f"/cases/{case.reference}", body), 422, code)


def test_people_and_teams_of_another_workspace_cannot_be_assigned(agent_api, other_workspace, case):
    outsider = builders.member(other_workspace, "out@other.test")
    their_team = create_team(workspace=other_workspace, name="Theirs")
    for body, code in (
        ({"assignee": outsider.pk}, "unknown_assignee"),
        ({"team": their_team.pk}, "unknown_team"),
    ):
        assert_error(agent_api.patch(f"/cases/{case.reference}", body), 422, code)
    case.refresh_from_db()
    assert (case.assignee_id, case.team_id) == (None, None)


def test_read_only_may_not_patch(read_only_api, case):
    assert_error(
        read_only_api.patch(f"/cases/{case.reference}", {"status": "open"}), 403, "forbidden"
    )


@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_another_workspaces_case_is_not_found(other_api, case, method):
    response = other_api.send(method, f"/cases/{case.reference}", {"priority": "high"})
    assert_error(response, 404, "case_not_found")
    case.refresh_from_db()
    assert case.priority == "normal"
