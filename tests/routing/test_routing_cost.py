"""One routing decision reads a fixed number of rows' worth of queries: not one per case
of the workspace, not one per agent of the team."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ombuds.conversations.events import Actor
from ombuds.conversations.services import update_case
from ombuds.routing.models import Presence
from ombuds.routing.services import drain_queue, route_case, set_presence
from tests import builders
from tests.routing import builders as rb

# The rules, the requester, the queue's lock, its team's profiles (locked), skills and
# loads, then the assignment: update_case (savepoint, lock, membership check, events,
# save) and routing's own rows.
MAX_DECISION_QUERIES = 17


@pytest.fixture
def support(workspace):
    return rb.team(workspace, "Support")


def _cases(workspace, buyer, agents, count):
    for i in range(count):
        case = builders.case(workspace, requester=buyer)
        update_case(case=case, actor=Actor.system("t"), assignee=agents[i % len(agents)])


def _decision_queries(workspace, buyer) -> int:
    case = builders.case(workspace, requester=buyer)  # opened while nobody is online
    case.refresh_from_db()
    update_case(case=case, actor=Actor.system("t"), assignee=None)
    with CaptureQueriesContext(connection) as captured:
        outcome = route_case(case=case)
    assert outcome.assigned
    return len(captured.captured_queries)


def test_a_decision_costs_the_same_with_more_agents_and_more_cases(workspace, buyer, support):
    rb.queue(workspace, "General", team=support, match_channel=True)
    few = [rb.agent(workspace, f"A{i}", team=support, channels=("web",)) for i in range(2)]
    _cases(workspace, buyer, few, 3)
    small = _decision_queries(workspace, buyer)

    many = [
        rb.agent(workspace, f"B{i}", team=support, channels=("web",), capacity=50)
        for i in range(25)
    ]
    _cases(workspace, buyer, many, 60)
    large = _decision_queries(workspace, buyer)

    assert large == small
    assert large <= MAX_DECISION_QUERIES


def test_a_new_case_in_a_workspace_without_queues_costs_one_query(workspace, buyer):
    with CaptureQueriesContext(connection) as captured:
        builders.case(workspace, requester=buyer)
    routing = [q["sql"] for q in captured.captured_queries if "routing_" in q["sql"]]
    assert len(routing) == 1


def test_a_drain_costs_a_fixed_amount_per_case_it_hands_out(workspace, buyer, support):
    queue = rb.queue(workspace, "General", team=support)
    agents = [
        rb.agent(workspace, f"A{i}", team=support, presence=Presence.OFFLINE, capacity=20)
        for i in range(3)
    ]

    # Presence changes here commit nothing (the test's transaction), so their own drains
    # do not run; the drain is measured alone.
    def drained_queries(count: int) -> int:
        for _ in range(count):
            builders.case(workspace, requester=buyer)
        for agent in agents:
            set_presence(membership=rb.membership(workspace, agent), presence=Presence.ONLINE)
        with CaptureQueriesContext(connection) as captured:
            assert len(drain_queue(queue_id=queue.pk)) == count
        for agent in agents:
            set_presence(membership=rb.membership(workspace, agent), presence=Presence.OFFLINE)
        return len(captured.captured_queries)

    two, twelve = drained_queries(2), drained_queries(12)
    per_case = (twelve - two) / 10
    assert per_case <= 12
    assert two - 2 * per_case <= 8  # the fixed part: lock, team, skills, loads, backlog


def test_loads_are_counted_from_the_index_of_active_cases(workspace, buyer, support):
    from ombuds.conversations.models import Case
    from ombuds.routing.selectors import LOAD_INDEX, active_loads

    anna = rb.agent(workspace, "Anna", team=support)
    assert LOAD_INDEX in {index.name for index in Case._meta.indexes}
    cases = [builders.case(workspace, requester=buyer) for _ in range(3)]
    for case in cases:
        update_case(case=case, actor=Actor.system("t"), assignee=anna)
    update_case(case=cases[0], actor=Actor.system("t"), status="solved")

    with CaptureQueriesContext(connection) as captured:
        loads = active_loads(workspace_id=workspace.pk, user_ids=[anna.pk, 999])

    assert loads == {anna.pk: 2, 999: 0}
    assert len(captured.captured_queries) == 1
