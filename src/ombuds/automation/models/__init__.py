"""Tables of the automation app, one module per sub-topic."""

from .care import CareFollowUp, CarePlan, Problem, SweepMark
from .coordination import OPEN_TASK_STATUSES, CoordinationTask, TaskMessage, TaskStatus
from .macros import Macro, MacroTranslation, MacroUse, MacroVersion
from .notifications import EmailStatus, Notification
from .rules import DueAction, TimeRule, Trigger, TriggerEvent

__all__ = [
    "OPEN_TASK_STATUSES",
    "CareFollowUp",
    "CarePlan",
    "CoordinationTask",
    "DueAction",
    "EmailStatus",
    "Macro",
    "MacroTranslation",
    "MacroUse",
    "MacroVersion",
    "Notification",
    "Problem",
    "SweepMark",
    "TaskMessage",
    "TaskStatus",
    "TimeRule",
    "Trigger",
    "TriggerEvent",
]
