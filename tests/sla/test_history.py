"""Cases that predate the policies get their clocks from their own history, exactly as
if the policies had applied all along; and open clocks follow edits of their calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ombuds.conversations.events import Actor
from ombuds.conversations.services import (
    add_internal_note,
    receive_customer_message,
    reply_to_customer,
    update_case,
)
from ombuds.core.selectors import calendar_of
from ombuds.core.services import add_closure, update_calendar
from ombuds.sla.models import SlaClock, SlaPolicy
from ombuds.sla.services import start_clocks_on_existing_cases
from tests.sla.conftest import AMS, local, opened

FIELDS = (
    "metric",
    "state",
    "policy_name",
    "target",
    "elapsed",
    "started_at",
    "running_since",
    "due_at",
    "warn_at",
    "warned_at",
    "breached_at",
    "stopped_at",
    "outcome",
    "outcome_at",
    "agent_id",
)


def story(workspace, buyer, agent, clock):
    """A week in the life of a case: answered, waiting, chased, escalated, solved,
    reopened."""
    case = opened(workspace, buyer)
    me = Actor(user=agent)
    clock.advance(hours=5)  # Monday 15:00: the first reply is an hour late
    reply_to_customer(case=case, author=agent, body="Which order?", status="pending_customer")
    clock.advance(days=1)
    receive_customer_message(case=case, party=buyer, body="ORD-1.", channel="web")
    clock.advance(hours=1)
    update_case(case=case, actor=me, priority="urgent")
    clock.advance(minutes=20)
    reply_to_customer(
        case=case, author=agent, body="Asking the seller.", status="pending_third_party"
    )
    clock.advance(hours=3)
    add_internal_note(case=case, author=agent, body="Seller chased.")
    clock.advance(days=1)
    update_case(case=case, actor=me, status="open")
    clock.advance(hours=2)
    reply_to_customer(case=case, author=agent, body="Refunded.", status="solved")
    clock.advance(hours=20)
    receive_customer_message(case=case, party=buyer, body="Nothing arrived.", channel="web")
    clock.advance(hours=1)
    return case


def snapshot(case):
    return sorted(tuple(getattr(c, f) for f in FIELDS) for c in SlaClock.objects.filter(case=case))


def timeline_sla(case):
    return list(
        case.events.filter(kind__startswith="sla.")
        .order_by("created_at", "kind")
        .values_list("kind", "created_at")
    )


def test_history_gives_the_clocks_the_live_path_gave(
    workspace, buyer, agent, urgent, clock, other_workspace
):
    live = story(workspace, buyer, agent, clock)
    from ombuds.sla.sweep import sweep_due_clocks

    sweep_due_clocks(now=clock.now)
    live_clocks, live_timeline = snapshot(live), timeline_sla(live)
    assert any(row[FIELDS.index("outcome")] == "breached" for row in live_clocks)

    # The same story told while no policy existed, then the policies arrive.
    policies = list(SlaPolicy.objects.filter(workspace=workspace).order_by("position"))
    SlaPolicy.objects.filter(pk__in=[p.pk for p in policies]).update(is_active=False)
    clock.set(live.created_at)
    later = story(workspace, buyer, agent, clock)
    assert not SlaClock.objects.filter(case=later).exists()
    SlaPolicy.objects.filter(pk__in=[p.pk for p in policies]).update(is_active=True)
    assert start_clocks_on_existing_cases(workspace=workspace) == 1

    assert snapshot(later) == live_clocks
    assert timeline_sla(later) == live_timeline
    # A second run finds nothing to do.
    assert start_clocks_on_existing_cases(workspace=workspace, include_finished=True) == 0


def test_finished_cases_only_when_asked(workspace, buyer, agent, clock):
    case = opened(workspace, buyer)
    reply_to_customer(case=case, author=agent, body="Done.", status="solved")
    from ombuds.sla.services import PolicyTerms, create_policy

    create_policy(workspace=workspace, terms=PolicyTerms(name="Late", resolution_minutes=60))
    assert start_clocks_on_existing_cases(workspace=workspace) == 0
    assert start_clocks_on_existing_cases(workspace=workspace, include_finished=True) == 1
    assert SlaClock.objects.get(case=case).outcome == "achieved"


def test_open_clocks_follow_a_calendar_edit(
    workspace, buyer, standard, clock, django_capture_on_commit_callbacks
):
    case = opened(workspace, buyer)  # Monday 10:00, first response due 14:00
    calendar = calendar_of(workspace=workspace)
    with django_capture_on_commit_callbacks(execute=True):
        update_calendar(
            calendar=calendar, weekly_hours={"mon": "09:00-12:00", "tue": "09:00-17:00"}
        )
    first = SlaClock.objects.get(case=case, metric="first_response")
    assert local(first.due_at) == datetime(2026, 12, 8, 11, 0)  # 2 h Monday, 2 h Tuesday
    with django_capture_on_commit_callbacks(execute=True):
        add_closure(calendar=calendar, starts_on=date(2026, 12, 8))
    first.refresh_from_db()
    assert first.due_at is not None
    assert local(first.due_at) == datetime(2026, 12, 14, 11, 0)  # next Monday
    case.refresh_from_db()
    assert case.sla_due_at == first.due_at


def test_editing_a_target_moves_open_deadlines_only(
    workspace, buyer, agent, standard, clock, django_capture_on_commit_callbacks
):
    from ombuds.sla.services import PolicyTerms, update_policy

    done = opened(workspace, buyer)
    reply_to_customer(case=done, author=agent, body="Hi.")
    waiting = opened(workspace, buyer)
    terms = PolicyTerms.of(standard)
    terms.first_response_minutes = 60
    with django_capture_on_commit_callbacks(execute=True):
        update_policy(policy=standard, terms=terms)
    assert SlaClock.objects.get(case=done, metric="first_response").target == timedelta(hours=4)
    moved = SlaClock.objects.get(case=waiting, metric="first_response")
    assert moved.target == timedelta(hours=1)
    assert moved.due_at == datetime(2026, 12, 7, 11, 0, tzinfo=AMS)


def test_a_breached_clock_stays_due_when_it_first_breached(
    workspace, buyer, standard, clock, django_capture_on_commit_callbacks
):
    from ombuds.sla.services import PolicyTerms, update_policy
    from ombuds.sla.sweep import sweep_due_clocks

    case = opened(workspace, buyer)
    sweep_due_clocks(now=clock.advance(hours=5))
    breached = SlaClock.objects.get(case=case, metric="first_response")
    assert breached.due_at == breached.breached_at == datetime(2026, 12, 7, 14, 0, tzinfo=AMS)
    terms = PolicyTerms.of(standard)
    terms.resolution_minutes = 20 * 60
    with django_capture_on_commit_callbacks(execute=True):
        update_policy(policy=standard, terms=terms)
    breached.refresh_from_db()
    assert breached.due_at == breached.breached_at
