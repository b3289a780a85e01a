"""/api/v1/routing: an agent sets their presence; anyone of the workspace sees the queues,
their backlogs and the people who work them."""

import pytest

from ombuds.accounts.models import Membership
from ombuds.conversations.models import Case
from ombuds.routing.models import AgentProfile
from tests import builders
from tests.api.client import Api, assert_error
from tests.routing import builders as rb


@pytest.fixture
def support(workspace):
    return rb.team(workspace, "Support")


@pytest.fixture
def general(workspace, support):
    return rb.queue(workspace, "General", team=support)


def test_an_agent_goes_online_and_the_backlog_comes_to_them(
    workspace, buyer, agent_api, support, general, django_capture_on_commit_callbacks
):
    waiting = builders.case(workspace, requester=buyer)  # no language asked of the agent
    member = Membership.objects.get(user__email="agent-api@resale.test")
    support.members.add(member.user)

    assert agent_api.get("/routing/presence").json() == {
        "presence": "offline",
        "changed_at": None,
        "capacity": 0,
        "active": 0,
        "hand_over_pending": False,
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = agent_api.put("/routing/presence", {"presence": "online"})

    assert answer.status_code == 200, answer.content
    assert answer.json()["presence"] == "online"
    assert answer.json()["capacity"] == AgentProfile._meta.get_field("capacity").default
    waiting.refresh_from_db()
    assert waiting.assignee == member.user
    assert agent_api.get("/routing/presence").json()["active"] == 1


def test_going_offline_says_a_hand_over_is_pending_while_cases_stay(
    workspace, buyer, agent_api, support, general
):
    member = Membership.objects.get(user__email="agent-api@resale.test")
    support.members.add(member.user)
    agent_api.put("/routing/presence", {"presence": "online"})
    builders.case(workspace, requester=buyer)

    answer = agent_api.put("/routing/presence", {"presence": "offline"})

    # In this test nothing commits, so the hand-over (which runs after commit) is pending.
    assert answer.json()["presence"] == "offline"
    assert answer.json()["hand_over_pending"] is True
    assert answer.json()["active"] == 1


@pytest.mark.parametrize(
    "body, code",
    [
        ({"presence": "busy"}, "validation_error"),
        ({}, "validation_error"),
        ({"presence": "online", "extra": 1}, "validation_error"),
    ],
)
def test_a_bad_presence_is_refused(agent_api, body, code):
    assert_error(agent_api.put("/routing/presence", body), 422, code)


def test_read_only_may_look_but_not_set_a_presence(read_only_api):
    assert read_only_api.get("/routing/presence").status_code == 200
    assert_error(read_only_api.put("/routing/presence", {"presence": "online"}), 403, "forbidden")
    assert not AgentProfile.objects.exists()


def test_queues_list_their_backlogs_in_rule_order(workspace, buyer, admin_api, support, general):
    general.position = 5
    general.save()
    rb.queue(workspace, "VIP", team=support, position=1, vip="only", strategy="round_robin")
    rb.agent(workspace, "Anna", team=support, capacity=0)
    for priority in ("normal", "urgent"):
        builders.case(workspace, requester=buyer, priority=priority)

    queues = admin_api.get("/routing/queues").json()

    assert [(q["name"], q["backlog"], q["strategy"]) for q in queues] == [
        ("VIP", 0, "round_robin"),
        ("General", 2, "least_loaded"),
    ]
    assert queues[1]["team"] == "Support"
    assert queues[1]["agents_online"] == 0  # online, but capacity 0 takes nothing
    assert queues[1]["oldest_waiting_since"]
    backlog = admin_api.get(f"/routing/queues/{general.pk}/backlog").json()
    assert [b["priority"] for b in backlog] == ["urgent", "normal"]
    assert backlog[0]["reference"] == Case.objects.get(priority="urgent").reference


def test_agents_are_listed_with_presence_load_and_skills(workspace, admin_api, support):
    rb.agent(workspace, "Daan", team=support, languages=("nl",), channels=("chat",), capacity=6)

    daan = next(a for a in admin_api.get("/routing/agents").json() if a["name"] == "Daan")

    assert daan == {
        "id": daan["id"],
        "name": "Daan",
        "role": "agent",
        "presence": "online",
        "capacity": 6,
        "active": 0,
        "skills": ["channel:chat", "language:nl"],
        "teams": ["Support"],
    }


def test_another_workspace_sees_none_of_this(workspace, other_api, support, general):
    rb.agent(workspace, "Daan", team=support)
    assert other_api.get("/routing/queues").json() == []
    assert all(a["name"] != "Daan" for a in other_api.get("/routing/agents").json())
    assert_error(other_api.get(f"/routing/queues/{general.pk}/backlog"), 404, "queue_not_found")


def test_routing_wants_a_token(anonymous_api):
    for method, path in [
        ("GET", "/routing/presence"),
        ("PUT", "/routing/presence"),
        ("GET", "/routing/queues"),
        ("GET", "/routing/queues/1/backlog"),
        ("GET", "/routing/agents"),
    ]:
        assert_error(anonymous_api.send(method, path, {}), 401, "unauthorized")


def test_the_reason_is_on_the_api_timeline(workspace, buyer, admin_api, support, general):
    rb.agent(workspace, "Daan", team=support, languages=("nl",), capacity=6)
    case = builders.case(workspace, requester=buyer, language="nl")

    timeline = Api(admin_api.token).get(f"/cases/{case.reference}/timeline").json()

    routed = next(e for e in timeline if e["kind"] == "routing.assigned")
    assert routed["data"]["reason"] == "least loaded: 0 of 6 active, speaks nl"
