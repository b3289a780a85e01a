"""Supervisors keep skills, capacities and queues; bad input is refused with a code that
names the field, and nothing is half-written."""

import pytest

from ombuds.accounts.services import add_member
from ombuds.core.errors import ApplicationError, PermissionDenied
from ombuds.routing.models import AgentProfile, AgentSkill, Presence, Queue
from ombuds.routing.services import (
    QueueSpec,
    configure_agent,
    create_queue,
    set_presence,
    update_queue,
)
from ombuds.routing.skills import Skill, parse_skill_text, skill
from tests import builders
from tests.routing import builders as rb


@pytest.fixture
def support(workspace):
    return rb.team(workspace, "Support")


@pytest.fixture
def lead(workspace):
    return rb.supervisor(workspace)


@pytest.fixture
def anna(workspace):
    return add_member(workspace=workspace, email="anna@resale.test", role="agent", name="Anna")


def test_a_supervisor_sets_capacity_and_replaces_skills(anna, lead):
    configure_agent(
        membership=anna,
        by=lead,
        capacity=6,
        skills=[Skill("language", "nl"), Skill("topic", "refund")],
    )
    configure_agent(
        membership=anna,
        by=lead,
        capacity=4,
        skills=[Skill("language", "nl"), Skill("channel", "chat")],
    )

    profile = AgentProfile.objects.get(membership=anna)
    assert profile.capacity == 4
    assert profile.presence == Presence.OFFLINE
    assert sorted(str(s) for s in profile.skills.all()) == ["channel:chat", "language:nl"]


@pytest.mark.parametrize("role", ["agent", "finance", "read_only"])
def test_only_supervisors_and_admins_configure_agents(workspace, anna, role):
    someone = add_member(workspace=workspace, email=f"{role}@resale.test", role=role)
    with pytest.raises(PermissionDenied):
        configure_agent(membership=anna, by=someone, capacity=3, skills=[])
    assert not AgentProfile.objects.exists()


def test_a_supervisor_of_another_workspace_configures_nobody_here(other_workspace, anna):
    stranger = rb.supervisor(other_workspace)
    with pytest.raises(PermissionDenied):
        configure_agent(membership=anna, by=stranger, capacity=3, skills=[])


@pytest.mark.parametrize("capacity", [-1, 201, "5", 2.5])
def test_capacity_is_a_whole_number_within_bounds(anna, lead, capacity):
    with pytest.raises(ApplicationError) as refused:
        configure_agent(membership=anna, by=lead, capacity=capacity, skills=[])
    assert refused.value.code == "invalid_capacity"
    assert refused.value.details["field"] == "capacity"


def test_skill_codes_are_normalized_and_checked():
    assert skill("topic", "  Hotel   Booking ") == Skill("topic", "hotel booking")
    assert parse_skill_text("en, NL,, de ", "language") == [
        Skill("language", "en"),
        Skill("language", "nl"),
        Skill("language", "de"),
    ]
    for kind, code, error in [
        ("mood", "happy", "unknown_skill_kind"),
        ("topic", "", "invalid_skill"),
        ("topic", "x" * 41, "invalid_skill"),
        ("topic", "<script>", "invalid_skill"),
    ]:
        with pytest.raises(ApplicationError) as refused:
            skill(kind, code)
        assert refused.value.code == error


def test_only_people_who_work_cases_set_a_presence(workspace):
    viewer = add_member(workspace=workspace, email="v@resale.test", role="read_only")
    with pytest.raises(PermissionDenied):
        set_presence(membership=viewer, presence="online")
    agent = add_member(workspace=workspace, email="a@resale.test", role="agent")
    with pytest.raises(ApplicationError) as refused:
        set_presence(membership=agent, presence="busy")
    assert refused.value.code == "unknown_presence"
    change = set_presence(membership=agent, presence="away")
    assert (change.before, change.after, change.changed) == ("offline", "away", True)
    assert not set_presence(membership=agent, presence="away").changed


def test_a_queue_is_created_with_its_values_normalized(workspace, lead, support):
    queue = create_queue(
        by=lead,
        spec=QueueSpec(
            name="  Dutch   tickets ",
            team=support,
            channels=["email", "email", "chat"],
            languages=["NL", " nl-BE "],
            topics=["Tickets"],
            priorities=["high"],
            tags=["VIP"],
            vip="only",
        ),
    )
    assert queue.name == "Dutch tickets"
    assert queue.channels == ["email", "chat"]
    assert queue.languages == ["nl", "nl-be"]
    assert (queue.topics, queue.tags) == (["tickets"], ["vip"])


@pytest.mark.parametrize(
    "change, code, field",
    [
        ({"name": "  "}, "empty_name", "name"),
        ({"name": "x" * 101}, "name_too_long", "name"),
        ({"name": "general"}, "queue_exists", "name"),
        ({"strategy": "random"}, "unknown_strategy", "strategy"),
        ({"channels": ["pigeon"]}, "unknown_channels", "channels"),
        ({"priorities": ["asap"]}, "unknown_priorities", "priorities"),
        ({"vip": "sometimes"}, "unknown_condition", "vip"),
        ({"position": -1}, "invalid_position", "position"),
        ({"topics": ["t" * 41]}, "value_too_long", "topics"),
        ({"languages": [f"l{i}" for i in range(31)]}, "too_many_values", "languages"),
    ],
)
def test_a_bad_queue_is_refused_naming_the_field(workspace, lead, support, change, code, field):
    create_queue(by=lead, spec=QueueSpec(name="General", team=support))
    with pytest.raises(ApplicationError) as refused:
        create_queue(by=lead, spec=QueueSpec(**{"name": "Other", "team": support, **change}))
    assert refused.value.code == code
    assert refused.value.details["field"] == field
    assert Queue.objects.count() == 1


def test_a_queue_belongs_to_a_team_of_its_own_workspace(lead, other_workspace):
    with pytest.raises(ApplicationError) as refused:
        create_queue(by=lead, spec=QueueSpec(name="X", team=rb.team(other_workspace)))
    assert refused.value.code == "unknown_team"


def test_agents_change_no_queues(workspace, anna, support):
    with pytest.raises(PermissionDenied):
        create_queue(by=anna, spec=QueueSpec(name="Mine", team=support))


def test_a_queue_with_a_backlog_keeps_its_team(workspace, buyer, lead, support):
    queue = create_queue(by=lead, spec=QueueSpec(name="General", team=support))
    builders.case(workspace, requester=buyer)  # nobody online: it waits
    with pytest.raises(ApplicationError) as refused:
        update_queue(
            queue=queue, by=lead, spec=QueueSpec(name="General", team=rb.team(workspace, "B"))
        )
    assert refused.value.code == "queue_has_backlog"
    renamed = update_queue(
        queue=queue, by=lead, spec=QueueSpec(name="Everything", team=support, position=4)
    )
    assert (renamed.queue.name, renamed.queue.position, renamed.released) == ("Everything", 4, 0)


def test_too_many_or_unknown_skills_are_refused(anna, lead):
    for skills, code in [
        ([Skill("topic", f"t{i}") for i in range(61)], "too_many_skills"),
        ([Skill("mood", "calm")], "unknown_skill_kind"),
    ]:
        with pytest.raises(ApplicationError) as refused:
            configure_agent(membership=anna, by=lead, capacity=3, skills=skills)
        assert refused.value.code == code
    assert not AgentSkill.objects.exists()
