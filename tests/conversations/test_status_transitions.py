"""Any sequence of status changes either follows the transition table, with one timeline
event per change, or is refused and leaves the case as it was."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, Status
from ombuds.conversations.services import update_case
from ombuds.conversations.transitions import TRANSITIONS
from ombuds.core.errors import InvalidTransition
from tests import builders


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(Status.values), min_size=1, max_size=8))
def test_status_changes_follow_the_table(targets):
    workspace = builders.workspace(f"w{Case.objects.count()}")
    agent = builders.member(workspace, f"a{workspace.pk}@desk.test")
    case = builders.case(workspace, requester=builders.party(workspace, "B", email="b@e.com"))
    expected, events = Status.NEW, 0
    for target in targets:
        allowed = target == expected or target in TRANSITIONS[expected]
        if allowed:
            update_case(case=case, actor=Actor(user=agent), status=target)
            events += target != expected
            expected = target
        else:
            with pytest.raises(InvalidTransition):
                update_case(case=case, actor=Actor(user=agent), status=target)
        case.refresh_from_db()
        assert case.status == expected
        assert case.events.filter(kind="status.changed").count() == events


def test_closed_is_final_and_every_status_can_be_left_or_closed():
    assert TRANSITIONS[Status.CLOSED] == frozenset()
    for status in set(Status.values) - {Status.CLOSED}:
        assert TRANSITIONS[status], status
        assert status not in TRANSITIONS[status]
