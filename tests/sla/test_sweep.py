"""The minute sweep: warnings and breaches on the timeline when they fall due, with the
policy's escalations; its cost follows what is due."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ombuds.conversations.events import Actor
from ombuds.conversations.services import reply_to_customer, update_case
from ombuds.sla.models import Metric, Notify, Outcome, SlaClock
from ombuds.sla.services import PolicyTerms, update_policy
from ombuds.sla.sweep import sweep_due_clocks
from tests.sla.conftest import AMS, local, opened


def first_response(case) -> SlaClock:
    return SlaClock.objects.get(case=case, metric=Metric.FIRST_RESPONSE)


def escalate(policy, **changes):
    terms = PolicyTerms.of(policy)
    for name, value in changes.items():
        setattr(terms, name, value)
    return update_policy(policy=policy, terms=terms)


def test_a_warning_then_a_breach_land_on_the_timeline(workspace, buyer, standard, clock):
    case = opened(workspace, buyer)
    assert sweep_due_clocks(now=clock.advance(hours=2, minutes=59)).warnings == 0

    result = sweep_due_clocks(now=clock.advance(minutes=1))  # 13:00, 75 % of 4 h
    assert (result.warnings, result.breaches) == (1, 0)
    warning = case.events.get(kind="sla.warning")
    assert warning.data["metric"] == "first_response"
    assert warning.data["policy"] == "Standard"
    assert local(warning.created_at) == datetime(2026, 12, 7, 13, 0)
    assert first_response(case).warn_at is None

    # The sweep ran late (the worker was down): the breach is dated when it happened.
    result = sweep_due_clocks(now=clock.advance(hours=3))
    assert result.breaches == 1
    breach = case.events.get(kind="sla.breached")
    assert local(breach.created_at) == datetime(2026, 12, 7, 14, 0)
    clock_row = first_response(case)
    assert (clock_row.outcome, clock_row.state) == (Outcome.BREACHED, "running")
    # Nothing is recorded twice.
    assert sweep_due_clocks(now=clock.advance(hours=1)).as_dict()["breaches"] == 0
    assert case.events.filter(kind="sla.breached").count() == 1


def test_a_late_reply_still_counts_as_a_breach(workspace, buyer, agent, standard, clock):
    case = opened(workspace, buyer)
    clock.set(datetime(2026, 12, 7, 14, 0, 30, tzinfo=AMS))  # due at 14:00, no sweep yet
    reply_to_customer(case=case, author=agent, body="Sorry for the wait.")
    clock_row = first_response(case)
    assert (clock_row.state, clock_row.outcome) == ("met", Outcome.BREACHED)
    assert case.events.filter(kind="sla.breached").count() == 1
    assert case.events.filter(kind="sla.warning").count() == 1
    assert sweep_due_clocks(now=clock.now).breaches == 0


def test_a_breach_notifies_supervisors_by_mail_after_commit(
    workspace, buyer, agent, standard, supervisor, clock, django_capture_on_commit_callbacks
):
    escalate(standard, breach_notify=Notify.BOTH)
    case = opened(workspace, buyer)
    update_case(case=case, actor=Actor(user=agent), assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_due_clocks(now=clock.advance(hours=4))
    breach = case.events.get(kind="sla.breached")
    assert sorted(breach.data["escalation"]["notified"]) == ["Anna Agent", "Sue Super"]
    assert sorted(m.to[0] for m in mail.outbox) == ["agent@resale.test", "sue@resale.test"]
    message = next(m for m in mail.outbox if m.to == ["sue@resale.test"])
    assert message.subject == f"[{case.reference}] SLA breached: First response"
    assert f"/w/resale/cases/{case.reference}/" in message.body


def test_notices_speak_the_recipients_language(
    workspace, buyer, standard, supervisor, clock, django_capture_on_commit_callbacks
):
    supervisor.language = "nl"
    supervisor.save()
    escalate(standard, warning_notify=Notify.SUPERVISORS)
    case = opened(workspace, buyer)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_due_clocks(now=clock.advance(hours=3))
    [notice] = mail.outbox
    assert notice.subject == f"[{case.reference}] SLA-waarschuwing: Eerste reactie"


def test_a_breach_can_raise_priority_and_move_the_case(
    workspace, buyer, agent, standard, escalations, clock
):
    escalate(standard, breach_raise_priority=True, breach_team=escalations)
    case = opened(workspace, buyer, priority="high")
    update_case(case=case, actor=Actor(user=agent), assignee=agent)
    sweep_due_clocks(now=clock.advance(hours=4))
    case.refresh_from_db()
    assert case.priority == "urgent"
    assert case.team == escalations
    assert case.assignee is None  # not a member of the escalation team
    moved = case.events.get(kind="team.changed")
    assert moved.actor_label == "sla escalation"
    assert case.events.get(kind="priority.changed").after == "urgent"


def test_no_escalation_when_nothing_is_configured(workspace, buyer, standard, clock):
    case = opened(workspace, buyer)
    sweep_due_clocks(now=clock.advance(hours=4))
    assert "escalation" not in case.events.get(kind="sla.breached").data
    assert mail.outbox == []


def test_paused_clocks_are_not_swept(workspace, buyer, agent, standard, clock):
    case = opened(workspace, buyer)
    update_case(case=case, actor=Actor(user=agent), status="pending_customer")
    assert sweep_due_clocks(now=clock.advance(days=30)).as_dict()["breaches"] == 0
    assert not case.events.filter(kind__in=["sla.warning", "sla.breached"]).exists()


def test_the_sweep_reads_what_is_due_not_what_exists(workspace, buyer, standard, clock):
    """An idle sweep is two index reads however many clocks run; each due clock then
    costs the same couple of queries (its timeline event), not a read of the rest."""

    def warnings_of(count: int) -> int:
        for _ in range(count):
            opened(workspace, buyer)
        clock.advance(hours=1)
        for _ in range(20):
            opened(workspace, buyer)  # due later
        with CaptureQueriesContext(connection) as idle:
            assert sweep_due_clocks(now=clock.now).warnings == 0
        assert len(idle) == 2
        with CaptureQueriesContext(connection) as busy:
            # Two hours later: the warnings of the first `count` cases, nothing else.
            assert sweep_due_clocks(now=clock.now + timedelta(hours=2)).warnings == count
        return len(busy)

    one = warnings_of(1)
    clock.advance(days=7)  # a fresh Monday: the first cases are long decided
    sweep_due_clocks(now=clock.now)
    twelve = warnings_of(12)
    assert (twelve - one) / 11 <= 2
