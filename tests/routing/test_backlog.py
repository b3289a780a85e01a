"""Cases nobody could take wait in their queue's backlog, and go out the moment someone
has room: VIP requesters and public posts first, then by priority, then oldest."""

import pytest

from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, Status
from ombuds.conversations.services import update_case
from ombuds.routing.models import Presence, Queue, QueueEntry
from ombuds.routing.services import (
    QueueSpec,
    configure_agent,
    drain_queue,
    route_case,
    set_presence,
    sweep,
    update_queue,
)
from ombuds.routing.skills import Skill
from tests import builders
from tests.routing import builders as rb

SYSTEM = Actor.system("test")


@pytest.fixture
def support(workspace):
    return rb.team(workspace, "Support")


@pytest.fixture
def general(workspace, support):
    return rb.queue(workspace, "General", team=support, match_language=False)


def waiting(workspace, buyer, *, vip=False, public=False, **fields) -> Case:
    requester = buyer
    if vip:
        requester = builders.party(workspace, f"V-{Case.objects.count()}", email=None)
        requester.is_vip = True
        requester.save()
    case = builders.case(workspace, requester=requester, **fields)
    if public:
        # A channel that marks public posts does so before routing sees the case.
        Case.objects.filter(pk=case.pk).update(is_public_post=True)
        QueueEntry.objects.filter(case=case).delete()
        case.refresh_from_db()
        route_case(case=case)
    case.refresh_from_db()
    assert case.assignee is None and QueueEntry.objects.filter(case=case).exists()
    return case


def refs(cases) -> list[str]:
    return [c.reference for c in cases]


def assigned_to(user) -> list[str]:
    return list(
        Case.objects.filter(assignee=user)
        .order_by("events__pk")
        .filter(events__kind="routing.assigned")
        .values_list("reference", flat=True)
    )


def test_a_backlog_drains_vip_and_public_first_then_priority_then_oldest(
    workspace, buyer, support, general, django_capture_on_commit_callbacks
):
    anna = rb.agent(workspace, "Anna", team=support, capacity=4, presence=Presence.OFFLINE)
    old_normal = waiting(workspace, buyer)
    urgent = waiting(workspace, buyer, priority="urgent")
    vip_low = waiting(workspace, buyer, vip=True, priority="low")
    public_normal = waiting(workspace, buyer, public=True)
    high = waiting(workspace, buyer, priority="high")

    with django_capture_on_commit_callbacks(execute=True):
        change = set_presence(membership=rb.membership(workspace, anna), presence="online")

    assert refs(o.case for o in change.drained) == refs([public_normal, vip_low, urgent, high])
    assert assigned_to(anna) == refs([public_normal, vip_low, urgent, high])
    assert list(QueueEntry.objects.values_list("case_id", flat=True)) == [old_normal.pk]
    event = high.events.get(kind="routing.assigned")
    assert event.data["waited_seconds"] is not None


def test_a_solved_case_frees_room_for_the_next_in_line(
    workspace, buyer, support, general, django_capture_on_commit_callbacks
):
    anna = rb.agent(workspace, "Anna", team=support, capacity=1)
    first = builders.case(workspace, requester=buyer)
    second = waiting(workspace, buyer)

    with django_capture_on_commit_callbacks(execute=True):
        update_case(case=first, actor=Actor(user=anna), status=Status.SOLVED)

    second.refresh_from_db()
    assert second.assignee == anna
    assert not QueueEntry.objects.exists()


def test_pending_cases_still_count_against_capacity(
    workspace, buyer, support, general, django_capture_on_commit_callbacks
):
    anna = rb.agent(workspace, "Anna", team=support, capacity=1)
    first = builders.case(workspace, requester=buyer)
    waiting(workspace, buyer)

    with django_capture_on_commit_callbacks(execute=True):
        update_case(case=first, actor=Actor(user=anna), status=Status.PENDING_CUSTOMER)

    assert QueueEntry.objects.count() == 1
    assert Case.objects.filter(assignee=anna).count() == 1


def test_more_capacity_or_a_new_skill_drains_the_backlog(
    workspace, buyer, support, general, django_capture_on_commit_callbacks
):
    general.match_language = True
    general.save()
    anna = rb.agent(workspace, "Anna", team=support, capacity=0, languages=("en",))
    dutch = waiting(workspace, buyer, language="nl")
    english = waiting(workspace, buyer, language="en")
    lead = rb.supervisor(workspace)
    member = rb.membership(workspace, anna)

    with django_capture_on_commit_callbacks(execute=True):
        configure_agent(membership=member, by=lead, capacity=3, skills=[Skill("language", "en")])
    english.refresh_from_db()
    assert english.assignee == anna
    assert QueueEntry.objects.get().case == dutch  # nobody speaks Dutch yet: passed over

    with django_capture_on_commit_callbacks(execute=True):
        configure_agent(
            membership=member,
            by=lead,
            capacity=3,
            skills=[Skill("language", "en"), Skill("language", "nl")],
        )
    dutch.refresh_from_db()
    assert dutch.assignee == anna


