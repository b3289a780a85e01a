"""Writes of the shared kernel: business calendars and their closures.

Apps whose rows depend on a calendar (SLA clocks, dispute deadlines) hear of every change
through `on_calendar_change`, registered in their AppConfig.ready(), the way they hear of
case events (docs/adr/0005). Listeners run inside the writing transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import available_timezones

import holidays
from django.db import transaction
from django.utils import timezone

from .business_time import (
    WEEKDAYS,
    CalendarError,
    format_openings,
    parse_openings,
    wall_time_to_utc,
)
from .errors import ApplicationError
from .models import BusinessCalendar, CalendarClosure, Workspace, office_week
from .selectors import build_calendar

# Whole-day closures longer than this are almost certainly a typo in a year.
MAX_CLOSURE_DAYS = 366
# Stored data, not a label: the same words whatever language is active when it is made.
DEFAULT_CALENDAR_NAME = "Office hours"


@dataclass(frozen=True)
class CalendarChange:
    """A calendar's hours, holidays or closures changed (calendar_id), or a team now
    counts on another calendar (team_id)."""

    workspace_id: int
    calendar_id: int | None = None
    team_id: int | None = None


CalendarListener = Callable[[CalendarChange], None]
_LISTENERS: list[tuple[str, CalendarListener]] = []


def on_calendar_change(name: str, listener: CalendarListener) -> None:
    """Hand every calendar change to `listener` from now on (called from AppConfig.ready)."""
    if all(existing != name for existing, _ in _LISTENERS):
        _LISTENERS.append((name, listener))


def announce_calendar_change(change: CalendarChange) -> None:
    for _, listener in _LISTENERS:
        listener(change)


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def holiday_regions() -> dict[str, tuple[str, ...]]:
    """Countries the holidays package knows, each with its subdivisions."""
    return {code: tuple(subs) for code, subs in holidays.list_supported_countries().items()}


def _refuse(field: str, message: str) -> ApplicationError:
    return ApplicationError(
        "invalid_calendar",
        message,
        details={"field": field, "errors": {field: [message]}},
        status=422,
    )


def check_weekly_hours(weekly_hours: dict[str, str]) -> dict[str, str]:
    """Each weekday's hours in their normal spelling; refuses what does not parse."""
    unknown = set(weekly_hours) - set(WEEKDAYS)
    if unknown:
        raise _refuse("weekly_hours", f"Unknown weekdays: {', '.join(sorted(unknown))}.")
    normal = {}
    for day in WEEKDAYS:
        try:
            normal[day] = format_openings(parse_openings(weekly_hours.get(day, "")))
        except CalendarError as exc:
            raise _refuse(day, str(exc)) from None
    if not any(normal.values()):
        raise _refuse("weekly_hours", "A calendar needs opening hours on at least one day.")
    return normal


def _check_holidays(country: str, subdivision: str) -> tuple[str, str]:
    country, subdivision = country.strip().upper(), subdivision.strip().upper()
    if not country:
        if subdivision:
            raise _refuse("holiday_subdivision", "A region needs a country.")
        return "", ""
    regions = holiday_regions()
    if country not in regions:
        raise _refuse("holiday_country", f"No public holidays are known for {country!r}.")
    if subdivision and subdivision not in {s.upper() for s in regions[country]}:
        raise _refuse("holiday_subdivision", f"{subdivision!r} is not a region of {country}.")
    return country, subdivision


def _check_timezone(name: str) -> str:
    name = name.strip()
    if name not in known_timezones():
        raise _refuse("timezone", f"{name!r} is not an IANA timezone such as Europe/Amsterdam.")
    return name


def _check_name(workspace: Workspace, name: str, exclude: int | None = None) -> str:
    name = " ".join((name or "").split())[:100]
    if not name:
        raise _refuse("name", "A calendar needs a name.")
    clash = BusinessCalendar.objects.filter(workspace=workspace, name=name)
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise _refuse("name", f"There is already a calendar called {name!r}.")
    return name


def _make_default(calendar: BusinessCalendar) -> None:
    BusinessCalendar.objects.filter(workspace_id=calendar.workspace_id, is_default=True).exclude(
        pk=calendar.pk
    ).update(is_default=False, updated_at=timezone.now())


@transaction.atomic
def create_calendar(
    *,
    workspace: Workspace,
    name: str,
    timezone_name: str | None = None,
    weekly_hours: dict[str, str] | None = None,
    holiday_country: str = "",
    holiday_subdivision: str = "",
    is_default: bool = False,
) -> BusinessCalendar:
    """A new calendar for the workspace; the first one becomes its default."""
    country, subdivision = _check_holidays(holiday_country, holiday_subdivision)
    first = not BusinessCalendar.objects.filter(workspace=workspace).exists()
    calendar = BusinessCalendar(
        workspace=workspace,
        name=_check_name(workspace, name),
        timezone=_check_timezone(timezone_name or workspace.timezone),
        weekly_hours=check_weekly_hours(
            weekly_hours if weekly_hours is not None else office_week()
        ),
        holiday_country=country,
        holiday_subdivision=subdivision,
        is_default=is_default or first,
        updated_at=timezone.now(),
    )
    if calendar.is_default and not first:
        _make_default(calendar)
    calendar.save()
    return calendar


