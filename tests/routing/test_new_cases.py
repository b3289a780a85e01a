"""A new case goes to the right person the moment it is opened, and its timeline says
why: skills, capacity, presence, strategy, the order of the rules."""

import pytest

from ombuds.accounts.services import add_member
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, Status
from ombuds.conversations.services import update_case
from ombuds.routing.models import Presence, QueueEntry, Strategy
from ombuds.routing.services import set_presence
from tests import builders
from tests.routing import builders as rb


@pytest.fixture
def support(workspace):
    return rb.team(workspace, "Support")


def opened(workspace, buyer, **fields) -> Case:
    case = builders.case(workspace, requester=buyer, **fields)
    case.refresh_from_db()
    return case


def routing_event(case, kind="routing.assigned"):
    return case.events.get(kind=kind)


def test_a_dutch_case_goes_to_the_agent_who_speaks_dutch(workspace, buyer, support):
    rb.agent(workspace, "Emma", team=support, languages=("en",))
    daan = rb.agent(workspace, "Daan", team=support, languages=("nl", "en"), capacity=6)
    rb.queue(workspace, "General", team=support)

    case = opened(workspace, buyer, language="nl")

    assert case.assignee == daan
    assert case.team == support
    event = routing_event(case)
    assert event.actor_label == "routing"
    assert event.after == {"id": daan.pk, "name": "Daan"}
    assert event.data["reason"] == "least loaded: 0 of 6 active, speaks nl"
    assert event.data["queue"]["name"] == "General"
    assert event.data["strategy"] == Strategy.LEAST_LOADED
    assert {c["name"]: c["missing"] for c in event.data["candidates"]} == {
        "Emma": ["language:nl"],
        "Daan": [],
    }
    assert event.data["online"] == 2 and event.data["eligible"] == 1


def test_channel_and_topic_skills_count_when_the_queue_asks_for_them(workspace, buyer, support):
    rb.agent(workspace, "Mail", team=support, channels=("email",), topics=("refund",))
    chat = rb.agent(workspace, "Chat", team=support, channels=("chat",), topics=("refund",))
    rb.agent(workspace, "Other", team=support, channels=("chat",), topics=("delivery",))
    rb.queue(workspace, "Chat", team=support, match_channel=True, match_topic=True)

    case = opened(workspace, buyer, channel="chat", topic="Refund", language="en")

    assert case.assignee == chat
    assert routing_event(case).data["skills"] == [
        "language:en",
        "channel:chat",
        "topic:refund",
    ]


def test_least_loaded_gives_the_case_to_whoever_has_most_room(workspace, buyer, support):
    busy = rb.agent(workspace, "Busy", team=support, capacity=4)
    calm = rb.agent(workspace, "Calm", team=support, capacity=4)
    rb.queue(workspace, "General", team=support, match_language=False)
    for _ in range(2):
        update_case(
            case=builders.case(workspace, requester=buyer), actor=Actor.system("t"), assignee=busy
        )

    assert opened(workspace, buyer).assignee == calm
    assert opened(workspace, buyer).assignee == calm  # 1 of 4 is still less than 2 of 4
    # 2 of 4 each: the tie goes to whoever has waited longest for a routed case
    assert opened(workspace, buyer).assignee == busy


def test_round_robin_gives_each_agent_a_turn_in_order(workspace, buyer, support):
    people = [rb.agent(workspace, n, team=support, capacity=10) for n in ("A", "B", "C")]
    rb.queue(workspace, "Rota", team=support, strategy=Strategy.ROUND_ROBIN)

    turns = [opened(workspace, buyer).assignee for _ in range(7)]

    assert turns == [*people, *people, people[0]]
    assert all(
        e.data["strategy"] == "round_robin"
        for e in Case.objects.filter(workspace=workspace)
        .first()
        .events.filter(kind="routing.assigned")
    )


def test_nobody_at_capacity_or_away_gets_a_case(workspace, buyer, support):
    full = rb.agent(workspace, "Full", team=support, capacity=1)
    rb.agent(workspace, "Away", team=support, presence=Presence.AWAY)
    rb.agent(workspace, "Gone", team=support, presence=Presence.OFFLINE)
    rb.agent(workspace, "Zero", team=support, capacity=0)
    rb.queue(workspace, "General", team=support)
    first = opened(workspace, buyer)
    assert first.assignee == full

    second = opened(workspace, buyer)

    assert second.assignee is None
    assert second.team == support  # waits in the team's queue, visible in "My teams"
    entry = QueueEntry.objects.get(case=second)
    assert entry.queue.name == "General"
    event = routing_event(second, "routing.queued")
    assert event.data["why"] == "everyone_full"
    assert event.data["reason"] == "everyone who could take it is at capacity"
    assert [c["name"] for c in event.data["candidates"]] == ["Full"]


def test_a_case_nobody_online_can_handle_waits_saying_which_skill_is_missing(
    workspace, buyer, support
):
    rb.agent(workspace, "Emma", team=support, languages=("en",))
    rb.queue(workspace, "General", team=support)

    case = opened(workspace, buyer, language="de")

    assert case.assignee is None
    event = routing_event(case, "routing.queued")
    assert event.data["why"] == "nobody_skilled"
    assert event.data["reason"] == "nobody online has language:de"