def test_taking_a_waiting_case_by_hand_or_solving_it_takes_it_out_of_the_backlog(
    workspace, buyer, support, general
):
    rb.agent(workspace, "Anna", team=support, capacity=0)
    ben = builders.member(workspace, "ben@resale.test", name="Ben")
    taken = waiting(workspace, buyer)
    solved = waiting(workspace, buyer)
    moved = waiting(workspace, buyer)

    update_case(case=taken, actor=Actor(user=ben), assignee=ben)
    update_case(case=solved, actor=Actor(user=ben), status=Status.SOLVED)
    update_case(case=moved, actor=Actor(user=ben), team=rb.team(workspace, "Elsewhere"))

    assert not QueueEntry.objects.exists()


def test_raising_the_priority_of_a_waiting_case_moves_it_up(
    workspace, buyer, support, general, django_capture_on_commit_callbacks
):
    anna = rb.agent(workspace, "Anna", team=support, capacity=1, presence=Presence.OFFLINE)
    waiting(workspace, buyer)
    later = waiting(workspace, buyer)
    update_case(case=later, actor=SYSTEM, priority="urgent")

    with django_capture_on_commit_callbacks(execute=True):
        set_presence(membership=rb.membership(workspace, anna), presence="online")

    later.refresh_from_db()
    assert later.assignee == anna


def test_switching_a_queue_off_lets_its_backlog_go(workspace, buyer, support, general):
    rb.agent(workspace, "Anna", team=support, capacity=0)
    case = waiting(workspace, buyer)

    done = update_queue(
        queue=general,
        by=rb.supervisor(workspace),
        spec=QueueSpec(name="General", team=support, is_active=False),
    )

    assert done.released == 1
    case.refresh_from_db()
    assert case.assignee is None and case.team == support
    assert not QueueEntry.objects.exists()


def test_the_periodic_sweep_drains_what_a_lost_wake_up_left(workspace, buyer, support, general):
    anna = rb.agent(workspace, "Anna", team=support, capacity=0)
    case = waiting(workspace, buyer)
    # The capacity change commits but its drain never runs (a crash, a lost task).
    configure_agent(
        membership=rb.membership(workspace, anna),
        by=rb.supervisor(workspace),
        capacity=2,
        skills=[],
    )

    assert sweep() == {"drained": 1, "moved": 0}
    case.refresh_from_db()
    assert case.assignee == anna


def test_a_drain_stops_at_the_batch_size_and_leaves_the_rest_in_order(
    workspace, buyer, support, general
):
    anna = rb.agent(workspace, "Anna", team=support, capacity=0)
    cases = [waiting(workspace, buyer) for _ in range(5)]
    configure_agent(
        membership=rb.membership(workspace, anna),
        by=rb.supervisor(workspace),
        capacity=10,
        skills=[],
    )

    first = drain_queue(queue_id=general.pk, limit=3)

    assert refs(o.case for o in first) == refs(cases[:3])
    assert sorted(QueueEntry.objects.values_list("case_id", flat=True)) == [c.pk for c in cases[3:]]


def test_a_switched_off_queue_does_not_drain(workspace, buyer, support, general):
    rb.agent(workspace, "Anna", team=support, capacity=5)
    Queue.objects.filter(pk=general.pk).update(is_active=False)
    assert drain_queue(queue_id=general.pk) == []


def test_a_long_run_of_cases_nobody_can_take_does_not_hide_the_ones_behind_it(
    workspace, buyer, support, monkeypatch
):
    from ombuds.routing.services import assignment

    rb.queue(workspace, "General", team=support)
    anna = rb.agent(workspace, "Anna", team=support, capacity=0, languages=("en",))
    monkeypatch.setattr(assignment, "LOCK_CHUNK", 2)
    german = [waiting(workspace, buyer, language="de", priority="high") for _ in range(5)]
    english = waiting(workspace, buyer, language="en")
    configure_agent(
        membership=rb.membership(workspace, anna),
        by=rb.supervisor(workspace),
        capacity=3,
        skills=[Skill("language", "en")],
    )

    drained = drain_queue(queue_id=Queue.objects.get().pk, limit=2)

    assert [o.case.pk for o in drained] == [english.pk]
    assert QueueEntry.objects.filter(case__in=german).count() == 5
