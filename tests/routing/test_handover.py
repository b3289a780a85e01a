"""An agent who goes offline hands their active cases to colleagues who can take them;
what nobody can take stays with them, and says so on its timeline."""

import pytest

from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, Status
from ombuds.conversations.services import update_case
from ombuds.routing.models import AgentProfile, Presence
from ombuds.routing.services import hand_over_cases, set_presence, sweep
from tests import builders
from tests.routing import builders as rb


@pytest.fixture
def support(workspace):
    return rb.team(workspace, "Support")


@pytest.fixture
def general(workspace, support):
    return rb.queue(workspace, "General", team=support)


def held_by(user) -> set[str]:
    return set(Case.objects.filter(assignee=user).values_list("reference", flat=True))


def go(workspace, user, presence, capture):
    with capture(execute=True):
        return set_presence(membership=rb.membership(workspace, user), presence=presence)


def test_going_offline_hands_active_cases_to_colleagues_who_can_take_them(
    workspace, buyer, support, general, django_capture_on_commit_callbacks
):
    daan = rb.agent(workspace, "Daan", team=support, languages=("nl", "en"), capacity=10)
    emma = rb.agent(workspace, "Emma", team=support, languages=("en",), capacity=10)
    noor = rb.agent(workspace, "Noor", team=support, languages=("nl",), capacity=1)
    go(workspace, emma, "away", django_capture_on_commit_callbacks)
    go(workspace, noor, "away", django_capture_on_commit_callbacks)
    english = [builders.case(workspace, requester=buyer, language="en") for _ in range(2)]
    dutch = [builders.case(workspace, requester=buyer, language="nl") for _ in range(2)]
    pending = builders.case(workspace, requester=buyer, language="en")
    update_case(case=pending, actor=Actor(user=daan), status=Status.PENDING_CUSTOMER)
    solved = builders.case(workspace, requester=buyer, language="en")
    update_case(case=solved, actor=Actor(user=daan), status=Status.SOLVED)
    assert held_by(daan) == {c.reference for c in [*english, *dutch, pending, solved]}
    go(workspace, emma, "online", django_capture_on_commit_callbacks)
    go(workspace, noor, "online", django_capture_on_commit_callbacks)

    change = go(workspace, daan, "offline", django_capture_on_commit_callbacks)

    handover = change.handover
    # Emma takes the English ones (pending too); Noor has room for one Dutch case.
    assert held_by(emma) == {english[0].reference, english[1].reference, pending.reference}
    assert len(held_by(noor)) == 1
    stays = (held_by(daan) - {solved.reference}).pop()
    assert stays in {d.reference for d in dutch}
    assert [case.reference for case, _ in handover.kept] == [stays]
    assert handover.kept[0][1] == "everyone_full"
    assert len(handover.moved) == 4
    moved_event = (
        Case.objects.get(reference=pending.reference).events.filter(kind="routing.assigned").last()
    )
    assert moved_event.before == {"id": daan.pk, "name": "Daan"}
    assert moved_event.data["handover"] is True
    kept_event = Case.objects.get(reference=stays).events.get(kind="routing.kept")
    assert kept_event.data["why"] == "everyone_full"
    assert kept_event.before["name"] == "Daan"
    assert AgentProfile.objects.get(user=daan).hand_over is True


def test_kept_cases_say_so_once_and_move_when_someone_can_take_them(
    workspace, buyer, support, general, django_capture_on_commit_callbacks
):
    daan = rb.agent(workspace, "Daan", team=support, languages=("nl",))
    case = builders.case(workspace, requester=buyer, language="nl")
    go(workspace, daan, "offline", django_capture_on_commit_callbacks)
    assert hand_over_cases(workspace_id=workspace.pk, user_id=daan.pk).kept[0][1] == (
        "nobody_online"
    )
    assert sweep()["moved"] == 0
    assert case.events.filter(kind="routing.kept").count() == 1

    # A Dutch speaker comes online: the kept case goes to them.
    noor = rb.agent(workspace, "Noor", team=support, languages=("nl",), presence="offline")
    go(workspace, noor, "online", django_capture_on_commit_callbacks)

    case.refresh_from_db()
    assert case.assignee == noor
    assert AgentProfile.objects.get(user=daan).hand_over is False


def test_away_keeps_cases_and_coming_back_before_the_handover_keeps_them_too(
    workspace, buyer, support, general
):
    daan = rb.agent(workspace, "Daan", team=support)
    rb.agent(workspace, "Emma", team=support)
    case = builders.case(workspace, requester=buyer)
    case.refresh_from_db()
    holder = case.assignee

    set_presence(membership=rb.membership(workspace, holder), presence=Presence.AWAY)
    assert held_by(holder) == {case.reference}
    # Offline, but back online before the hand-over ran: nothing moves.
    set_presence(membership=rb.membership(workspace, holder), presence=Presence.OFFLINE)
    set_presence(membership=rb.membership(workspace, holder), presence=Presence.ONLINE)
    assert hand_over_cases(workspace_id=workspace.pk, user_id=holder.pk).skipped
    assert held_by(holder) == {case.reference}
    assert daan.pk


def test_a_case_no_queue_takes_stays_and_says_so(
    workspace, buyer, support, django_capture_on_commit_callbacks
):
    rb.queue(workspace, "Chat only", team=support, channels=["chat"])
    daan = rb.agent(workspace, "Daan", team=support)
    rb.agent(workspace, "Emma", team=support)
    case = builders.case(workspace, requester=buyer, channel="email")
    update_case(case=case, actor=Actor(user=daan), assignee=daan)

    handover = go(workspace, daan, "offline", django_capture_on_commit_callbacks).handover

    assert [(c.reference, why) for c, why in handover.kept] == [(case.reference, "no_queue")]
    assert case.events.get(kind="routing.kept").data["queue"] is None


def test_handover_follows_the_queue_strategy(
    workspace, buyer, support, django_capture_on_commit_callbacks
):
    rb.queue(workspace, "Rota", team=support, strategy="round_robin", match_language=False)
    leaving = rb.agent(workspace, "Leaving", team=support, capacity=20)
    stay = [rb.agent(workspace, n, team=support, capacity=20) for n in ("B", "C")]
    go(workspace, stay[0], "away", django_capture_on_commit_callbacks)
    go(workspace, stay[1], "away", django_capture_on_commit_callbacks)
    for _ in range(4):
        builders.case(workspace, requester=buyer)
    for user in stay:
        go(workspace, user, "online", django_capture_on_commit_callbacks)

    go(workspace, leaving, "offline", django_capture_on_commit_callbacks)

    assert [len(held_by(u)) for u in stay] == [2, 2]
