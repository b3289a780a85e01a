"""Whatever happens to a case, in whatever order, its resolution clock has used exactly
the business time during which the case was neither waiting on someone else nor solved,
and its deadline is the rest of the target from the last time it started running."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ombuds.conversations.events import Actor
from ombuds.conversations.models import ACTIVE_STATUSES, Case, Status
from ombuds.conversations.services import receive_customer_message, reply_to_customer, update_case
from ombuds.conversations.transitions import TRANSITIONS
from ombuds.core.business_time import ZERO, business_time_between
from ombuds.core.selectors import business_calendar
from ombuds.sla.models import SlaClock
from tests import builders
from tests.sla.conftest import MONDAY_10

PAUSED = {Status.PENDING_CUSTOMER, Status.PENDING_THIRD_PARTY}
steps = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.integers(1, 3 * 24 * 60)),
        st.tuples(st.just("status"), st.sampled_from(Status.values)),
        st.tuples(st.just("customer"), st.none()),
        st.tuples(st.just("reply"), st.none()),
    ),
    min_size=1,
    max_size=10,
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_resolution_time_is_the_business_time_not_waiting(
    workspace, buyer, agent, standard, clock, steps
):
    calendar = business_calendar(workspace=workspace)
    clock.set(MONDAY_10)
    case = builders.case(workspace, requester=buyer)
    me = Actor(user=agent)
    used, since = ZERO, clock.now  # the oracle: business time while counting
    for kind, arg in steps:
        status = Case.objects.get(pk=case.pk).status
        if kind == "wait":
            clock.advance(minutes=arg)
        elif status == Status.CLOSED:
            continue
        elif kind == "status" and arg != status and arg in TRANSITIONS[status]:
            update_case(case=case, actor=me, status=arg)
        elif kind == "customer":
            receive_customer_message(case=case, party=buyer, body="Any news?", channel="web")
        elif kind == "reply":
            reply_to_customer(case=case, author=agent, body="Working on it.")
        counting = status in ACTIVE_STATUSES and status not in PAUSED
        if kind == "wait" and counting:
            used += business_time_between(calendar, since, clock.now)
        since = clock.now

    resolution = SlaClock.objects.filter(case=case, metric="resolution").order_by("-pk").first()
    status = Case.objects.get(pk=case.pk).status
    total = resolution.elapsed
    if resolution.state == "running":
        total += business_time_between(calendar, resolution.running_since, clock.now)
        if resolution.breached_at is None:
            left = business_time_between(calendar, resolution.running_since, resolution.due_at)
            assert left == resolution.target - resolution.elapsed
    assert total == used
    assert (resolution.state == "running") == (status in ACTIVE_STATUSES and status not in PAUSED)
    assert resolution.elapsed >= ZERO
