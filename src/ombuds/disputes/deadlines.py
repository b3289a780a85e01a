"""When a party must have answered: in business days for the seller and the buyer, in
calendar days for the appeal window."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ombuds.core.models import Workspace

from .terms import DisputeRules


def _add_weekdays(workspace: Workspace, start: datetime, days: int) -> datetime:
    # Monday to Friday on the workspace's wall clock: the same time of day, `days`
    # weekdays later (a Saturday or Sunday start counts from the Monday).
    zone = ZoneInfo(workspace.timezone)
    moment = start.astimezone(zone)
    while moment.weekday() >= 5:
        moment = (moment + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    left = days
    while left > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment.astimezone(ZoneInfo("UTC"))


def seller_deadline(workspace: Workspace, start: datetime, terms: DisputeRules) -> datetime:
    return _add_weekdays(workspace, start, terms.seller_days)


def buyer_deadline(workspace: Workspace, start: datetime, terms: DisputeRules) -> datetime:
    return _add_weekdays(workspace, start, terms.buyer_days)


def appeal_deadline(decided_at: datetime, terms: DisputeRules) -> datetime:
    return decided_at + timedelta(days=terms.appeal_days)
