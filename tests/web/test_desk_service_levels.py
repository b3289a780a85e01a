"""Admins and supervisors manage calendars and SLA policies in the desk and read the
compliance report; agents do not. Forms say what is wrong, next to the field."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ombuds.conversations.services import reply_to_customer
from ombuds.core.models import BusinessCalendar, CalendarClosure
from ombuds.core.selectors import calendar_of
from ombuds.sla.models import ServiceTargets, SlaClock, SlaPolicy
from ombuds.sla.services import PolicyTerms, create_policy
from ombuds.sla.sweep import sweep_due_clocks
from tests import builders

BASE = "/w/resale/service-levels/"
REPORT = "/w/resale/reports/sla/"


@pytest.fixture
def supervisor_client(client, workspace):
    user = builders.member(workspace, "sue@resale.test", role="supervisor", name="Sue Super")
    client.force_login(user)
    return client


def policy_post(**changes) -> dict:
    data = {
        "name": "Standard",
        "is_active": "on",
        "customer_tier": "any",
        "dispute": "any",
        "first_response_minutes": "4h",
        "resolution_minutes": "2h 30m",
        "warn_percent": "75",
        "pause_statuses": ["pending_customer", "pending_third_party"],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_agents_may_not_manage_service_levels_or_read_reports(agent_client, workspace):
    for url in (BASE, BASE + "policies/new/", REPORT):
        assert agent_client.get(url).status_code == 403
    assert agent_client.post(BASE + "policies/new/", policy_post()).status_code == 403
    assert not SlaPolicy.objects.exists()
    assert "Service levels" not in agent_client.get("/w/resale/inbox/").text


def test_a_supervisor_adds_a_policy_through_the_form(supervisor_client, workspace):
    page = supervisor_client.get(BASE)
    assert page.status_code == 200 and "No policies yet" in page.text
    answer = supervisor_client.post(
        BASE + "policies/new/", policy_post(priorities=["urgent", "high"], channels=["chat"])
    )
    assert answer.status_code == 302
    policy = SlaPolicy.objects.get(workspace=workspace)
    assert (policy.first_response_minutes, policy.resolution_minutes) == (240, 150)
    assert policy.priorities == ["urgent", "high"]
    overview = supervisor_client.get(BASE).text
    assert "Urgent, High · Live chat" in overview
    assert "First response 4 h · Resolution 2 h 30 min" in overview


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_response_minutes": "soon"}, "Write a duration like 4h, 1h 30m or 45m."),
        (
            {"first_response_minutes": "", "resolution_minutes": ""},
            "A policy needs at least one target.",
        ),
        ({"warn_percent": "150"}, "Ensure this value is less than or equal to 99."),
        ({"name": ""}, "This field is required."),
        ({"priorities": ["someday"]}, "Select a valid choice."),
    ],
)
def test_invalid_policies_come_back_with_the_reason(supervisor_client, workspace, changes, message):
    answer = supervisor_client.post(BASE + "policies/new/", policy_post(**changes))
    assert answer.status_code == 422
    assert message in answer.text
    assert "The policy was not saved" in answer.text
    assert not SlaPolicy.objects.exists()


def test_a_duplicate_name_is_refused_by_the_service_and_shown(supervisor_client, workspace):
    create_policy(
        workspace=workspace, terms=PolicyTerms(name="Standard", first_response_minutes=60)
    )
    answer = supervisor_client.post(BASE + "policies/new/", policy_post())
    assert answer.status_code == 422
    assert "There is already a policy called" in answer.text


def test_edit_reorder_and_remove_policies(supervisor_client, workspace):
    first = create_policy(
        workspace=workspace, terms=PolicyTerms(name="A", first_response_minutes=60)
    )
    second = create_policy(
        workspace=workspace, terms=PolicyTerms(name="B", first_response_minutes=60)
    )
    form = supervisor_client.get(f"{BASE}policies/{first.pk}/")
    assert 'value="1h"' in form.text
    assert (
        supervisor_client.post(
            f"{BASE}policies/{first.pk}/", policy_post(name="A", first_response_minutes="90m")
        ).status_code
        == 302
    )
    first.refresh_from_db()
    assert first.first_response_minutes == 90
    supervisor_client.post(f"{BASE}policies/{second.pk}/move/", {"direction": "up"})
    assert list(SlaPolicy.objects.values_list("name", flat=True)) == ["B", "A"]
    supervisor_client.post(f"{BASE}policies/{first.pk}/delete/")
    assert list(SlaPolicy.objects.values_list("name", flat=True)) == ["B"]


def test_policies_of_another_workspace_are_404(supervisor_client, other_workspace):
    theirs = create_policy(
        workspace=other_workspace, terms=PolicyTerms(name="Theirs", first_response_minutes=60)
    )
    assert supervisor_client.get(f"{BASE}policies/{theirs.pk}/").status_code == 404
    assert supervisor_client.post(f"{BASE}policies/{theirs.pk}/delete/").status_code == 404
    assert SlaPolicy.objects.filter(pk=theirs.pk).exists()


def test_a_calendar_with_hours_holidays_and_closures(supervisor_client, workspace):
    hours = {"mon": "08:00-12:00, 13:00-18:00", "tue": "24h", "sat": ""}
    answer = supervisor_client.post(
        BASE + "calendars/new/",
        {"name": "Support NYC", "timezone": "America/New_York", "holiday_country": "US", **hours},
    )
    assert answer.status_code == 302
    calendar = BusinessCalendar.objects.get(workspace=workspace, name="Support NYC")
    assert calendar.weekly_hours["mon"] == "08:00-12:00, 13:00-18:00"
    assert calendar.weekly_hours["tue"] == "00:00-24:00"
    url = f"{BASE}calendars/{calendar.pk}/"
    assert (
        supervisor_client.post(
            url + "closures/", {"starts_on": "2026-12-24", "from_time": "13:00", "reason": "Party"}
        ).status_code
        == 302
    )
    closure = CalendarClosure.objects.get(calendar=calendar)
    assert (closure.starts_on, closure.ends_on) == (date(2026, 12, 24), date(2026, 12, 24))
    page = supervisor_client.get(url).text
    assert "Party" in page and "13:00" in page
    supervisor_client.post(f"{url}closures/{closure.pk}/delete/")
    assert not CalendarClosure.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mon": "9-5"}, "Write hours like 09:00-17:00"),
        ({"timezone": "Mars/Olympus"}, "Not a timezone"),
        ({"mon": "", "tue": ""}, "Open on at least one day."),
        ({"holiday_country": "US", "holiday_subdivision": "ZZ"}, "Not a region of that country."),
    ],
)
def test_invalid_calendars_come_back_with_the_reason(
    supervisor_client, workspace, changes, message
):
    data = {"name": "Odd", "timezone": "Europe/Amsterdam", "mon": "09:00-17:00", **changes}
    answer = supervisor_client.post(BASE + "calendars/new/", data)
    assert answer.status_code == 422
    assert message in answer.text
    assert not BusinessCalendar.objects.filter(name="Odd").exists()


def test_a_closure_ending_before_it_starts_is_refused(supervisor_client, workspace):
    calendar = calendar_of(workspace=workspace)
    answer = supervisor_client.post(
        f"{BASE}calendars/{calendar.pk}/closures/",
        {"starts_on": "2027-01-02", "ends_on": "2027-01-01"},
    )
    assert answer.status_code == 422
    assert "cannot end before it starts" in answer.text


def test_the_default_calendar_cannot_be_removed(supervisor_client, workspace):
    calendar = calendar_of(workspace=workspace)
    supervisor_client.post(f"{BASE}calendars/{calendar.pk}/delete/")
    assert BusinessCalendar.objects.filter(pk=calendar.pk).exists()


def test_a_team_gets_its_own_calendar(supervisor_client, workspace, team):
    from ombuds.core.services import create_calendar

    night = create_calendar(workspace=workspace, name="Night", weekly_hours={"mon": "22:00-24:00"})
    answer = supervisor_client.post(
        f"{BASE}teams/{team.pk}/calendar/", {f"t{team.pk}-calendar": night.pk}
    )
    assert answer.status_code == 302
    team.refresh_from_db()
    assert team.calendar == night


@pytest.fixture
def decided(workspace, buyer, agent, team, clock):
    """Two first responses met in time by Anna (team Tickets), one breached."""
    create_policy(
        workspace=workspace, terms=PolicyTerms(name="Standard", first_response_minutes=60)
    )
    from ombuds.conversations.events import Actor
    from ombuds.conversations.services import update_case

    for _ in range(2):
        case = builders.case(workspace, requester=buyer)
        update_case(case=case, actor=Actor(user=agent), team=team, assignee=agent)
        reply_to_customer(case=case, author=agent, body="On it.")
    late = builders.case(workspace, requester=buyer)
    update_case(case=late, actor=Actor(user=agent), team=team, assignee=agent)
    sweep_due_clocks(now=clock.advance(hours=2))
    return late


def test_the_report_shows_compliance_per_team_and_agent_with_a_chart(
    supervisor_client, decided, clock
):
    page = supervisor_client.get(REPORT, {"days": 7})
    assert page.status_code == 200
    text = page.text
    assert "<svg" in text and 'class="bar-breached"' in text
    assert "67 % (2/3)" in text
    assert re.search(
        r"Tickets</td>\s*<td class=\"num\"><span class=\"rate--low\">67 %</span>", text
    )
    by_agent = supervisor_client.get(REPORT, {"days": 7, "by": "agent"}).text
    assert "Anna Agent" in by_agent
    # Nothing was decided in a period before the clocks existed.
    empty = supervisor_client.get(REPORT, {"since": "2026-01-01", "until": "2026-01-31"}).text
    assert "No SLA targets were decided in this period." in empty


def test_the_report_reads_a_fixed_number_of_queries(supervisor_client, decided, workspace, clock):
    def count():
        supervisor_client.get(REPORT)
        with CaptureQueriesContext(connection) as queries:
            supervisor_client.get(REPORT)
        return len(queries)

    few = count()
    for _ in range(10):
        builders.case(workspace, requester=decided.requester)
    sweep_due_clocks(now=clock.advance(hours=2))
    assert SlaClock.objects.filter(outcome="breached").count() == 11
    assert count() == few


def test_an_invalid_period_is_a_400_with_the_reason(supervisor_client, workspace):
    answer = supervisor_client.get(REPORT, {"since": "2026-05-01", "until": "2026-04-01"})
    assert answer.status_code == 400
    assert "The period cannot end before it starts." in answer.text


def test_the_csat_target_is_shown_and_set_by_supervisors(
    supervisor_client, agent, workspace, client
):
    page = supervisor_client.get(REPORT).text
    assert "Target: 90 %" in page and "No survey data yet" in page
    assert (
        supervisor_client.post(REPORT + "csat-target/", {"csat_target_percent": "85"}).status_code
        == 302
    )
    assert ServiceTargets.objects.get(workspace=workspace).csat_target_percent == 85
    refused = supervisor_client.post(REPORT + "csat-target/", {"csat_target_percent": "150"})
    assert refused.status_code == 422
    assert "Ensure this value is less than or equal to 100." in refused.text
    assert ServiceTargets.objects.get(workspace=workspace).csat_target_percent == 85


def test_service_levels_and_the_report_speak_dutch(supervisor_client, decided):
    from django.conf import settings

    supervisor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    overview = supervisor_client.get(BASE).text
    for label in ("Serviceniveaus", "SLA-beleid", "Werkkalenders", "Beleid toevoegen"):
        assert label in overview, label
    form = supervisor_client.get(BASE + "policies/new/").text
    assert "Normen in werktijd" in form and "Eerste reactie" in form
    refused = supervisor_client.post(
        BASE + "policies/new/", policy_post(first_response_minutes="x")
    )
    assert "Schrijf een duur als 4h, 1h 30m of 45m." in refused.text
    report = supervisor_client.get(REPORT).text
    for label in (
        "SLA-naleving",
        "Per team",
        "Hele desk",
        "Klanttevredenheid",
        "Nog geen enquêtegegevens",
    ):
        assert label in report, label
    inbox = supervisor_client.get("/w/resale/inbox/", {"sort": "sla_due"}).text
    assert "Eerstvolgende SLA-deadline eerst" in inbox and "te laat" in inbox
