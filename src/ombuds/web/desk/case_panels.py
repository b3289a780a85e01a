"""What automation adds to the case page's context: escalation reasons, coordination
tasks and the macros the reply box offers."""

from __future__ import annotations

from ombuds.automation import coordination
from ombuds.automation.macros.selectors import macros_of
from ombuds.automation.models import TaskStatus
from ombuds.conversations.models import CaseEvent

from .rule_forms import TaskForm


def case_extras(workspace, case, *, parties=(), agents=()) -> dict:
    """The case page's automation parts, in a fixed number of queries."""
    escalations = list(
        CaseEvent.objects.filter(case=case, kind="case.escalated").order_by("created_at", "pk")
    )
    return {
        "escalations": escalations,
        "tasks": coordination.tasks_of_case(case),
        "task_parties": list(parties),
        "task_form": TaskForm(parties=parties, agents=agents),
        "task_update_statuses": TaskStatus.choices,
        "macros": macros_of(workspace, active_only=True),
    }


def third_parties_for(workspace, third_parties):
    """Parties a task may address: those on the case first, then the workspace's others."""
    known = {p.pk: p for p in third_parties}
    for party in coordination.third_parties_of(workspace):
        known.setdefault(party.pk, party)
    return list(known.values())
