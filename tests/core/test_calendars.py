"""Business calendars people configure: a workspace starts with office hours, teams may
have their own, closures and holidays count, and every edit applies at once."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ombuds.accounts.services import create_team, create_workspace, set_team_calendar
from ombuds.core import services
from ombuds.core.business_time import add_business_time, is_open
from ombuds.core.errors import ApplicationError
from ombuds.core.selectors import business_calendar, calendar_of, calendars_of

AMS = ZoneInfo("Europe/Amsterdam")
NYC = ZoneInfo("America/New_York")


def test_a_new_workspace_has_office_hours_in_its_timezone(db):
    workspace = create_workspace(slug="nyc", name="NYC", timezone_name="America/New_York")
    [calendar] = calendars_of(workspace)
    assert calendar.is_default
    assert calendar.timezone == "America/New_York"
    value = business_calendar(workspace=workspace)
    assert is_open(value, datetime(2026, 12, 7, 9, 0, tzinfo=NYC))  # Monday
    assert not is_open(value, datetime(2026, 12, 7, 17, 0, tzinfo=NYC))
    assert not is_open(value, datetime(2026, 12, 5, 12, 0, tzinfo=NYC))  # Saturday


def test_a_team_counts_on_its_own_calendar(workspace):
    night = services.create_calendar(
        workspace=workspace,
        name="Night shift",
        weekly_hours={day: "22:00-24:00, 00:00-06:00" for day in ("mon", "tue", "wed")},
    )
    team = create_team(workspace=workspace, name="Nights")
    assert calendar_of(workspace=workspace, team=team).is_default
    set_team_calendar(team=team, calendar=night)
    assert calendar_of(workspace=workspace, team=team) == night
    value = business_calendar(workspace=workspace, team=team)
    assert is_open(value, datetime(2026, 12, 8, 23, 0, tzinfo=AMS))
    assert not is_open(value, datetime(2026, 12, 8, 12, 0, tzinfo=AMS))


def test_holidays_and_closures_close_the_desk(workspace):
    calendar = calendar_of(workspace=workspace)
    services.update_calendar(calendar=calendar, holiday_country="NL")
    services.add_closure(
        calendar=calendar, starts_on=date(2026, 12, 28), ends_on=date(2026, 12, 31)
    )
    services.add_closure(
        calendar=calendar,
        starts_on=date(2027, 1, 4),
        from_time=time(9),
        until_time=time(13),
        reason="Move to the new office",
    )
    value = business_calendar(workspace=workspace)
    # Thursday 24 December 16:00 + 3 h: Christmas, Boxing Day, a weekend, four closed days,
    # New Year's Day, a weekend, and a closed Monday morning.
    due = add_business_time(value, datetime(2026, 12, 24, 16, tzinfo=AMS), timedelta(hours=3))
    assert due.astimezone(AMS).replace(tzinfo=None) == datetime(2027, 1, 4, 15, 0)


def test_an_edit_applies_at_the_next_read(workspace):
    calendar = calendar_of(workspace=workspace)
    monday_noon = datetime(2026, 12, 7, 12, tzinfo=AMS)
    assert is_open(business_calendar(workspace=workspace), monday_noon)
    services.update_calendar(calendar=calendar, weekly_hours={"mon": "13:00-17:00"})
    assert not is_open(business_calendar(workspace=workspace), monday_noon)


def test_a_cached_calendar_costs_one_query(workspace):
    business_calendar(workspace=workspace)
    with CaptureQueriesContext(connection) as queries:
        business_calendar(workspace=workspace)
    assert len(queries) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone_name": "Mars/Base"}, "timezone"),
        ({"weekly_hours": {"mon": "9-5"}}, "mon"),
        ({"weekly_hours": {"mon": "17:00-09:00"}}, "mon"),
        ({"weekly_hours": {}}, "weekly_hours"),
        ({"weekly_hours": {"monday": "09:00-17:00"}}, "weekly_hours"),
        ({"holiday_country": "XX"}, "holiday_country"),
        ({"holiday_country": "US", "holiday_subdivision": "ZZ"}, "holiday_subdivision"),
        ({"name": "  "}, "name"),
    ],
)
def test_invalid_calendars_are_refused_by_field(workspace, changes, field):
    calendar = calendar_of(workspace=workspace)
    with pytest.raises(ApplicationError) as refused:
        services.update_calendar(calendar=calendar, **changes)
    assert refused.value.code == "invalid_calendar"
    assert refused.value.details["field"] == field


def test_closures_that_make_no_sense_are_refused(workspace):
    calendar = calendar_of(workspace=workspace)
    with pytest.raises(ApplicationError, match="end before"):
        services.add_closure(
            calendar=calendar, starts_on=date(2027, 1, 2), ends_on=date(2027, 1, 1)
        )
    with pytest.raises(ApplicationError, match="end after"):
        services.add_closure(
            calendar=calendar, starts_on=date(2027, 1, 2), from_time=time(12), until_time=time(9)
        )
    with pytest.raises(ApplicationError, match="at most"):
        services.add_closure(
            calendar=calendar, starts_on=date(2027, 1, 1), ends_on=date(2029, 1, 1)
        )


def test_one_default_per_workspace_and_it_cannot_be_removed(workspace):
    first = calendar_of(workspace=workspace)
    second = services.create_calendar(workspace=workspace, name="Weekend", is_default=True)
    first.refresh_from_db()
    assert not first.is_default and second.is_default
    with pytest.raises(ApplicationError) as refused:
        services.delete_calendar(calendar=second)
    assert refused.value.code == "default_calendar"
    services.delete_calendar(calendar=first)
    assert [c.name for c in calendars_of(workspace)] == ["Weekend"]


def test_calendar_changes_reach_listeners(workspace):
    heard = []
    services.on_calendar_change("test-recorder", heard.append)
    try:
        calendar = calendar_of(workspace=workspace)
        services.add_closure(calendar=calendar, starts_on=date(2027, 1, 1))
        team = create_team(workspace=workspace, name="Tickets")
        set_team_calendar(team=team, calendar=calendar)
    finally:
        services._LISTENERS[:] = [(n, f) for n, f in services._LISTENERS if n != "test-recorder"]
    assert services.CalendarChange(workspace.pk, calendar_id=calendar.pk) in heard
    assert services.CalendarChange(workspace.pk, team_id=team.pk) in heard


def test_calendars_stay_in_their_workspace(workspace, other_workspace):
    theirs = calendar_of(workspace=other_workspace)
    team = create_team(workspace=workspace, name="Tickets")
    with pytest.raises(ApplicationError):
        set_team_calendar(team=team, calendar=theirs)
    # A foreign id is ignored: the workspace's own default applies.
    assert calendar_of(workspace=workspace, calendar_id=theirs.pk) == calendar_of(
        workspace=workspace
    )
