"""Every write of routing: assignments and drains (assignment.py), hand-overs of agents
who go offline (handover.py), people (agents.py), queues (queues.py), the periodic sweep
(sweep.py)."""

from .agents import PresenceChange, configure_agent, set_presence
from .assignment import Outcome, drain_for_agent, drain_queue, is_routing_write, route_case
from .handover import Handover, hand_over_cases, retry_hand_overs
from .queues import QueueSpec, QueueUpdate, create_queue, update_queue
from .sweep import sweep

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
