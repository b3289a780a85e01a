"""Routing in the desk: the presence switch in the header, the overview of queues and
people, the settings pages of supervisors, and the reason on the case page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case
from ombuds.conversations.services import update_case
from ombuds.routing.models import AgentProfile, Presence, Queue, QueueEntry
from tests import builders
from tests.routing import builders as rb


@pytest.fixture
def support(workspace, agent):
    team = rb.team(workspace, "Support")
    team.members.add(agent)
    return team


@pytest.fixture
def general(workspace, support):
    return rb.queue(workspace, "General", team=support)


@pytest.fixture
def lead(workspace):
    return rb.supervisor(workspace).user


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def routing_url(workspace, *parts) -> str:
    return f"/w/{workspace.slug}/routing/" + "".join(f"{p}/" for p in parts)


def test_the_header_shows_my_presence_and_read_only_members_get_no_switch(
    agent_client, client, workspace
):
    page = agent_client.get(f"/w/{workspace.slug}/inbox/").text
    assert 'id="presence-switch"' in page
    assert '<option value="offline" selected>Offline</option>' in page
    viewer = builders.member(workspace, "viewer@resale.test", role="read_only")
    client.force_login(viewer)
    assert 'id="presence-switch"' not in client.get(f"/w/{workspace.slug}/inbox/").text


def test_going_online_without_script_returns_to_the_page_and_says_so(
    agent_client, workspace, agent, buyer, support, general
):
    inbox = f"/w/{workspace.slug}/inbox/?view=mine"
    answer = agent_client.post(
        routing_url(workspace, "presence"), {"presence": "online", "next": inbox}, follow=True
    )

    assert answer.redirect_chain[-1][0] == inbox
    assert "You are online: new cases can come to you." in answer.text
    assert AgentProfile.objects.get(user=agent).presence == Presence.ONLINE


def test_a_foreign_next_is_not_followed(agent_client, workspace):
    answer = agent_client.post(
        routing_url(workspace, "presence"), {"presence": "away", "next": "https://evil.example/"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/w/{workspace.slug}/inbox/"


def test_the_switch_answers_htmx_with_itself_and_a_flash(agent_client, workspace):
    answer = agent_client.post(
        routing_url(workspace, "presence"), {"presence": "away"}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 200
    assert 'class="presence-form presence--away"' in answer.text
    assert 'id="flash"' in answer.text and 'hx-swap-oob="true"' in answer.text
    assert "you keep your cases and get no new ones" in answer.text


def test_a_bad_presence_is_refused(agent_client, workspace):
    answer = agent_client.post(routing_url(workspace, "presence"), {"presence": "asleep"})
    assert answer.status_code == 422
    assert "That is not a presence." in answer.text


@pytest.mark.django_db(transaction=True)
def test_going_offline_names_the_cases_that_stay(client):
    workspace = builders.workspace("handover", prefix="HND")
    buyer = builders.party(workspace, "B", email="b@example.com")
    team = rb.team(workspace, "Support")
    rb.queue(workspace, "General", team=team)
    daan = rb.agent(workspace, "Daan", team=team, languages=("nl", "en"))
    rb.agent(workspace, "Emma", team=team, languages=("en",))
    update_case(
        case=builders.case(workspace, requester=buyer, language="nl"),
        actor=Actor.system("t"),
        assignee=daan,
    )
    english = builders.case(workspace, requester=buyer, language="en")
    update_case(case=english, actor=Actor.system("t"), assignee=daan)
    client.force_login(daan)

    answer = client.post(routing_url(workspace, "presence"), {"presence": "offline"}, follow=True)

    dutch = Case.objects.get(workspace=workspace, language="nl")
    assert (
        "You are offline. 1 case went to a colleague. 1 stays with you because nobody can "
        f"take it now: {dutch.reference}." in answer.text
    )


def test_the_overview_shows_backlogs_presence_and_load(
    agent_client, workspace, agent, buyer, support, general
):
    rb.agent(workspace, "Busy", team=support, capacity=2)
    builders.case(workspace, requester=buyer, priority="urgent")  # to Busy
    builders.case(workspace, requester=buyer)  # to Busy: now full
    builders.case(workspace, requester=buyer, language="de")  # nobody speaks German

    page = agent_client.get(routing_url(workspace)).text

    assert re.search(r"<strong>1</strong> waiting", page)
    assert 'aria-label="2 of 2 active cases"' in page
    assert 'class="bar bar--full"' in page
    assert "General" in page and "Least loaded" in page
    assert "Skills, capacity and queues" not in page  # agents do not manage routing


def _overview_queries(client, workspace) -> int:
    client.get(routing_url(workspace))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(routing_url(workspace)).status_code == 200
    return len(captured.captured_queries)


def test_the_overview_costs_the_same_with_more_people_queues_and_cases(
    agent_client, workspace, buyer, support, general
):
    rb.agent(workspace, "A0", team=support, capacity=10)
    builders.case(workspace, requester=buyer)
    few = _overview_queries(agent_client, workspace)
    for i in range(1, 8):
        team = rb.team(workspace, f"T{i}")
        rb.queue(workspace, f"Q{i}", team=team, position=i)
        rb.agent(workspace, f"A{i}", team=team, capacity=0)
        builders.case(workspace, requester=buyer, team=team)
    assert QueueEntry.objects.count() >= 7
    assert _overview_queries(agent_client, workspace) == few


def test_agents_may_not_open_the_settings(agent_client, workspace, agent, general):
    for url in [
        routing_url(workspace, "manage"),
        routing_url(workspace, "queues", "new"),
        routing_url(workspace, "queues", general.pk),
        routing_url(workspace, "agents", agent.pk),
    ]:
        answer = agent_client.get(url)
        assert answer.status_code == 403, url
        assert "Only supervisors and admins change routing settings." in answer.text


def test_a_supervisor_sets_skills_and_capacity_with_clear_errors(lead_client, workspace, agent):
    url = routing_url(workspace, "agents", agent.pk)
    assert "Capacity" in lead_client.get(url).text

    refused = lead_client.post(url, {"capacity": "500", "languages": "en, <b>", "topics": ""})

    assert refused.status_code == 422
    assert "Nothing was saved; see the marked fields." in refused.text
    assert "Ensure this value is less than or equal to 200." in refused.text
    assert "is not usable" in refused.text
    assert "&lt;b&gt;" in refused.text
    assert not AgentProfile.objects.filter(user=agent).exists()

    saved = lead_client.post(
        url,
        {"capacity": "6", "languages": "en, NL", "channels": ["email", "chat"], "topics": "refund"},
        follow=True,
    )
    assert "Saved routing settings of Anna Agent." in saved.text
    profile = AgentProfile.objects.get(user=agent)
    assert profile.capacity == 6
    assert sorted(str(s) for s in profile.skills.all()) == [
        "channel:chat",
        "channel:email",
        "language:en",
        "language:nl",
        "topic:refund",
    ]
    page = lead_client.get(url).text
    assert 'value="en, nl"' in page


def test_a_supervisor_creates_and_edits_queues(lead_client, workspace, buyer, support, general):
    new = routing_url(workspace, "queues", "new")
    base = {
        "team": str(support.pk),
        "position": "1",
        "strategy": "round_robin",
        "is_active": "on",
        "vip": "only",
        "public_post": "any",
        "match_language": "on",
    }
    taken = lead_client.post(new, {**base, "name": "general"})
    assert taken.status_code == 422
    assert "A queue with this name already exists." in taken.text
    unknown = lead_client.post(new, {**base, "name": "VIP", "team": "999"})
    assert unknown.status_code == 422
    assert "Select a valid choice" in unknown.text

    created = lead_client.post(
        new, {**base, "name": "VIP", "channels": ["email"], "languages": "nl, en"}, follow=True
    )
    assert "Queue created." in created.text
    vip = Queue.objects.get(name="VIP")
    assert (vip.strategy, vip.vip, vip.channels) == ("round_robin", "only", ["email"])
    assert "channel: Email; language: Dutch, English; VIP requesters only" in created.text

    builders.case(workspace, requester=buyer)  # waits in General: nobody is online
    off = lead_client.post(
        routing_url(workspace, "queues", general.pk),
        {**base, "name": "General", "vip": "any", "is_active": ""},
        follow=True,
    )
    assert "1 waiting case was let go" in off.text
    assert not QueueEntry.objects.exists()


def test_the_case_page_says_why_routing_chose_the_agent(
    agent_client, workspace, agent, buyer, support, general
):
    rb.agent(workspace, "Emma", team=support, languages=("en",))
    daan = rb.agent(workspace, "Daan", team=support, languages=("nl",), capacity=6)
    case = builders.case(workspace, requester=buyer, language="nl")

    page = agent_client.get(f"/w/{workspace.slug}/cases/{case.reference}/").text

    assert (
        "<strong>Routing</strong> gave the case to <strong>Daan</strong> via "
        "<strong>General</strong> (<strong>least loaded</strong>)" in page
    )
    assert "Least loaded: 0 of 6 active cases · speaks Dutch · 1 of 2 online could take it" in (
        page
    )
    assert "Emma 0/5 (does not speak Dutch)" in page
    assert daan.pk


def test_the_case_page_says_why_a_case_waits_in_dutch(
    agent_client, workspace, agent, buyer, support, general
):
    case = builders.case(workspace, requester=buyer, language="nl")
    agent_client.post("/i18n/setlang/", {"language": "nl"})

    page = agent_client.get(f"/w/{workspace.slug}/cases/{case.reference}/").text

    assert (
        "<strong>Routering</strong> zette de zaak in de wachtrij van <strong>General</strong>: "
        "<strong>niemand in het team is online</strong>" in page
    )
    assert "Nodig: spreekt Nederlands" in page
