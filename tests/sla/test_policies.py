"""Which policy a case falls under: conditions, order, first match; and what happens
when the case changes so another policy applies."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ombuds.accounts.services import create_team, set_team_calendar
from ombuds.conversations.events import Actor
from ombuds.conversations.services import update_case
from ombuds.core.errors import ApplicationError
from ombuds.core.services import create_calendar
from ombuds.marketplace.models import Party
from ombuds.sla.models import ClockState, Metric, SlaClock
from ombuds.sla.services import PolicyTerms, create_policy, delete_policy, move_policy
from tests.sla.conftest import local, opened

H = timedelta(hours=1)


def policy_of(case) -> str | None:
    clock = SlaClock.objects.filter(case=case, state__in=["running", "paused"]).first()
    return clock.policy_name if clock else None


def policy(workspace, name, **terms):
    return create_policy(
        workspace=workspace, terms=PolicyTerms(name=name, first_response_minutes=60, **terms)
    )


@pytest.fixture
def ladder(workspace):
    """Tried in this order; the last catches everything."""
    return [
        policy(workspace, "Disputes", dispute="dispute"),
        policy(workspace, "VIP", customer_tier="vip"),
        policy(workspace, "Chat in Dutch", channels=["chat"], languages=["nl"]),
        policy(workspace, "Urgent", priorities=["urgent", "high"]),
        policy(workspace, "Everything else"),
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"tags": ["dispute"]}, "Disputes"),
        ({"tags": ["dispute"], "priority": "urgent"}, "Disputes"),
        ({"channel": "chat", "language": "nl"}, "Chat in Dutch"),
        ({"channel": "chat", "language": "en"}, "Everything else"),
        ({"priority": "high"}, "Urgent"),
        ({}, "Everything else"),
    ],
)
def test_the_first_matching_policy_applies(workspace, buyer, ladder, extra, expected):
    assert policy_of(opened(workspace, buyer, **extra)) == expected


def test_vip_customers_have_their_own_policy(workspace, buyer, ladder):
    Party.objects.filter(pk=buyer.pk).update(is_vip=True)
    buyer.refresh_from_db()
    assert policy_of(opened(workspace, buyer, priority="urgent")) == "VIP"


def test_order_decides_and_can_be_changed(workspace, buyer, ladder):
    urgent = ladder[3]
    for _ in range(3):
        move_policy(policy=urgent, up=True)
    assert policy_of(opened(workspace, buyer, priority="urgent", tags=["dispute"])) == "Urgent"


def test_inactive_and_deleted_policies_are_skipped(workspace, buyer, ladder):
    from ombuds.sla.services import update_policy

    terms = PolicyTerms.of(ladder[3])
    terms.is_active = False
    update_policy(policy=ladder[3], terms=terms)
    delete_policy(policy=ladder[4])
    assert policy_of(opened(workspace, buyer, priority="urgent")) is None


def test_raising_priority_applies_the_stricter_policy_and_says_why(
    workspace, buyer, agent, urgent, clock
):
    case = opened(workspace, buyer)
    clock.advance(minutes=30)
    update_case(case=case, actor=Actor(user=agent), priority="urgent")

    first = SlaClock.objects.get(case=case, metric=Metric.FIRST_RESPONSE)
    assert first.policy_name == "Urgent"
    # The half hour already used stays used: 30 minutes of the hour are left.
    assert local(first.due_at) == datetime(2026, 12, 7, 11, 0)
    resolution = SlaClock.objects.get(case=case, metric=Metric.RESOLUTION)
    assert resolution.target == 8 * H
    explained = case.events.get(kind="sla.policy_changed")
    assert explained.data["reason"] == "priority.changed"
    assert (explained.data["before"], explained.data["policy"]) == ("Standard", "Urgent")
    assert explained.data["due"]["first_response"] == first.due_at.isoformat()
    # Lowering it again goes back, with the time used under both.
    clock.advance(minutes=10)
    update_case(case=case, actor=Actor(user=agent), priority="normal")
    first.refresh_from_db()
    assert first.policy_name == "Standard"
    assert first.elapsed == 40 * timedelta(minutes=1)
    assert case.events.filter(kind="sla.policy_changed").count() == 2


def test_a_change_that_keeps_the_policy_says_nothing(workspace, buyer, agent, urgent):
    case = opened(workspace, buyer)
    update_case(case=case, actor=Actor(user=agent), priority="high")
    assert not case.events.filter(kind="sla.policy_changed").exists()


def test_tagging_a_dispute_applies_the_dispute_policy(workspace, buyer, agent, standard):
    create_policy(
        workspace=workspace,
        terms=PolicyTerms(name="Disputes", dispute="dispute", resolution_minutes=40 * 60),
    )
    move_policy(policy=standard, up=False)
    case = opened(workspace, buyer)
    update_case(case=case, actor=Actor(user=agent), tags=["dispute"])
    clocks = {c.metric: c for c in SlaClock.objects.filter(case=case)}
    # The dispute policy has no first-response target: that clock is cancelled.
    assert clocks[Metric.FIRST_RESPONSE].state == ClockState.CANCELLED
    assert clocks[Metric.RESOLUTION].policy_name == "Disputes"
    assert clocks[Metric.RESOLUTION].target == 40 * H


def test_moving_to_a_team_with_its_own_hours_recalculates(workspace, buyer, agent, standard, clock):
    evenings = create_calendar(
        workspace=workspace, name="Evenings", weekly_hours={"mon": "17:00-23:00"}
    )
    team = create_team(workspace=workspace, name="Evening desk")
    set_team_calendar(team=team, calendar=evenings)
    case = opened(workspace, buyer)
    clock.advance(hours=1)  # 11:00: one business hour used on office hours
    update_case(case=case, actor=Actor(user=agent), team=team)

    first = SlaClock.objects.get(case=case, metric=Metric.FIRST_RESPONSE)
    assert first.calendar == evenings
    assert local(first.due_at) == datetime(2026, 12, 7, 20, 0)  # 3 h left from 17:00
    explained = case.events.get(kind="sla.policy_changed")
    assert explained.data["calendar"] == "Evenings"
    assert explained.data["calendar_before"] == "Office hours"


def test_a_policy_added_later_starts_clocks_on_the_next_change(workspace, buyer, agent, clock):
    case = opened(workspace, buyer)
    assert not SlaClock.objects.filter(case=case).exists()
    policy(workspace, "Urgent", priorities=["urgent"], resolution_minutes=8 * 60)
    clock.advance(hours=2)
    update_case(case=case, actor=Actor(user=agent), priority="urgent")
    first = SlaClock.objects.get(case=case, metric=Metric.FIRST_RESPONSE)
    # Counted from the case's creation: two of its 60 minutes are long gone.
    assert first.elapsed == 2 * H
    assert first.due_at == clock.now
    assert case.events.filter(kind="sla.policy_changed").count() == 1


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"first_response_minutes": None}, "first_response_minutes"),
        ({"priorities": ["whenever"]}, "priorities"),
        ({"channels": ["pigeon"]}, "channels"),
        ({"pause_statuses": ["solved"]}, "pause_statuses"),
        ({"warn_percent": 100}, "warn_percent"),
        ({"warn_percent": 0}, "warn_percent"),
        ({"resolution_minutes": 0}, "resolution_minutes"),
        ({"name": ""}, "name"),
        ({"customer_tier": "gold"}, "customer_tier"),
    ],
)
def test_invalid_policies_are_refused_field_by_field(workspace, terms, field):
    values = {"name": "Broken", "first_response_minutes": 60, **terms}
    with pytest.raises(ApplicationError) as refused:
        create_policy(workspace=workspace, terms=PolicyTerms(**values))
    assert refused.value.code == "invalid_policy"
    assert field in refused.value.details["errors"]


def test_names_are_unique_and_calendars_and_teams_stay_in_the_workspace(
    workspace, other_workspace, standard
):
    with pytest.raises(ApplicationError) as refused:
        policy(workspace, "Standard")
    assert "name" in refused.value.details["errors"]
    foreign = create_team(workspace=other_workspace, name="Theirs")
    with pytest.raises(ApplicationError) as refused:
        policy(workspace, "Foreign", breach_team=foreign)
    assert "breach_team" in refused.value.details["errors"]
