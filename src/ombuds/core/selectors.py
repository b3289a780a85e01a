"""Reads of the shared kernel: a workspace's business calendars, and the calendar value
(ombuds.core.business_time.Calendar) that SLA clocks and deadlines count on.

The value of a calendar is built once per process and kept under (id, updated_at): every
write to a calendar or its closures bumps updated_at, so an edit applies at the next read
in every process, at the price of one indexed row read.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Protocol

from .business_time import WEEKDAYS, Calendar, CalendarError, parse_openings, wall_time_to_utc
from .models import BusinessCalendar, CalendarClosure, Workspace

log = logging.getLogger(__name__)

_VALUES: OrderedDict[tuple[int, datetime], Calendar] = OrderedDict()
_VALUES_LOCK = threading.Lock()
_VALUES_SIZE = 256


class HasCalendar(Protocol):
    """A team, or anything else that may name its own calendar."""

    calendar_id: int | None


def build_calendar(row: BusinessCalendar, closures: Iterable[CalendarClosure]) -> Calendar:
    """The calendar value of a row and its closures (raises CalendarError if invalid)."""
    week = tuple(parse_openings((row.weekly_hours or {}).get(day, "")) for day in WEEKDAYS)
    closed, ranges = set(), []
    for closure in closures:
        if closure.is_whole_days:
            days = (closure.ends_on - closure.starts_on).days
            closed.update(closure.starts_on + timedelta(days=i) for i in range(days + 1))
            continue
        start = datetime.combine(closure.starts_on, closure.from_time or time())
        if closure.until_time is not None:
            end = datetime.combine(closure.ends_on, closure.until_time)
        else:
            end = datetime.combine(closure.ends_on + timedelta(days=1), time())
        ranges.append((wall_time_to_utc(row.timezone, start), wall_time_to_utc(row.timezone, end)))
    return Calendar(
        row.timezone,
        week,
        frozenset(closed),
        tuple(ranges),
        holiday_country=row.holiday_country,
        holiday_subdivision=row.holiday_subdivision,
    )


def fallback_calendar(workspace: Workspace) -> Calendar:
    """Office hours in the workspace's timezone, for a workspace without a calendar row."""
    try:
        return Calendar.office_hours(workspace.timezone)
    except CalendarError:
        return Calendar.office_hours("UTC")


def calendar_value(row: BusinessCalendar) -> Calendar:
    """The arithmetic's view of a calendar row, cached per process."""
    key = (row.pk, row.updated_at)
    with _VALUES_LOCK:
        value = _VALUES.get(key)
        if value is not None:
            _VALUES.move_to_end(key)
            return value
    try:
        value = build_calendar(row, row.closures.all())
    except CalendarError:
        # The services validate every write, so this is data from before a rule or an
        # upgraded holidays package that dropped a region: keep counting, on office hours.
        log.warning("calendar.invalid", extra={"calendar": row.pk})
        value = Calendar.office_hours(row.timezone if _known_zone(row.timezone) else "UTC")
    with _VALUES_LOCK:
        _VALUES[key] = value
        while len(_VALUES) > _VALUES_SIZE:
            _VALUES.popitem(last=False)
    return value


def _known_zone(name: str) -> bool:
    try:
        Calendar.around_the_clock(name)
    except CalendarError:
        return False
    return True


def default_calendar(workspace: Workspace) -> BusinessCalendar | None:
    return BusinessCalendar.objects.filter(workspace=workspace, is_default=True).first()


def calendar_of(
    *, workspace: Workspace, team: HasCalendar | None = None, calendar_id: int | None = None
) -> BusinessCalendar | None:
    """The calendar row that applies: the one asked for, else the team's own, else the
    workspace's default (None only for a workspace that has no calendar at all)."""
    for pk in (calendar_id, getattr(team, "calendar_id", None)):
        if pk:
            row = BusinessCalendar.objects.filter(workspace=workspace, pk=pk).first()
            if row is not None:
                return row
    return default_calendar(workspace)


def business_calendar(*, workspace: Workspace, team: HasCalendar | None = None) -> Calendar:
    """The calendar value a workspace (or one of its teams) counts business time on."""
    row = calendar_of(workspace=workspace, team=team)
    return calendar_value(row) if row is not None else fallback_calendar(workspace)


def calendars_of(workspace: Workspace) -> list[BusinessCalendar]:
    """A workspace's calendars, default first, with their closures."""
    return list(BusinessCalendar.objects.filter(workspace=workspace).prefetch_related("closures"))


def calendar_by_id(*, workspace: Workspace, pk: int) -> BusinessCalendar | None:
    return (
        BusinessCalendar.objects.filter(workspace=workspace, pk=pk)
        .prefetch_related("closures")
        .first()
    )
