"""Reads of triggers and time rules, always within one workspace."""

from __future__ import annotations

from django.db.models import Count

from ombuds.core.errors import NotFound
from ombuds.core.models import Workspace

from ..models import TimeRule, Trigger


def triggers_of(workspace: Workspace) -> list[Trigger]:
    return list(Trigger.objects.filter(workspace=workspace).order_by("position", "pk"))


def trigger_of(*, workspace: Workspace, pk: int) -> Trigger:
    trigger = Trigger.objects.filter(workspace=workspace, pk=pk).first()
    if trigger is None:
        raise NotFound("trigger", pk)
    return trigger


def time_rules_of(workspace: Workspace) -> list[TimeRule]:
    """Time rules with how many cases each is armed for right now."""
    return list(
        TimeRule.objects.filter(workspace=workspace)
        .annotate(armed=Count("due_actions"))
        .order_by("status", "hours", "pk")
    )


def time_rule_of(*, workspace: Workspace, pk: int) -> TimeRule:
    rule = TimeRule.objects.filter(workspace=workspace, pk=pk).first()
    if rule is None:
        raise NotFound("time_rule", pk)
    return rule
