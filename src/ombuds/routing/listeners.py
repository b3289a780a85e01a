"""Routing reacts to the case timeline (ADR 0005): a new case is routed in the
transaction that opens it; whatever frees an agent drains the backlog after commit."""

from __future__ import annotations

from django.db import transaction

from ombuds.conversations.models import ACTIVE_STATUSES, CaseEvent, Status

from .models import PRIORITY_RANK, QueueEntry
from .services import drain_for_agent, is_routing_write, route_case


def _drain_after_commit(workspace_id: int, user_id: int) -> None:
    transaction.on_commit(
        lambda: drain_for_agent(workspace_id=workspace_id, user_id=user_id), robust=True
    )


def on_case_event(event: CaseEvent) -> None:
    if is_routing_write():
        return
    kind, case = event.kind, event.case
    if kind == "case.created":
        route_case(case=case, new=True)
    elif kind == "status.changed":
        reopened = event.before == Status.SOLVED and event.after in ACTIVE_STATUSES
        if reopened and case.assignee_id is None:
            route_case(case=case)
        elif event.after not in ACTIVE_STATUSES:
            QueueEntry.objects.filter(case_id=case.pk).delete()
            if case.assignee_id is not None and event.before in ACTIVE_STATUSES:
                _drain_after_commit(case.workspace_id, case.assignee_id)
    elif kind == "assignee.changed":
        if event.after is not None:
            # Someone took it by hand: it no longer waits.
            QueueEntry.objects.filter(case_id=case.pk).delete()
        if event.before is not None and case.status in ACTIVE_STATUSES:
            _drain_after_commit(case.workspace_id, event.before["id"])
    elif kind == "team.changed":
        # Moved to another team by hand: it leaves this team's queue.
        QueueEntry.objects.filter(case_id=case.pk).delete()
    elif kind == "priority.changed":
        QueueEntry.objects.filter(case_id=case.pk).update(
            priority_rank=PRIORITY_RANK.get(event.after, 1)
        )
