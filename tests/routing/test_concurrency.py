"""Routing under parallel writers on PostgreSQL: decisions made at the same moment never
fill an agent past capacity, never hand out a round-robin turn twice, and never give one
case to two people."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connections

from ombuds.conversations.models import Case, CaseEvent
from ombuds.routing.models import Presence, QueueEntry
from ombuds.routing.services import drain_for_agent, route_case, set_presence
from tests import builders
from tests.routing import builders as rb

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
THREADS = 8


def in_parallel(work, items) -> None:
    """Run `work(item)` for every item on THREADS threads that start together."""
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []
    chunks = [items[i::THREADS] for i in range(THREADS)]

    def run(chunk):
        try:
            start.wait()
            for item in chunk:
                work(item)
        except BaseException as exc:  # reported below, not swallowed
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []


def unrouted_cases(workspace, buyer, count, **fields) -> list[Case]:
    """Cases opened before routing was set up: nobody has them yet."""
    return [builders.case(workspace, requester=buyer, **fields) for _ in range(count)]


def test_parallel_decisions_in_two_queues_never_overfill_a_shared_agent():
    workspace = builders.workspace("busy", prefix="BUSY")
    buyer = builders.party(workspace, "B", email="b@example.com")
    email_cases = unrouted_cases(workspace, buyer, 24, channel="email")
    chat_cases = unrouted_cases(workspace, buyer, 24, channel="chat")
    mail, chat = rb.team(workspace, "Mail"), rb.team(workspace, "Chat")
    shared = rb.agent(workspace, "Shared", team=mail, capacity=5)
    chat.members.add(shared)
    mail_only = rb.agent(workspace, "MailOnly", team=mail, capacity=3)
    chat_only = rb.agent(workspace, "ChatOnly", team=chat, capacity=4)
    rb.queue(workspace, "Mail", team=mail, channels=["email"], match_language=False)
    rb.queue(workspace, "Chat", team=chat, channels=["chat"], match_language=False)

    cases = [c for pair in zip(email_cases, chat_cases, strict=True) for c in pair]
    in_parallel(lambda case: route_case(case=case), cases)

    held = Counter(
        Case.objects.filter(workspace=workspace, assignee__isnull=False).values_list(
            "assignee_id", flat=True
        )
    )
    assert held == {shared.pk: 5, mail_only.pk: 3, chat_only.pk: 4}
    assert QueueEntry.objects.filter(workspace=workspace).count() == 48 - 12
    assigned = CaseEvent.objects.filter(workspace=workspace, kind="routing.assigned")
    assert assigned.count() == 12
    assert assigned.values("case_id").distinct().count() == 12


def test_parallel_round_robin_never_gives_the_same_turn_twice():
    workspace = builders.workspace("rota", prefix="ROTA")
    buyer = builders.party(workspace, "B", email="b@example.com")
    cases = unrouted_cases(workspace, buyer, 40)
    team = rb.team(workspace, "Rota")
    people = [rb.agent(workspace, f"P{i}", team=team, capacity=40) for i in range(4)]
    rb.queue(workspace, "Rota", team=team, strategy="round_robin", match_language=False)

    in_parallel(lambda case: route_case(case=case), cases)

    turns = list(
        CaseEvent.objects.filter(workspace=workspace, kind="routing.assigned")
        .order_by("pk")
        .values_list("after__id", flat=True)
    )
    in_order = sorted(p.pk for p in people)
    assert turns == in_order * 10


def test_agents_coming_online_together_drain_each_case_once():
    workspace = builders.workspace("drain", prefix="DRN")
    buyer = builders.party(workspace, "B", email="b@example.com")
    team = rb.team(workspace, "Support")
    people = [
        rb.agent(workspace, f"P{i}", team=team, capacity=6, presence=Presence.OFFLINE)
        for i in range(THREADS)
    ]
    rb.queue(workspace, "General", team=team, match_language=False)
    unrouted = unrouted_cases(workspace, buyer, 30)
    assert QueueEntry.objects.filter(workspace=workspace).count() == 30

    def come_online(user):
        set_presence(membership=rb.membership(workspace, user), presence="online")
        drain_for_agent(workspace_id=workspace.pk, user_id=user.pk)

    in_parallel(come_online, people)

    assert not QueueEntry.objects.filter(workspace=workspace).exists()
    assigned = CaseEvent.objects.filter(workspace=workspace, kind="routing.assigned")
    assert sorted(assigned.values_list("case_id", flat=True)) == sorted(c.pk for c in unrouted)
    loads = Counter(Case.objects.filter(workspace=workspace).values_list("assignee_id", flat=True))
    assert max(loads.values()) <= 6


def test_drains_and_new_cases_in_queues_that_share_agents_run_side_by_side():
    # Given two teams that share three agents, each queue with a backlog
    workspace = builders.workspace("mixed", prefix="MIX")
    buyer = builders.party(workspace, "B", email="b@example.com")
    mail, chat = rb.team(workspace, "Mail"), rb.team(workspace, "Chat")
    shared = [
        rb.agent(workspace, f"S{i}", team=mail, capacity=4, presence=Presence.OFFLINE)
        for i in range(3)
    ]
    chat.members.add(*shared)
    rb.queue(workspace, "Mail", team=mail, channels=["email"], match_language=False)
    rb.queue(workspace, "Chat", team=chat, channels=["chat"], match_language=False)
    for channel in ("email", "chat"):
        unrouted_cases(workspace, buyer, 10, channel=channel)

    # When they come online while more cases arrive on both channels
    def work(item):
        if isinstance(item, str):
            builders.case(workspace, requester=buyer, channel=item)
        else:
            set_presence(membership=rb.membership(workspace, item), presence="online")

    in_parallel(work, [*shared, *(["email", "chat"] * 6)])

    # Then nobody holds more than their capacity and no case went out twice
    loads = Counter(
        Case.objects.filter(workspace=workspace, assignee__isnull=False).values_list(
            "assignee_id", flat=True
        )
    )
    assert loads == {user.pk: 4 for user in shared}
    assigned = CaseEvent.objects.filter(workspace=workspace, kind="routing.assigned")
    assert assigned.count() == assigned.values("case_id").distinct().count() == 12
    assert QueueEntry.objects.filter(workspace=workspace).count() == 32 - 12
