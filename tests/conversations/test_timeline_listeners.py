"""Apps above conversations react to a case through its timeline, in the same transaction."""

import pytest

from ombuds.conversations import events
from ombuds.conversations.services import update_case
from tests import builders


@pytest.fixture
def heard():
    seen = []
    events.listen("test-recorder", lambda event: seen.append((event.kind, event.case_id)))
    yield seen
    events._LISTENERS[:] = [(n, f) for n, f in events._LISTENERS if n != "test-recorder"]


def test_every_recorded_event_reaches_a_listener(workspace, buyer, agent, heard):
    case = builders.case(workspace, requester=buyer)
    update_case(case=case, actor=events.Actor(user=agent), priority="high")

    assert ("case.created", case.pk) in heard
    assert ("priority.changed", case.pk) in heard


def test_a_listener_that_writes_again_cannot_loop_for_ever(workspace, buyer, agent):
    calls = []

    def flip_priority(event):
        if event.kind == "priority.changed":
            calls.append(event.pk)
            target = "low" if event.after == "high" else "high"
            update_case(case=event.case, actor=events.Actor.system("flipper"), priority=target)

    events.listen("test-flipper", flip_priority)
    try:
        case = builders.case(workspace, requester=buyer)
        update_case(case=case, actor=events.Actor(user=agent), priority="high")
    finally:
        events._LISTENERS[:] = [(n, f) for n, f in events._LISTENERS if n != "test-flipper"]

    assert len(calls) == events.MAX_DEPTH
    assert case.events.filter(kind="priority.changed").count() == events.MAX_DEPTH + 1


def test_registering_the_same_name_twice_keeps_one_listener(heard):
    before = len(events._LISTENERS)
    events.listen("test-recorder", lambda event: None)
    assert len(events._LISTENERS) == before


def test_events_recorded_together_reach_listeners_one_by_one(workspace, buyer, heard):
    first = builders.case(workspace, requester=buyer)
    second = builders.case(workspace, requester=buyer)
    heard.clear()
    recorded = events.record_many(
        [
            events.NewEvent(first, "sla.warning", events.Actor.system("sla"), data={"n": 1}),
            events.NewEvent(second, "sla.breached", events.Actor.system("sla"), data={"n": 2}),
        ]
    )
    assert heard == [("sla.warning", first.pk), ("sla.breached", second.pk)]
    assert all(event.pk for event in recorded)
    assert second.events.get(kind="sla.breached").data == {"n": 2}
    assert events.record_many([]) == []
