"""Whatever happens on a desk (cases arrive in any language and channel, agents come and
go, cases get solved), routing never gives anyone more than their capacity and never
gives a case to someone without the skills it needs."""

import pytest
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ombuds.conversations.events import Actor
from ombuds.conversations.models import ACTIVE_STATUSES, Case, CaseEvent, Status
from ombuds.conversations.services import update_case
from ombuds.routing.models import AgentProfile, Presence
from ombuds.routing.services import set_presence
from ombuds.routing.skills import Skill, has_all
from tests import builders
from tests.routing import builders as rb

LANGUAGES = ("en", "nl", "de")
CHANNELS = ("email", "chat")

agents = st.lists(
    st.tuples(
        st.sets(st.sampled_from(LANGUAGES), min_size=1),
        st.sets(st.sampled_from(CHANNELS)),
        st.integers(0, 3),
        st.sampled_from(Presence.values),
    ),
    min_size=1,
    max_size=4,
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("case"), st.sampled_from(LANGUAGES), st.sampled_from(CHANNELS)),
        st.tuples(st.just("solve"), st.integers(0, 30)),
        st.tuples(st.just("presence"), st.integers(0, 3), st.sampled_from(Presence.values)),
    ),
    min_size=1,
    max_size=14,
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(agents, steps, st.sampled_from(["round_robin", "least_loaded"]), st.booleans())
def test_no_assignment_exceeds_capacity_or_lacks_a_skill(people, plan, strategy, by_channel):
    workspace = builders.workspace(f"w{Case.objects.count()}-{AgentProfile.objects.count()}")
    buyer = builders.party(workspace, "B", email="b@example.com")
    team = rb.team(workspace)
    staff = []
    for i, (languages, channels, capacity, presence) in enumerate(people):
        staff.append(
            rb.agent(
                workspace,
                f"A{i}",
                team=team,
                languages=tuple(sorted(languages)),
                channels=tuple(sorted(channels)),
                capacity=capacity,
                presence=presence,
            )
        )
    rb.queue(workspace, "All", team=team, strategy=strategy, match_channel=by_channel)
    skills = {
        user.pk: frozenset(
            [Skill("language", code) for code in people[i][0]]
            + [Skill("channel", code) for code in people[i][1]]
        )
        for i, user in enumerate(staff)
    }
    capacity = {user.pk: people[i][2] for i, user in enumerate(staff)}

    for step in plan:
        # Drains and hand-overs run after commit; here each step commits at once.
        with TestCase.captureOnCommitCallbacks(execute=True):
            if step[0] == "case":
                builders.case(workspace, requester=buyer, language=step[1], channel=step[2])
            elif step[0] == "solve":
                active = list(
                    Case.objects.filter(
                        workspace=workspace, status__in=ACTIVE_STATUSES, assignee__isnull=False
                    ).order_by("pk")
                )
                if active:
                    case = active[step[1] % len(active)]
                    update_case(case=case, actor=Actor.system("t"), status=Status.SOLVED)
            else:
                user = staff[step[1] % len(staff)]
                set_presence(membership=rb.membership(workspace, user), presence=step[2])

        for user in staff:
            held = Case.objects.filter(assignee=user, status__in=ACTIVE_STATUSES).count()
            assert held <= capacity[user.pk], (user, held)
    for event in CaseEvent.objects.filter(workspace=workspace, kind="routing.assigned"):
        needs = [Skill(*s.split(":", 1)) for s in event.data["skills"]]
        assert has_all(skills[event.after["id"]], needs), event.data
        case = event.case
        assert Skill("language", case.language) in needs
        assert (Skill("channel", case.channel) in needs) is by_channel
