"""The automation app's one timeline listener (ADR 0005) and its webhook-failure hook.

Order per event: time rules are armed or cancelled first (they only write their own
rows), then third-party replies are linked to their task, care follow-ups stop when a
case resolves, and last the triggers run (they may write to the case).
"""

from __future__ import annotations

from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, CaseEvent, Status
from ombuds.core.models import WebhookDelivery

from .care import stop_follow_ups
from .coordination import link_reply
from .rules.engine import fire_triggers
from .rules.timers import on_status_event


def on_case_event(event: CaseEvent) -> None:
    kind = event.kind
    if kind in ("case.created", "status.changed"):
        on_status_event(event)
    if kind == "status.changed" and event.after in (Status.SOLVED, Status.CLOSED):
        stop_follow_ups(event.case)
    if kind == "message.received":
        link_reply(event)
    fire_triggers(event)


def on_webhook_failure(delivery: WebhookDelivery) -> None:
    """A call about a case failed for good: say so on the case's timeline."""
    kind, _, ident = delivery.subject.partition(":")
    if kind != "case" or not ident.isdigit():
        return
    case = Case.objects.filter(pk=int(ident), workspace_id=delivery.workspace_id).first()
    if case is None:
        return
    events.record(
        case,
        "webhook.failed",
        Actor.system("webhooks"),
        data={
            "endpoint": delivery.endpoint.name,
            "event": delivery.event,
            "attempts": delivery.attempts,
            "status_code": delivery.last_status_code,
            "error": delivery.last_error[:300],
        },
    )
