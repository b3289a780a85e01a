"""Clocks follow the case: created, answered, waiting, reopened, solved — counted in the
workspace's business hours (Mon-Fri 09:00-17:00, Amsterdam)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case
from ombuds.conversations.services import (
    add_internal_note,
    receive_customer_message,
    reply_to_customer,
    update_case,
)
from ombuds.sla.models import ClockState, Metric, Outcome, SlaClock
from tests.sla.conftest import local, opened

H = timedelta(hours=1)


def clock_of(case, metric, *states):
    query = SlaClock.objects.filter(case=case, metric=metric)
    if states:
        query = query.filter(state__in=states)
    return query.order_by("-pk").first()


def kinds(case) -> list[str]:
    return list(case.events.filter(kind__startswith="sla.").values_list("kind", flat=True))


def test_a_new_case_starts_first_response_and_resolution(workspace, buyer, standard, clock):
    case = opened(workspace, buyer)

    first = clock_of(case, Metric.FIRST_RESPONSE)
    resolution = clock_of(case, Metric.RESOLUTION)
    assert first.state == resolution.state == ClockState.RUNNING
    assert local(first.due_at) == datetime(2026, 12, 7, 14, 0)
    assert local(first.warn_at) == datetime(2026, 12, 7, 13, 0)  # 75 % of 4 h
    assert local(resolution.due_at) == datetime(2026, 12, 9, 10, 0)  # 16 h: Wednesday
    assert not clock_of(case, Metric.NEXT_RESPONSE)
    case.refresh_from_db()
    assert case.sla_due_at == first.due_at
    applied = case.events.get(kind="sla.policy_applied")
    assert applied.data["policy"] == "Standard"
    assert applied.data["due"]["first_response"] == first.due_at.isoformat()


def test_after_hours_the_clock_waits_for_opening_time(workspace, buyer, standard, clock):
    clock.set(datetime(2026, 12, 11, 16, 30, tzinfo=clock.now.tzinfo))  # Friday 16:30
    case = opened(workspace, buyer)
    # 30 minutes on Friday, 3.5 hours on Monday.
    assert local(clock_of(case, Metric.FIRST_RESPONSE).due_at) == datetime(2026, 12, 14, 12, 30)


def test_a_reply_meets_first_response_and_a_new_message_starts_next(
    workspace, buyer, agent, standard, clock
):
    case = opened(workspace, buyer)
    clock.advance(hours=1)
    reply_to_customer(case=case, author=agent, body="Looking into it.")

    first = clock_of(case, Metric.FIRST_RESPONSE)
    assert (first.state, first.outcome, first.agent) == (ClockState.MET, Outcome.ACHIEVED, agent)
    assert first.elapsed == H

    clock.set(datetime(2026, 12, 8, 16, 30, tzinfo=clock.now.tzinfo))  # Tuesday 16:30
    receive_customer_message(case=case, party=buyer, body="Any news?", channel="web")
    following = clock_of(case, Metric.NEXT_RESPONSE)
    assert following.state == ClockState.RUNNING
    assert local(following.due_at) == datetime(2026, 12, 9, 10, 30)  # 30 min + 1.5 h
    # A second message while waiting does not move the deadline.
    clock.advance(minutes=10)
    receive_customer_message(case=case, party=buyer, body="Hello?", channel="web")
    assert SlaClock.objects.filter(case=case, metric=Metric.NEXT_RESPONSE).count() == 1

    clock.set(datetime(2026, 12, 9, 9, 15, tzinfo=clock.now.tzinfo))
    reply_to_customer(case=case, author=agent, body="It ships today.")
    assert clock_of(case, Metric.NEXT_RESPONSE).outcome == Outcome.ACHIEVED
    case.refresh_from_db()
    assert case.sla_due_at == clock_of(case, Metric.RESOLUTION).due_at


def test_waiting_on_the_customer_pauses_and_keeps_the_time_used(
    workspace, buyer, agent, standard, clock
):
    case = opened(workspace, buyer)
    clock.advance(hours=2)  # Monday 12:00
    reply_to_customer(case=case, author=agent, body="Which size?", status="pending_customer")
    resolution = clock_of(case, Metric.RESOLUTION)
    assert resolution.state == ClockState.PAUSED
    assert resolution.elapsed == 2 * H
    assert resolution.due_at is None and resolution.warn_at is None
    case.refresh_from_db()
    assert case.sla_due_at is None  # nothing runs

    clock.set(datetime(2026, 12, 9, 10, 0, tzinfo=clock.now.tzinfo))  # Wednesday 10:00
    receive_customer_message(case=case, party=buyer, body="Size M.", channel="web")
    resolution = clock_of(case, Metric.RESOLUTION)
    assert resolution.state == ClockState.RUNNING
    # 14 business hours left from Wednesday 10:00: Thursday 16:00.
    assert local(resolution.due_at) == datetime(2026, 12, 10, 16, 0)
    following = clock_of(case, Metric.NEXT_RESPONSE)
    assert local(following.due_at) == datetime(2026, 12, 9, 12, 0)


def test_on_hold_does_not_pause_by_default_but_a_policy_may_say_so(
    workspace, buyer, agent, standard, clock, django_capture_on_commit_callbacks
):
    case = opened(workspace, buyer)
    update_case(case=case, actor=Actor(user=agent), status="on_hold")
    assert clock_of(case, Metric.RESOLUTION).state == ClockState.RUNNING

    from ombuds.sla.services import PolicyTerms, update_policy

    terms = PolicyTerms.of(standard)
    terms.pause_statuses = ["pending_customer", "pending_third_party", "on_hold"]
    with django_capture_on_commit_callbacks(execute=True):
        update_policy(policy=standard, terms=terms)
    # The edit applies to the open clocks once it is committed.
    assert clock_of(case, Metric.RESOLUTION).state == ClockState.PAUSED


def test_solving_meets_resolution_and_reopening_resumes_it(
    workspace, buyer, agent, standard, clock
):
    case = opened(workspace, buyer)
    clock.advance(hours=3)
    reply_to_customer(case=case, author=agent, body="Refunded.", status="solved")
    resolution = clock_of(case, Metric.RESOLUTION)
    assert (resolution.state, resolution.outcome) == (ClockState.MET, Outcome.ACHIEVED)
    assert resolution.elapsed == 3 * H

    clock.advance(hours=1)
    receive_customer_message(case=case, party=buyer, body="Not received.", channel="web")
    reopened = clock_of(case, Metric.RESOLUTION)
    assert reopened.pk == resolution.pk
    assert (reopened.state, reopened.outcome) == (ClockState.RUNNING, Outcome.NONE)
    assert reopened.elapsed == 3 * H
    assert local(reopened.due_at) == datetime(2026, 12, 9, 11, 0)  # 13 h from Mon 14:00

    update_case(case=case, actor=Actor(user=agent), status="closed")
    assert not SlaClock.objects.filter(case=case, state__in=["running", "paused"]).exists()
    assert clock_of(case, Metric.NEXT_RESPONSE).state == ClockState.CANCELLED


def test_third_party_work_is_followed_up_internally(workspace, buyer, agent, standard, clock):
    case = opened(workspace, buyer)
    reply_to_customer(
        case=case, author=agent, body="Asking the hotel.", status="pending_third_party"
    )
    follow_up = clock_of(case, Metric.FOLLOW_UP)
    assert follow_up.state == ClockState.RUNNING
    assert local(follow_up.due_at) == datetime(2026, 12, 8, 10, 0)  # 8 business hours
    assert clock_of(case, Metric.RESOLUTION).state == ClockState.PAUSED

    clock.advance(hours=5)
    add_internal_note(case=case, author=agent, body="Hotel says tomorrow.")
    done, again = SlaClock.objects.filter(case=case, metric=Metric.FOLLOW_UP).order_by("pk")
    assert (done.state, done.outcome) == (ClockState.MET, Outcome.ACHIEVED)
    assert again.state == ClockState.RUNNING
    assert local(again.due_at) == datetime(2026, 12, 8, 15, 0)

    update_case(case=case, actor=Actor(user=agent), status="open")
    assert clock_of(case, Metric.FOLLOW_UP).state == ClockState.CANCELLED
    assert clock_of(case, Metric.RESOLUTION).state == ClockState.RUNNING


def test_a_case_without_a_matching_policy_has_no_clocks(workspace, buyer, standard):
    from ombuds.sla.services import PolicyTerms, update_policy

    terms = PolicyTerms.of(standard)
    terms.channels = ["email"]
    update_policy(policy=standard, terms=terms)
    case = opened(workspace, buyer, channel="web")
    assert not SlaClock.objects.filter(case=case).exists()
    assert kinds(case) == []


def test_policies_of_another_workspace_do_not_apply(other_workspace, standard):
    from tests import builders

    stranger = builders.party(other_workspace, "X-1", email="x@example.com")
    case = opened(other_workspace, stranger)
    assert not SlaClock.objects.filter(case=case).exists()


@pytest.mark.parametrize("status", ["pending_customer", "pending_third_party"])
def test_a_case_opened_waiting_starts_paused(workspace, buyer, agent, standard, clock, status):
    case = opened(workspace, buyer)
    update_case(case=case, actor=Actor(user=agent), status=status)
    case = Case.objects.get(pk=case.pk)
    assert clock_of(case, Metric.FIRST_RESPONSE).state == ClockState.PAUSED
