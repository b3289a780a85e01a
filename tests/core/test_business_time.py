"""Business time on dates people know: King's Day, Thanksgiving, the weekends the clocks
change in Amsterdam and New York."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ombuds.core.business_time import (
    Calendar,
    CalendarError,
    NeverOpen,
    add_business_days,
    add_business_time,
    business_time_between,
    format_openings,
    is_open,
    next_opening,
    parse_openings,
    wall_time_to_utc,
)

AMS = ZoneInfo("Europe/Amsterdam")
NYC = ZoneInfo("America/New_York")
H = timedelta(hours=1)


def at(zone, *parts) -> datetime:
    return datetime(*parts, tzinfo=zone)


def local(moment: datetime, zone) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


@pytest.fixture
def dutch_office():
    return Calendar.office_hours("Europe/Amsterdam", holiday_country="NL")


@pytest.fixture
def new_york_office():
    return Calendar.office_hours("America/New_York", holiday_country="US")


def test_kings_day_is_skipped(dutch_office):
    # Friday 24 April 2026, 16:00; Monday 27 April is King's Day.
    due = add_business_time(dutch_office, at(AMS, 2026, 4, 24, 16), 4 * H)
    assert local(due, AMS) == datetime(2026, 4, 28, 12, 0)
    assert not is_open(dutch_office, at(AMS, 2026, 4, 27, 11))
    assert next_opening(dutch_office, at(AMS, 2026, 4, 24, 18)) == at(AMS, 2026, 4, 28, 9)


def test_thanksgiving_is_skipped_but_the_friday_after_is_not(new_york_office):
    due = add_business_time(new_york_office, at(NYC, 2026, 11, 25, 16), 2 * H)
    assert local(due, NYC) == datetime(2026, 11, 27, 10, 0)


def test_dispute_deadline_in_business_days_around_thanksgiving(new_york_office):
    # Asked on Wednesday 25 November for an answer within 3 business days: Friday,
    # Monday, Tuesday; Thursday is Thanksgiving.
    due = add_business_days(new_york_office, at(NYC, 2026, 11, 25, 10), 3)
    assert local(due, NYC) == datetime(2026, 12, 1, 17, 0)
    assert local(add_business_days(new_york_office, at(NYC, 2026, 11, 25, 10), 0), NYC) == (
        datetime(2026, 11, 25, 17, 0)
    )
    # After closing, "today" is the next business day.
    assert local(add_business_days(new_york_office, at(NYC, 2026, 11, 25, 18), 0), NYC) == (
        datetime(2026, 11, 27, 17, 0)
    )


def test_round_the_clock_weekend_when_clocks_go_forward_in_amsterdam():
    always = Calendar.around_the_clock("Europe/Amsterdam")
    # Saturday 28 March 2026 00:00 to Monday 00:00: the night to Sunday lost an hour.
    assert business_time_between(always, at(AMS, 2026, 3, 28), at(AMS, 2026, 3, 30)) == 47 * H
    assert business_time_between(always, at(AMS, 2026, 10, 24), at(AMS, 2026, 10, 26)) == 49 * H
    due = add_business_time(always, at(AMS, 2026, 3, 29, 1, 30), H)
    assert local(due, AMS) == datetime(2026, 3, 29, 3, 30)


def test_office_hours_keep_their_wall_clock_times_across_a_change():
    office = Calendar.office_hours("America/New_York")
    # Friday 6 March 16:00 EST + 2 h: Monday 9 March 10:00 EDT, not 11:00.
    due = add_business_time(office, at(NYC, 2026, 3, 6, 16), 2 * H)
    assert local(due, NYC) == datetime(2026, 3, 9, 10, 0)
    assert due - at(NYC, 2026, 3, 6, 17) == timedelta(days=2, hours=16)


def test_an_hour_the_clock_skips_is_not_open():
    # Open 01:00-04:00 every night in New York; on 8 March 2026 02:00-03:00 does not exist.
    night = Calendar("America/New_York", (((60, 240),),) * 7)
    assert business_time_between(night, at(NYC, 2026, 3, 8), at(NYC, 2026, 3, 8, 12)) == 2 * H
    # Hours that lie wholly in the skipped hour vanish; an opening in it opens at 03:00.
    sunday = date(2026, 3, 8)
    vanished = Calendar("America/New_York", ((),) * 6 + (((130, 170),),))  # 02:10-02:50
    assert vanished.openings_on(sunday) == ()
    late = Calendar("America/New_York", ((),) * 6 + (((150, 300),),))  # 02:30-05:00
    assert late.openings_on(sunday) == ((at(NYC, 2026, 3, 8, 3), at(NYC, 2026, 3, 8, 5)),)
    assert wall_time_to_utc(NYC, datetime(2026, 3, 8, 2, 30)) == at(NYC, 2026, 3, 8, 3)


def test_an_hour_the_clock_shows_twice_is_open_twice():
    # Open 01:00-02:00 every night; on 1 November 2026 that hour happens twice.
    night = Calendar("America/New_York", (((60, 120),),) * 7)
    assert business_time_between(night, at(NYC, 2026, 11, 1), at(NYC, 2026, 11, 1, 12)) == 2 * H
    # 01:30-03:00 is open from the first 01:30 to 02:00, then again from the second 01:30.
    late = Calendar("America/New_York", (((90, 180),),) * 7)
    assert business_time_between(late, at(NYC, 2026, 11, 1), at(NYC, 2026, 11, 1, 12)) == 2 * H
    assert wall_time_to_utc(NYC, datetime(2026, 11, 1, 1, 30)) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


def test_several_openings_a_day_and_a_closure_by_the_hour():
    week = (parse_openings("09:00-12:00, 13:00-17:00"),) * 5 + ((), ())
    closure = (at(AMS, 2026, 12, 24, 12), at(AMS, 2026, 12, 24, 23, 59))
    cal = Calendar("Europe/Amsterdam", week, closures=(closure,))
    due = add_business_time(cal, at(AMS, 2026, 12, 23, 11), 5 * H)
    # 11-12, 13-17 on the 23rd (5 h): exactly at closing.
    assert local(due, AMS) == datetime(2026, 12, 23, 17, 0)
    due = add_business_time(cal, at(AMS, 2026, 12, 23, 16), 4 * H)
    # 16-17 (1 h), 24th 09-12 (3 h); the afternoon of the 24th is closed.
    assert local(due, AMS) == datetime(2026, 12, 24, 12, 0)
    due = add_business_time(cal, at(AMS, 2026, 12, 23, 16), 4 * H + timedelta(minutes=1))
    assert local(due, AMS) == datetime(2026, 12, 25, 9, 1)  # no holidays on this calendar


def test_targets_spanning_many_weeks_skip_whole_weeks(dutch_office):
    start = at(AMS, 2026, 1, 5, 9)  # a Monday
    due = add_business_time(dutch_office, start, 8 * H * 230)
    assert business_time_between(dutch_office, start, due) == 8 * H * 230
    assert due.astimezone(AMS).time() == time(17)
    # 2026 has 261 weekdays; 7 Dutch holidays fall on one (New Year, Good Friday, Easter
    # Monday, King's Day, Ascension, Whit Monday, Christmas; Boxing Day is a Saturday).
    assert business_time_between(dutch_office, at(AMS, 2026, 1, 1), at(AMS, 2027, 1, 1)) == (
        8 * H * (261 - 7)
    )


def test_parsing_and_formatting_opening_hours():
    assert parse_openings("9:00-12:00; 13:00-17:30") == ((540, 720), (780, 1050))
    assert parse_openings("24h") == ((0, 1440),)
    assert parse_openings("closed") == ()
    assert format_openings(parse_openings("09:00-24:00")) == "09:00-24:00"
    for bad in ("9-17", "17:00-09:00", "09:00-12:00, 11:00-13:00", "25:00-26:00"):
        with pytest.raises(CalendarError):
            parse_openings(bad)


def test_calendars_that_cannot_be_are_refused():
    with pytest.raises(CalendarError, match="IANA"):
        Calendar.office_hours("Mars/Olympus_Mons")
    with pytest.raises(CalendarError, match="at least one day"):
        Calendar("UTC", ((),) * 7)
    with pytest.raises(CalendarError, match="holidays"):
        Calendar.office_hours("UTC", holiday_country="XX")
    with pytest.raises(CalendarError, match="aware"):
        is_open(Calendar.around_the_clock(), datetime(2026, 1, 1))
    with pytest.raises(CalendarError, match="negative"):
        add_business_time(Calendar.around_the_clock(), at(UTC, 2026, 1, 1), -H)


def test_a_calendar_closed_for_decades_answers_with_an_error():
    start = at(UTC, 2026, 1, 1)
    closed = Calendar.around_the_clock(closures=((start, start + timedelta(days=366 * 30)),))
    with pytest.raises(NeverOpen):
        add_business_time(closed, start, H)
    with pytest.raises(NeverOpen):
        next_opening(closed, start)
