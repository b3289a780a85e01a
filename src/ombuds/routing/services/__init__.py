"""Every write of routing: assignments (assignment.py), people (agents.py), queues
(queues.py)."""

from .agents import PresenceChange, configure_agent, set_presence
from .assignment import (
    Handover,
    Outcome,
    drain_for_agent,
    drain_queue,
    hand_over_cases,
    is_routing_write,
    retry_hand_overs,
    route_case,
    sweep,
)
from .queues import QueueSpec, QueueUpdate, create_queue, update_queue

__all__ = [
    "Handover",
    "Outcome",
    "PresenceChange",
    "QueueSpec",
    "QueueUpdate",
    "configure_agent",
    "create_queue",
    "drain_for_agent",
    "drain_queue",
    "hand_over_cases",
    "is_routing_write",
    "retry_hand_overs",
    "route_case",
    "set_presence",
    "sweep",
    "update_queue",
]
