"""Running triggers on the case timeline.

For each timeline event that counts as a trigger event, the workspace's active triggers
are tried in their order; those whose conditions hold run their actions through the
services, in the same transaction. Two guards stop loops: a trigger never fires on
events its own actions recorded (a context variable holds the triggers now running), and
`conversations.events.MAX_DEPTH` bounds any chain of rules that set each other off.
"""

from __future__ import annotations

import contextvars
import logging

from django.db.models import F
from django.utils import timezone

from ombuds.conversations.models import Case, CaseEvent
from ombuds.core.batch import forget_on_change, remembered

from ..models import Trigger
from .actions import Rule, run_actions
from .conditions import Facts, all_hold, trigger_event_of

log = logging.getLogger(__name__)
_running: contextvars.ContextVar[frozenset] = contextvars.ContextVar(
    "automation_running_rules", default=frozenset()
)


def running_rules() -> frozenset:
    return _running.get()


forget_on_change(Trigger)


def _workspace_triggers(workspace_id: int) -> list[Trigger]:
    return list(
        Trigger.objects.filter(workspace_id=workspace_id, is_active=True).order_by("position", "pk")
    )


def active_triggers(workspace_id: int, event_kind: str) -> list[Trigger]:
    # Read once per filing batch (core.batch), not once per event.
    triggers = remembered(
        ("automation.triggers", workspace_id), lambda: _workspace_triggers(workspace_id)
    )
    return [t for t in triggers if event_kind in (t.events or [])]


def fire_triggers(event: CaseEvent) -> list[str]:
    """Try every trigger on one timeline event; returns the names of those that fired."""
    trigger_event = trigger_event_of(event.kind)
    if trigger_event is None:
        return []
    triggers = active_triggers(event.workspace_id, trigger_event)
    if not triggers:
        return []
    case: Case = event.case
    fired = []
    for trigger in triggers:
        key = ("trigger", trigger.pk)
        running = _running.get()
        if key in running:
            continue  # its own change: a rule does not answer itself
        facts = Facts(case, event)
        if not all_hold(trigger.conditions or [], facts):
            continue
        token = _running.set(running | {key})
        try:
            rule = Rule("trigger", trigger.pk, trigger.name)
            run_actions(trigger.actions, case, rule, event=event, words=facts.matched_words)
        finally:
            _running.reset(token)
        Trigger.objects.filter(pk=trigger.pk).update(
            fire_count=F("fire_count") + 1, last_fired_at=timezone.now()
        )
        fired.append(trigger.name)
    return fired
