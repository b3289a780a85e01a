"""Time rules: armed when a case enters the status, cancelled when it leaves, run when
due by the sweep — and the sweep reads only what is due."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ombuds.automation.models import DueAction, TimeRule
from ombuds.automation.rules.services import create_time_rule, update_time_rule
from ombuds.automation.rules.timers import sweep_time_rules
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, MessageKind
from ombuds.conversations.services import receive_customer_message, update_case
from tests import builders

DAY = timedelta(days=1)


def _rules(workspace, reminder_macro):
    reminder = create_time_rule(
        workspace=workspace,
        name="Reminder",
        status="pending_customer",
        hours=72,
        actions=[{"type": "reply_macro", "value": str(reminder_macro.pk)}],
    )
    solve = create_time_rule(
        workspace=workspace,
        name="Solve",
        status="pending_customer",
        hours=168,
        actions=[{"type": "set_status", "value": "solved"}],
    )
    return reminder, solve


def _pending_case(workspace, buyer, agent):
    case = builders.case(workspace, requester=buyer)
    update_case(case=case, actor=Actor(user=agent), status="pending_customer")
    return case


def test_pending_customer_three_days_reminds_and_seven_days_solves(
    workspace, buyer, agent, defaults
):
    from ombuds.automation.models import Macro

    reminder_macro = Macro.objects.get(workspace=workspace, key="reminder-pending-customer")
    _rules(workspace, reminder_macro)
    case = _pending_case(workspace, buyer, agent)
    entered = case.events.get(kind="status.changed").created_at
    assert set(DueAction.objects.filter(case=case).values_list("due_at", flat=True)) == {
        entered + 3 * DAY,
        entered + 7 * DAY,
    }

    assert sweep_time_rules(now=entered + 2 * DAY) == 0
    assert sweep_time_rules(now=entered + 3 * DAY) == 1
    reply = case.messages.get(kind=MessageKind.OUTBOUND)
    assert "We are still waiting for your answer" in reply.body_text
    assert Case.objects.get(pk=case.pk).status == "pending_customer"  # a reminder waits on

    assert sweep_time_rules(now=entered + 7 * DAY) == 1
    case = Case.objects.get(pk=case.pk)
    assert case.status == "solved"
    assert case.events.filter(kind="status.changed", actor_label="rule: Solve").exists()
    assert not DueAction.objects.filter(case=case).exists()


def test_a_customer_answer_cancels_the_rules_and_waiting_again_rearms_them(
    workspace, buyer, agent, hello_macro
):
    _rules(workspace, hello_macro)
    case = _pending_case(workspace, buyer, agent)
    receive_customer_message(case=case, party=buyer, body="Here it is", channel="web")
    assert not DueAction.objects.filter(case=case).exists()
    assert sweep_time_rules(now=timezone.now() + 30 * DAY) == 0

    update_case(case=case, actor=Actor(user=agent), status="pending_customer")
    entered = case.events.filter(kind="status.changed").latest("created_at", "pk").created_at
    due = sorted(DueAction.objects.filter(case=case).values_list("due_at", flat=True))
    assert due == [entered + 3 * DAY, entered + 7 * DAY]


def test_a_new_rule_arms_the_cases_already_waiting(workspace, buyer, agent, hello_macro):
    case = _pending_case(workspace, buyer, agent)
    entered = case.events.get(kind="status.changed").created_at
    rule = create_time_rule(
        workspace=workspace,
        name="Nudge",
        status="pending_customer",
        hours=24,
        actions=[{"type": "add_tags", "value": "nudged"}],
    )
    assert DueAction.objects.get(rule=rule).due_at == entered + DAY
    update_time_rule(
        rule=rule,
        name="Nudge",
        status="pending_customer",
        hours=48,
        actions=rule.actions,
    )
    assert DueAction.objects.get(rule=rule).due_at == entered + 2 * DAY
    update_time_rule(
        rule=rule,
        name="Nudge",
        status="pending_customer",
        hours=48,
        actions=rule.actions,
        is_active=False,
    )
    assert not DueAction.objects.filter(rule=rule).exists()


def test_conditions_of_a_time_rule_are_checked_when_it_is_due(workspace, buyer, agent):
    create_time_rule(
        workspace=workspace,
        name="VIP nudge",
        status="pending_customer",
        hours=1,
        conditions=[{"field": "requester.is_vip", "op": "is_true"}],
        actions=[{"type": "add_tags", "value": "nudged"}],
    )
    case = _pending_case(workspace, buyer, agent)
    assert sweep_time_rules(now=timezone.now() + DAY) == 0
    assert not case.tags.filter(name="nudged").exists()
    assert not DueAction.objects.exists()  # done with, not retried every minute


def test_the_sweep_reads_what_is_due_not_what_exists(workspace, buyer, agent):
    create_time_rule(
        workspace=workspace,
        name="Tag",
        status="pending_customer",
        hours=1,
        actions=[{"type": "add_tags", "value": "late"}],
    )
    cases = [_pending_case(workspace, buyer, agent) for _ in range(6)]
    later = timezone.now() + 2 * timedelta(hours=1)
    DueAction.objects.filter(case__in=cases[2:]).update(due_at=later + 30 * DAY)

    with CaptureQueriesContext(connection) as nothing_due:
        assert sweep_time_rules(now=timezone.now()) == 0
    assert len(nothing_due.captured_queries) == 1

    assert sweep_time_rules(now=later) == 2
    assert DueAction.objects.count() == 4
    assert TimeRule.objects.get().fire_count == 2
