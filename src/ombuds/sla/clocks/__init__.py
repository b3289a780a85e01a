"""SLA clocks: the facts a policy is chosen by, one case's clocks and their moves, and
the timeline listener that drives them (docs/adr/0011)."""

from .history import start_clocks_from_history
from .moves import HANDLED, next_priority, on_case_event

__all__ = ["HANDLED", "next_priority", "on_case_event", "start_clocks_from_history"]
