"""The periodic safety net behind every wake-up of routing."""

from __future__ import annotations

from ..models import AgentProfile, Presence, Queue
from .assignment import drain_queue
from .handover import hand_over_cases


def sweep() -> dict[str, int]:
    """The periodic safety net: drain every backlog someone could take from, and retry
    the hand-over of offline agents who still hold cases. A lost wake-up only delays."""
    drained = 0
    for queue_id in (
        Queue.objects.filter(is_active=True, entries__isnull=False)
        .order_by("workspace_id", "position", "pk")
        .values_list("pk", flat=True)
        .distinct()
    ):
        drained += len(drain_queue(queue_id=queue_id))
    moved = 0
    for workspace_id, user_id in AgentProfile.objects.filter(
        presence=Presence.OFFLINE, hand_over=True
    ).values_list("workspace_id", "user_id"):
        moved += len(hand_over_cases(workspace_id=workspace_id, user_id=user_id).moved)
    return {"drained": drained, "moved": moved}
