"""When a party must have answered: by the close of the n-th business day of the
workspace's calendar for the seller and the buyer (so a public holiday or a weekend
in between gives them the day), in calendar days for the appeal window."""

from __future__ import annotations

from datetime import datetime, timedelta

from ombuds.core.business_time import add_business_days
from ombuds.core.models import Workspace
from ombuds.core.selectors import business_calendar

from .terms import DisputeRules


def seller_deadline(workspace: Workspace, start: datetime, terms: DisputeRules) -> datetime:
    return add_business_days(business_calendar(workspace=workspace), start, terms.seller_days)


def buyer_deadline(workspace: Workspace, start: datetime, terms: DisputeRules) -> datetime:
    return add_business_days(business_calendar(workspace=workspace), start, terms.buyer_days)


def appeal_deadline(decided_at: datetime, terms: DisputeRules) -> datetime:
    return decided_at + timedelta(days=terms.appeal_days)
