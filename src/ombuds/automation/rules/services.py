"""Writing triggers and time rules. Admins and supervisors manage them; every rule is
checked against the rule language (schema.py) before it is stored."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from ombuds.conversations.models import Status
from ombuds.core.errors import ApplicationError
from ombuds.core.models import Workspace

from ..models import TimeRule, Trigger
from .schema import check_events, check_rule
from .timers import arm_rule_for_waiting_cases

MAX_HOURS = 24 * 365


def _name(model, workspace: Workspace, name: str, exclude: int | None = None) -> str:
    name = " ".join((name or "").split())[:100]
    if not name:
        raise ApplicationError("empty_rule_name", "A rule needs a name.", status=422)
    clash = model.objects.filter(workspace=workspace, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ApplicationError("rule_name_taken", f"A rule named {name!r} exists.", status=409)
    return name


def _next_position(model, workspace: Workspace) -> int:
    top = model.objects.filter(workspace=workspace).aggregate(m=Max("position"))["m"]
    return (top or 0) + 10


@transaction.atomic
def create_trigger(
    *,
    workspace: Workspace,
    name: str,
    events: list[str],
    conditions: list[dict],
    actions: list[dict],
    description: str = "",
    is_active: bool = True,
    builtin_key: str = "",
    position: int | None = None,
) -> Trigger:
    """A new trigger, placed after the existing ones unless a position is given."""
    conditions, actions = check_rule(conditions=conditions, actions=actions, workspace=workspace)
    return Trigger.objects.create(
        workspace=workspace,
        name=_name(Trigger, workspace, name),
        description=description[:300],
        events=check_events(events),
        conditions=conditions,
        actions=actions,
        is_active=is_active,
        builtin_key=builtin_key,
        position=position if position is not None else _next_position(Trigger, workspace),
    )


@transaction.atomic
def update_trigger(
    *,
    trigger: Trigger,
    name: str,
    events: list[str],
    conditions: list[dict],
    actions: list[dict],
    description: str = "",
    is_active: bool = True,
    position: int | None = None,
) -> Trigger:
    trigger = Trigger.objects.select_for_update().get(pk=trigger.pk)
    workspace = trigger.workspace
    conditions, actions = check_rule(conditions=conditions, actions=actions, workspace=workspace)
    trigger.name = _name(Trigger, workspace, name, exclude=trigger.pk)
    trigger.description = description[:300]
    trigger.events = check_events(events)
    trigger.conditions = conditions
    trigger.actions = actions
    trigger.is_active = is_active
    if position is not None:
        trigger.position = position
    trigger.save()
    return trigger


@transaction.atomic
def delete_trigger(*, trigger: Trigger) -> None:
    trigger.delete()


def _check_time(status: str, hours) -> tuple[str, int]:
    if status not in Status.values or status == Status.CLOSED:
        raise ApplicationError(
            "invalid_rule_status",
            "A time rule waits in an open, pending, on-hold or solved status.",
            details={"allowed": [s for s in Status.values if s != Status.CLOSED]},
            status=422,
        )
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = 0
    if not 1 <= hours <= MAX_HOURS:
        raise ApplicationError(
            "invalid_rule_hours", f"Wait between 1 and {MAX_HOURS} hours.", status=422
        )
    return status, hours


@transaction.atomic
def create_time_rule(
    *,
    workspace: Workspace,
    name: str,
    status: str,
    hours: int,
    actions: list[dict],
    conditions: list[dict] = (),
    is_active: bool = True,
) -> TimeRule:
    """A new time rule; cases already waiting in its status are armed from when they
    entered it."""
    status, hours = _check_time(status, hours)
    conditions, actions = check_rule(
        conditions=list(conditions), actions=actions, workspace=workspace
    )
    rule = TimeRule.objects.create(
        workspace=workspace,
        name=_name(TimeRule, workspace, name),
        status=status,
        hours=hours,
        conditions=conditions,
        actions=actions,
        is_active=is_active,
        position=_next_position(TimeRule, workspace),
    )
    arm_rule_for_waiting_cases(rule)
    return rule


@transaction.atomic
def update_time_rule(
    *,
    rule: TimeRule,
    name: str,
    status: str,
    hours: int,
    actions: list[dict],
    conditions: list[dict] = (),
    is_active: bool = True,
) -> TimeRule:
    """Change a time rule; its armed cases are re-armed with the new wait."""
    rule = TimeRule.objects.select_for_update().get(pk=rule.pk)
    workspace = rule.workspace
    status, hours = _check_time(status, hours)
    conditions, actions = check_rule(
        conditions=list(conditions), actions=actions, workspace=workspace
    )
    rule.name = _name(TimeRule, workspace, name, exclude=rule.pk)
    rule.status, rule.hours = status, hours
    rule.conditions, rule.actions, rule.is_active = conditions, actions, is_active
    rule.save()
    arm_rule_for_waiting_cases(rule)
    return rule


@transaction.atomic
def delete_time_rule(*, rule: TimeRule) -> None:
    rule.delete()
