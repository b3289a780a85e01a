"""Business time: how much of a stretch of real time a desk was open, and when a span of
open time runs out.

A `Calendar` is a value: an IANA timezone, the opening hours of each weekday (several
stretches a day, or none, or 00:00-24:00 for round the clock), dates that are closed
(public holidays of a country through the `holidays` package, closures people enter) and
closures by the hour (a UTC range). Everything here is pure arithmetic on that value:

    cal = Calendar.office_hours("Europe/Amsterdam", holiday_country="NL")
    due = add_business_time(cal, received_at, timedelta(hours=4))   # an SLA target
    used = business_time_between(cal, started_at, paused_at)        # a pause
    reply_by = add_business_days(cal, opened_at, 5)                 # a dispute deadline
    is_open(cal, at), next_opening(cal, at)

Opening hours are wall-clock hours (docs/adr/0012): the desk is open at an instant when
the clock on its wall shows a time inside that weekday's hours. So on the night clocks
go forward, hours that fall in the skipped hour do not exist (an opening at 02:30 opens
when the clock reaches 03:00), and on the night they go back, an hour shown twice is open
twice. Durations are real elapsed time within those hours.

Every argument datetime must be timezone-aware; every answer is an aware UTC datetime.
Long spans are not walked minute by minute: each local day is a few intervals, and whole
weeks without a holiday, closure or clock change are skipped in one step.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

Opening = tuple[int, int]  # minutes after local midnight: [start, end), end at most 1440
Interval = tuple[datetime, datetime]  # [start, end) in UTC

MINUTES_PER_DAY = 24 * 60
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ZERO = timedelta(0)
_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_MINUTE = timedelta(minutes=1)
# Wider than any UTC offset (they lie within ±14 h): the real-time span that can hold the
# instants of one local day.
_OFFSET_REACH = timedelta(hours=15)
# How far any search for an opening may look. A calendar closed for longer than this is
# a configuration mistake, and answering it with an error beats looping.
SEARCH_LIMIT = timedelta(days=366 * 20)
_DAY_CACHE_SIZE = 8192
_OPENING = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class CalendarError(ValueError):
    """A calendar that cannot be built as given, or a question it cannot answer."""


class NeverOpen(CalendarError):
    """The calendar stays closed for longer than SEARCH_LIMIT after the given moment."""


def parse_openings(text: str) -> tuple[Opening, ...]:
    """'09:00-12:00, 13:00-17:30' as minute pairs; '' or 'closed' is no hours at all and
    '24h' (or '00:00-24:00') the whole day."""
    text = (text or "").strip().lower()
    if text in ("", "closed", "-"):
        return ()
    if text in ("24h", "24 h", "24/7", "all day"):
        return ((0, MINUTES_PER_DAY),)
    openings = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        m = _OPENING.match(part)
        if not m:
            raise CalendarError(f"{part.strip()!r} is not HH:MM-HH:MM.")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if m1 > 59 or m2 > 59 or h1 > 23 or h2 > 24 or (h2 == 24 and m2):
            raise CalendarError(f"{part.strip()!r} is not a time of day.")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise CalendarError(f"{part.strip()!r} closes before it opens.")
        openings.append((start, end))
    openings.sort()
    for (_, end), (start, _) in pairwise(openings):
        if start < end:
            raise CalendarError("Opening hours of one day must not overlap.")
    return tuple(openings)


def format_openings(openings: Iterable[Opening]) -> str:
    """The inverse of parse_openings: '09:00-12:00, 13:00-17:30'."""

    def hhmm(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    return ", ".join(f"{hhmm(s)}-{hhmm(e)}" for s, e in openings)


@lru_cache(maxsize=1024)
def holiday_dates(country: str, subdivision: str, year: int) -> frozenset[date]:
    """The public holidays of a country (and optionally a subdivision) in one year."""
    try:
        found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError:
        raise CalendarError(f"No public holidays are known for {country!r}.") from None
    return frozenset(found)


def _merged(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for lo, hi in sorted(intervals):
        if lo >= hi:
            continue
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _utc(at: datetime, name: str = "datetime") -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise CalendarError(f"The {name} must be timezone-aware.")
    return at.astimezone(UTC)


@dataclass(frozen=True)
class Calendar:
    """When a desk is open. `week` holds the openings of Monday to Sunday as minutes
    after local midnight; `closed_dates` are local dates closed all day; `closures` are
    UTC ranges closed besides those; a `holiday_country` adds that country's public
    holidays (of `holiday_subdivision` when given) to the closed dates."""

    timezone: str
    week: tuple[tuple[Opening, ...], ...]
    closed_dates: frozenset[date] = frozenset()
    closures: tuple[Interval, ...] = ()
    holiday_country: str = ""
    holiday_subdivision: str = ""

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError(f"{self.timezone!r} is not an IANA timezone.") from None
        week = tuple(tuple(day) for day in self.week)
        if len(week) != 7:
            raise CalendarError("A week has seven days of opening hours, Monday first.")
        for day in week:
            for start, end in day:
                if not (0 <= start < end <= MINUTES_PER_DAY):
                    raise CalendarError(f"{(start, end)!r} are not minutes of one day.")
            for (_, end), (start, _) in pairwise(sorted(day)):
                if start < end:
                    raise CalendarError("Opening hours of one day must not overlap.")
        if not any(week):
            raise CalendarError("A calendar needs opening hours on at least one day.")
        object.__setattr__(self, "week", tuple(tuple(sorted(day)) for day in week))
        object.__setattr__(self, "closed_dates", frozenset(self.closed_dates))
        closures = _merged((_utc(lo, "closure"), _utc(hi, "closure")) for lo, hi in self.closures)
        object.__setattr__(self, "closures", tuple(closures))
        if self.holiday_country:
            holiday_dates(self.holiday_country, self.holiday_subdivision, 2000)

    # --- building ---------------------------------------------------------------------

    @classmethod
    def around_the_clock(cls, timezone: str = "UTC", **extra) -> Calendar:
        """Open every minute of every day (closures and holidays still apply)."""
        return cls(timezone, (((0, MINUTES_PER_DAY),),) * 7, **extra)

    @classmethod
    def office_hours(
        cls,
        timezone: str,
        *,
        opens: time = time(9),
        closes: time = time(17),
        weekdays: int = 5,
        **extra,
    ) -> Calendar:
        """The same hours on the first `weekdays` days of the week (Monday to Friday)."""
        hours = ((opens.hour * 60 + opens.minute, closes.hour * 60 + closes.minute),)
        return cls(timezone, tuple(hours if i < weekdays else () for i in range(7)), **extra)

    # --- reading ----------------------------------------------------------------------

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def week_length(self) -> timedelta:
        """Open time in a week without holidays, closures or clock changes."""
        return sum((_MINUTE * (e - s) for day in self.week for s, e in day), ZERO)

    @cached_property
    def _days(self) -> dict[date, tuple[Interval, ...]]:
        return {}

    @cached_property
    def _closure_ends(self) -> list[datetime]:
        return [hi for _, hi in self.closures]

    def local_date(self, at: datetime) -> date:
        return _utc(at).astimezone(self.zone).date()

    def is_closed_on(self, day: date) -> bool:
        """Closed all day: a closed date or a public holiday (whatever the weekday)."""
        if day in self.closed_dates:
            return True
        return bool(self.holiday_country) and day in holiday_dates(
            self.holiday_country, self.holiday_subdivision, day.year
        )

    def openings_on(self, day: date) -> tuple[Interval, ...]:
        """The UTC intervals in which the desk is open on a local date, in order."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        if len(self._days) >= _DAY_CACHE_SIZE:
            self._days.clear()
        hours = self.week[day.weekday()]
        found: tuple[Interval, ...] = ()
        if hours and not self.is_closed_on(day):
            # Local midnight written as if it were UTC: subtracting an offset from it
            # gives the real instant of a wall-clock time under that offset.
            wall = datetime.combine(day, time(), UTC)
            pieces = []
            for start, end in hours:
                opens, closes = wall + start * _MINUTE, wall + end * _MINUTE
                for seg_lo, seg_hi, offset in self._offset_segments(wall):
                    lo, hi = max(opens - offset, seg_lo), min(closes - offset, seg_hi)
                    if lo < hi:
                        pieces.append((lo, hi))
            found = tuple(self._without_closures(_merged(pieces)))
        self._days[day] = found
        return found

    def is_business_day(self, day: date) -> bool:
        """A local date on which the desk opens at all."""
        return bool(self.openings_on(day))

    # --- internals --------------------------------------------------------------------

    def _offset(self, instant: datetime) -> timedelta:
        return instant.astimezone(self.zone).utcoffset()

    def _offset_segments(self, wall: datetime) -> list[tuple[datetime, datetime, timedelta]]:
        """Stretches of real time around one local day, each with one UTC offset.

        A day holds at most one clock change (true of every zone in use); its instant is
        found to the second by bisection.
        """
        lo, hi = wall - _OFFSET_REACH, wall + _DAY + _OFFSET_REACH
        before, after = self._offset(lo), self._offset(hi)
        if before == after:
            return [(lo, hi, before)]
        low, high = 0, int((hi - lo).total_seconds())
        while high - low > 1:
            mid = (low + high) // 2
            if self._offset(lo + timedelta(seconds=mid)) == before:
                low = mid
            else:
                high = mid
        change = lo + timedelta(seconds=high)
        return [(lo, change, before), (change, hi, after)]

    def _without_closures(self, pieces: list[Interval]) -> list[Interval]:
        if not self.closures or not pieces:
            return pieces
        out = []
        for lo, hi in pieces:
            i = bisect.bisect_right(self._closure_ends, lo)
            while i < len(self.closures) and self.closures[i][0] < hi:
                c_lo, c_hi = self.closures[i]
                if c_lo > lo:
                    out.append((lo, c_lo))
                lo = max(lo, c_hi)
                if lo >= hi:
                    break
                i += 1
            if lo < hi:
                out.append((lo, hi))
        return out

    def _plain_week(self, day: date) -> bool:
        """Seven days from `day` without holiday, closure or clock change: their open
        time is exactly week_length."""
        if any(self.is_closed_on(day + timedelta(days=i)) for i in range(7)):
            return False
        wall = datetime.combine(day, time(), UTC)
        lo, hi = wall - _OFFSET_REACH, wall + _WEEK + _OFFSET_REACH
        if self.closures:
            i = bisect.bisect_right(self._closure_ends, lo)
            if i < len(self.closures) and self.closures[i][0] < hi:
                return False
        return self._offset(lo) == self._offset(hi)