def create_default_calendar(*, workspace: Workspace) -> BusinessCalendar:
    """Office hours, Monday to Friday 09:00-17:00 in the workspace's timezone."""
    return create_calendar(
        workspace=workspace,
        name=DEFAULT_CALENDAR_NAME,
        timezone_name=workspace.timezone if workspace.timezone in known_timezones() else "UTC",
        is_default=True,
    )


@transaction.atomic
def update_calendar(
    *,
    calendar: BusinessCalendar,
    name: str | None = None,
    timezone_name: str | None = None,
    weekly_hours: dict[str, str] | None = None,
    holiday_country: str | None = None,
    holiday_subdivision: str | None = None,
    is_default: bool | None = None,
) -> BusinessCalendar:
    """Change a calendar; deadlines counted on it are recalculated by their owners."""
    calendar = _lock(calendar)
    if name is not None:
        calendar.name = _check_name(calendar.workspace, name, exclude=calendar.pk)
    if timezone_name is not None:
        calendar.timezone = _check_timezone(timezone_name)
    if weekly_hours is not None:
        calendar.weekly_hours = check_weekly_hours(weekly_hours)
    if holiday_country is not None or holiday_subdivision is not None:
        calendar.holiday_country, calendar.holiday_subdivision = _check_holidays(
            calendar.holiday_country if holiday_country is None else holiday_country,
            holiday_subdivision or "",
        )
    if is_default is False and calendar.is_default:
        raise _refuse("is_default", "Make another calendar the default instead.")
    if is_default and not calendar.is_default:
        _make_default(calendar)
        calendar.is_default = True
    calendar.updated_at = _later(calendar.updated_at)
    calendar.save()
    _announce(calendar)
    return calendar


def _lock(calendar: BusinessCalendar) -> BusinessCalendar:
    return BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)


def _later(previous: datetime) -> datetime:
    """updated_at keys the cached value: two edits within one clock tick must still
    differ."""
    return max(timezone.now(), previous + timedelta(microseconds=1))


def _touch(calendar: BusinessCalendar) -> None:
    """Its closures changed: move the cache key on and tell who counts on it."""
    calendar.updated_at = _later(calendar.updated_at)
    BusinessCalendar.objects.filter(pk=calendar.pk).update(updated_at=calendar.updated_at)
    _announce(calendar)


def _announce(calendar: BusinessCalendar) -> None:
    announce_calendar_change(
        CalendarChange(workspace_id=calendar.workspace_id, calendar_id=calendar.pk)
    )


@transaction.atomic
def delete_calendar(*, calendar: BusinessCalendar) -> None:
    """Remove a calendar; teams and policies that named it fall back to the default."""
    if calendar.is_default:
        raise ApplicationError(
            "default_calendar", "The default calendar cannot be removed.", status=409
        )
    change = CalendarChange(workspace_id=calendar.workspace_id, calendar_id=calendar.pk)
    announce_calendar_change(change)
    calendar.delete()


def _check_closure(
    calendar: BusinessCalendar,
    starts_on: date,
    ends_on: date,
    from_time: time | None,
    until_time: time | None,
) -> None:
    if ends_on < starts_on:
        raise _refuse("ends_on", "A closure cannot end before it starts.")
    if (ends_on - starts_on).days >= MAX_CLOSURE_DAYS:
        raise _refuse("ends_on", f"A closure may last at most {MAX_CLOSURE_DAYS} days.")
    if from_time is not None or until_time is not None:
        start = datetime.combine(starts_on, from_time or time())
        end = (
            datetime.combine(ends_on, until_time)
            if until_time is not None
            else datetime.combine(ends_on + timedelta(days=1), time())
        )
        if wall_time_to_utc(calendar.timezone, end) <= wall_time_to_utc(calendar.timezone, start):
            raise _refuse("until_time", "A closure must end after it starts.")


@transaction.atomic
def add_closure(
    *,
    calendar: BusinessCalendar,
    starts_on: date,
    ends_on: date | None = None,
    from_time: time | None = None,
    until_time: time | None = None,
    reason: str = "",
) -> CalendarClosure:
    """Close a calendar for whole days, or from one local time to another."""
    calendar = _lock(calendar)
    ends_on = ends_on or starts_on
    _check_closure(calendar, starts_on, ends_on, from_time, until_time)
    closure = CalendarClosure.objects.create(
        workspace_id=calendar.workspace_id,
        calendar=calendar,
        starts_on=starts_on,
        ends_on=ends_on,
        from_time=from_time,
        until_time=until_time,
        reason=" ".join(reason.split())[:200],
    )
    # Proves the whole calendar still builds (and the cache key moves on).
    build_calendar(calendar, calendar.closures.all())
    _touch(calendar)
    return closure


@transaction.atomic
def remove_closure(*, closure: CalendarClosure) -> None:
    calendar = _lock(closure.calendar)
    closure.delete()
    _touch(calendar)