def test_the_first_fitting_rule_takes_the_case(workspace, buyer, support):
    vip_team = rb.team(workspace, "VIP desk")
    rb.agent(workspace, "General", team=support)
    vip_agent = rb.agent(workspace, "Concierge", team=vip_team)
    rb.queue(workspace, "VIP", team=vip_team, position=1, vip="only")
    rb.queue(workspace, "Public posts", team=vip_team, position=2, public_post="only")
    rb.queue(workspace, "Everything", team=support, position=3)
    vip = builders.party(workspace, "V-1", email="v@example.com")
    vip.is_vip = True
    vip.save()

    assert opened(workspace, vip).assignee == vip_agent
    assert opened(workspace, buyer).team == support
    public = builders.case(workspace, requester=buyer)
    Case.objects.filter(pk=public.pk).update(is_public_post=True)
    public.refresh_from_db()
    update_case(case=public, actor=Actor.system("t"), status=Status.SOLVED)
    update_case(case=public, actor=Actor.system("t"), assignee=None, team=None)
    # Re-opened and unassigned: routed again, now as the public post it is.
    update_case(case=public, actor=Actor.system("t"), status=Status.OPEN)
    public.refresh_from_db()
    assert public.assignee == vip_agent
    assert public.events.filter(kind="routing.assigned").last().data["queue"]["name"] == (
        "Public posts"
    )


@pytest.mark.parametrize(
    "conditions, fits",
    [
        ({"channels": ["email"]}, True),
        ({"channels": ["chat", "whatsapp"]}, False),
        ({"languages": ["nl"]}, True),  # nl-BE is Dutch
        ({"languages": ["en"]}, False),
        ({"topics": ["Delivery"]}, True),
        ({"topics": ["refund"]}, False),
        ({"priorities": ["high", "urgent"]}, True),
        ({"priorities": ["low"]}, False),
        ({"tags": ["chargeback"]}, True),
        ({"tags": ["legal"]}, False),
        ({"vip": "exclude", "public_post": "exclude"}, True),
        ({"vip": "only"}, False),
    ],
)
def test_queue_conditions(workspace, buyer, support, conditions, fits):
    rb.agent(workspace, "Anna", team=support, languages=("nl",))
    rb.queue(workspace, "Picky", team=support, **conditions)
    case = opened(
        workspace,
        buyer,
        channel="email",
        language="nl-BE",
        topic="delivery",
        priority="high",
        tags=["chargeback"],
    )
    assert (case.assignee is not None) is fits


def test_a_case_opened_into_a_team_stays_in_that_team(workspace, buyer, support):
    hotels = rb.team(workspace, "Hotels")
    rb.agent(workspace, "Anna", team=support)
    hotelier = rb.agent(workspace, "Hugo", team=hotels)
    rb.queue(workspace, "General", team=support, position=1)
    rb.queue(workspace, "Hotels", team=hotels, position=2)

    case = opened(workspace, buyer, team=hotels)

    assert case.assignee == hotelier


def test_without_a_fitting_queue_nothing_happens(workspace, buyer, support):
    rb.agent(workspace, "Anna", team=support)
    rb.queue(workspace, "Chat only", team=support, channels=["chat"])
    rb.queue(workspace, "Off", team=support, is_active=False)

    case = opened(workspace, buyer, channel="email")

    assert case.assignee is None and case.team is None
    assert not case.events.filter(kind__startswith="routing.").exists()
    assert not QueueEntry.objects.exists()


def test_only_people_whose_role_works_cases_are_given_one(workspace, buyer, support):
    later_read_only = rb.agent(workspace, "Vera", team=support)
    add_member(workspace=workspace, email="vera@resale.test", role="read_only")
    rb.queue(workspace, "General", team=support)

    assert opened(workspace, buyer).assignee is None
    assert later_read_only.pk  # still a member, just not one routing may give cases


def test_never_assigns_to_someone_of_another_workspace(workspace, other_workspace, buyer, support):
    # Given a person of another workspace, online there with room, who was (wrongly)
    # added to this workspace's team
    stranger = rb.agent(other_workspace, "Stranger", capacity=50)
    support.members.add(stranger)
    rb.queue(workspace, "General", team=support)
    # and a queue in the other workspace that takes everything
    rb.queue(other_workspace, "Theirs", team=rb.team(other_workspace, "Theirs"))

    case = opened(workspace, buyer)

    assert case.assignee is None
    assert QueueEntry.objects.get(case=case).queue.workspace_id == workspace.pk
    assert routing_event(case, "routing.queued").data["candidates"] == []


def test_an_agent_who_sets_presence_is_routed_with_default_capacity(workspace, buyer, support):
    member = add_member(workspace=workspace, email="new@resale.test", role="agent", name="New")
    support.members.add(member.user)
    rb.queue(workspace, "General", team=support, match_language=False)
    set_presence(membership=member, presence=Presence.ONLINE)

    assert opened(workspace, buyer).assignee == member.user