# --- questions ----------------------------------------------------------------------------


def is_open(calendar: Calendar, at: datetime) -> bool:
    """Whether the desk is open at this instant."""
    at = _utc(at)
    return any(lo <= at < hi for lo, hi in calendar.openings_on(calendar.local_date(at)))


def next_opening(calendar: Calendar, at: datetime) -> datetime:
    """`at` itself when the desk is open then, otherwise the moment it next opens."""
    at = _utc(at)
    day, limit = calendar.local_date(at), at + SEARCH_LIMIT
    while True:
        for lo, hi in calendar.openings_on(day):
            if hi > at:
                return max(lo, at)
        day += _DAY
        if datetime.combine(day, time(), UTC) > limit:
            raise NeverOpen(f"The calendar does not open within {SEARCH_LIMIT.days} days.")


def add_business_time(calendar: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The first moment at which `duration` of open time has passed since `start`.

    A target that runs out exactly at closing time answers that closing time (a reply
    due "by 17:00 on Friday"); a zero duration answers `start` itself."""
    start = _utc(start, "start")
    if duration < ZERO:
        raise CalendarError("A duration of business time cannot be negative.")
    if duration == ZERO:
        return start
    remaining, day = duration, calendar.local_date(start)
    limit = start + SEARCH_LIMIT
    week = calendar.week_length
    while True:
        for lo, hi in calendar.openings_on(day):
            if hi <= start:
                continue
            lo = max(lo, start)
            if remaining <= hi - lo:
                return lo + remaining
            remaining -= hi - lo
        day += _DAY
        while remaining > week and calendar._plain_week(day):
            day += _WEEK
            remaining -= week
        if datetime.combine(day, time(), UTC) > limit:
            raise NeverOpen(f"The calendar does not open within {SEARCH_LIMIT.days} days.")


def business_time_between(calendar: Calendar, a: datetime, b: datetime) -> timedelta:
    """How much open time lies between two instants (negative when `b` is before `a`)."""
    a, b = _utc(a), _utc(b)
    if b < a:
        return -business_time_between(calendar, b, a)
    total, day, last = ZERO, calendar.local_date(a), calendar.local_date(b)
    week = calendar.week_length
    while day <= last:
        for lo, hi in calendar.openings_on(day):
            lo, hi = max(lo, a), min(hi, b)
            if lo < hi:
                total += hi - lo
        day += _DAY
        # Days before b's own date lie wholly inside (a, b): whole plain weeks count as one.
        while day + _WEEK <= last and calendar._plain_week(day):
            total += week
            day += _WEEK
    return total


def add_business_days(calendar: Calendar, start: datetime, days: int) -> datetime:
    """The closing moment of the `days`-th business day after the day `start` falls on.

    A seller asked on a Monday to answer within 3 business days has until Thursday's
    closing (a public holiday in between moves it a day). With `days=0` it is the close
    of the current business day, or of the next one when `start` is after closing or on
    a closed day."""
    if days < 0:
        raise CalendarError("A number of business days cannot be negative.")
    start = _utc(start, "start")
    day, limit = calendar.local_date(start), start + SEARCH_LIMIT
    if days == 0:
        while True:
            openings = calendar.openings_on(day)
            if openings and openings[-1][1] > start:
                return openings[-1][1]
            day += _DAY
            if datetime.combine(day, time(), UTC) > limit:
                raise NeverOpen(f"The calendar does not open within {SEARCH_LIMIT.days} days.")
    counted = 0
    while True:
        day += _DAY
        openings = calendar.openings_on(day)
        if openings:
            counted += 1
            if counted == days:
                return openings[-1][1]
        if datetime.combine(day, time(), UTC) > limit:
            raise NeverOpen(f"The calendar does not open within {SEARCH_LIMIT.days} days.")


def wall_time_to_utc(timezone: str | ZoneInfo, local: datetime) -> datetime:
    """A naive local wall-clock time as a UTC instant: a time the clock skips (spring
    forward) becomes the moment of the jump, a time shown twice its first occurrence."""
    zone = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
    local = local.replace(tzinfo=None)
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == local:
        return first
    # Skipped by the clock: the jump lies between the two readings; find it to the second.
    later = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo = min(first, later)
    low, high = 0, int(abs(first - later).total_seconds())
    while high - low > 1:
        mid = (low + high) // 2
        if (lo + timedelta(seconds=mid)).astimezone(zone).replace(tzinfo=None) < local:
            low = mid
        else:
            high = mid
    return lo + timedelta(seconds=high)
