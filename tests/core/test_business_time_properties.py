"""Properties of business-time arithmetic on random calendars: random zones (with and
without clock changes, with half-hour and 45-minute offsets), random opening hours,
holidays, closed dates and closures by the hour.

The oracle reads the wall clock directly: an instant is open when its local date is not
closed, its local time of day lies in that weekday's hours and no closure covers it. It
shares no code with the interval arithmetic under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ombuds.core.business_time import (
    ZERO,
    Calendar,
    add_business_days,
    add_business_time,
    business_time_between,
    is_open,
    next_opening,
)

ZONES = [
    "Europe/Amsterdam",
    "America/New_York",
    "UTC",
    "Asia/Kolkata",
    "Australia/Lord_Howe",  # clocks move by 30 minutes
    "Pacific/Chatham",  # +12:45 / +13:45
]
# Spans the clock changes of several years, in both hemispheres.
EARLIEST = datetime(2025, 1, 1, tzinfo=UTC)
LATEST = datetime(2028, 12, 31, tzinfo=UTC)
MINUTE = timedelta(minutes=1)

common = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def day_hours(draw) -> tuple[tuple[int, int], ...]:
    kind = draw(st.sampled_from(["closed", "whole", "random", "random", "random"]))
    if kind == "closed":
        return ()
    if kind == "whole":
        return ((0, 1440),)
    cuts = sorted(draw(st.sets(st.integers(0, 1440), min_size=2, max_size=6)))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    return tuple(zip(cuts[::2], cuts[1::2], strict=True))


@st.composite
def calendars(draw) -> Calendar:
    zone = draw(st.sampled_from(ZONES))
    week = tuple(draw(day_hours()) for _ in range(7))
    assume(any(week))
    days = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))
    closed = draw(st.frozensets(days, max_size=8))
    closures = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(minute_instants())
        closures.append((start, start + draw(st.integers(1, 3 * 1440)) * MINUTE))
    country = draw(st.sampled_from(["", "", "NL", "US"]))
    return Calendar(zone, week, closed, tuple(closures), holiday_country=country)


def minute_instants():
    span = int((LATEST - EARLIEST) / MINUTE)
    return st.integers(0, span).map(lambda m: EARLIEST + m * MINUTE)


def instants():
    span = int((LATEST - EARLIEST).total_seconds())
    return st.integers(0, span).map(lambda s: EARLIEST + timedelta(seconds=s))


def durations(max_days: int = 60):
    return st.integers(0, max_days * 1440).map(lambda m: m * MINUTE)


def within_reach(calendar: Calendar, *targets: timedelta) -> None:
    """A target of days on a calendar open one minute a week would be due in centuries,
    past the search limit; keep targets within about three years of opening hours."""
    assume(sum(targets, ZERO) <= calendar.week_length * 150)


def wall_clock_open(calendar: Calendar, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(calendar.timezone))
    if calendar.is_closed_on(local.date()):
        return False
    minute = local.hour * 60 + local.minute
    if not any(s <= minute < e for s, e in calendar.week[local.weekday()]):
        return False
    return not any(lo <= at < hi for lo, hi in calendar.closures)


@common
@given(calendars(), instants())
def test_open_exactly_when_the_wall_clock_says_so(calendar, at):
    assert is_open(calendar, at) == wall_clock_open(calendar, at)


@common
@given(calendars(), minute_instants(), st.integers(0, 3 * 1440))
def test_business_time_is_the_count_of_open_minutes(calendar, start, minutes):
    end = start + minutes * MINUTE
    counted = sum(wall_clock_open(calendar, start + i * MINUTE) for i in range(minutes))
    assert business_time_between(calendar, start, end) == counted * MINUTE


@common
@given(calendars(), instants(), durations())
def test_between_start_and_its_deadline_is_the_target(calendar, start, target):
    within_reach(calendar, target)
    due = add_business_time(calendar, start, target)
    assert due >= start
    assert business_time_between(calendar, start, due) == target


@common
@given(calendars(), instants(), durations(400).filter(lambda d: d > ZERO))
def test_a_deadline_falls_within_opening_hours(calendar, start, target):
    within_reach(calendar, target)
    due = add_business_time(calendar, start, target)
    # Open just before it: a deadline is reached while open, at the latest at closing.
    assert is_open(calendar, due - timedelta(microseconds=1))
    # And it is the first such moment: a minute earlier, less time had passed.
    assert business_time_between(calendar, start, due - MINUTE) < target


@common
@given(calendars(), instants(), durations(), durations())
def test_adding_in_two_steps_is_adding_once(calendar, start, a, b):
    within_reach(calendar, a, b)
    assert add_business_time(calendar, add_business_time(calendar, start, a), b) == (
        add_business_time(calendar, start, a + b)
    )


@common
@given(calendars(), instants(), durations(), durations())
def test_a_longer_target_is_never_due_earlier(calendar, start, a, b):
    within_reach(calendar, a, b)
    short, long = sorted((a, b))
    assert add_business_time(calendar, start, short) <= add_business_time(calendar, start, long)


@common
@given(calendars(), instants(), instants(), durations())
def test_a_later_start_is_never_due_earlier(calendar, s1, s2, target):
    within_reach(calendar, target)
    early, late = sorted((s1, s2))
    assert add_business_time(calendar, early, target) <= add_business_time(calendar, late, target)


@common
@given(calendars(), instants(), instants(), instants())
def test_business_time_adds_up_over_consecutive_stretches(calendar, m1, m2, m3):
    a, b, c = sorted((m1, m2, m3))
    between = business_time_between
    assert between(calendar, a, b) + between(calendar, b, c) == between(calendar, a, c)
    assert ZERO <= between(calendar, a, c) <= c - a
    assert between(calendar, c, a) == -between(calendar, a, c)


@common
@given(calendars(), instants())
def test_next_opening_is_open_and_nothing_opens_before_it(calendar, at):
    opens = next_opening(calendar, at)
    assert opens >= at
    assert is_open(calendar, opens)
    assert business_time_between(calendar, at, opens) == ZERO


@common
@given(
    calendars(),
    instants(),
    durations(30).filter(lambda d: d > ZERO),
    st.lists(st.tuples(st.integers(1, 30 * 1440), st.integers(0, 30 * 1440)), max_size=6),
)
def test_pausing_and_resuming_keeps_the_time_already_used(calendar, start, target, steps):
    """A clock that runs, pauses and resumes (as SLA clocks do) runs out when exactly the
    target has been used across its running stretches."""
    within_reach(calendar, target)
    used, running_since = ZERO, start
    for run, pause in steps:
        stop = running_since + run * MINUTE
        if used + business_time_between(calendar, running_since, stop) >= target:
            break
        used += business_time_between(calendar, running_since, stop)
        running_since = stop + pause * MINUTE
    due = add_business_time(calendar, running_since, target - used)
    assert used + business_time_between(calendar, running_since, due) == target
    # Counting from the first start without pauses can only be earlier or the same.
    assert add_business_time(calendar, start, target) <= due


@common
@given(calendars(), instants(), st.integers(1, 40))
def test_business_days_end_on_a_business_day_closing(calendar, start, days):
    due = add_business_days(calendar, start, days)
    day = calendar.local_date(due - timedelta(microseconds=1))
    assert calendar.is_business_day(day)
    assert calendar.openings_on(day)[-1][1] == due
    # Exactly `days` business days lie after the start's date, up to the due one.
    first = calendar.local_date(start)
    between = [first + timedelta(days=i) for i in range(1, (day - first).days + 1)]
    assert sum(calendar.is_business_day(d) for d in between) == days


@common
@given(calendars(), instants(), st.integers(1, 20))
def test_one_more_business_day_is_later(calendar, start, days):
    assert add_business_days(calendar, start, days) < add_business_days(calendar, start, days + 1)
