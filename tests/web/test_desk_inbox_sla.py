"""The inbox by SLA deadline: sorted soonest first, narrowed to breached or due within
the hour, each row saying how long is left — at a query count that ignores the rows."""

from __future__ import annotations

import re

import pytest

from ombuds.conversations.events import Actor
from ombuds.conversations.services import update_case
from ombuds.sla.services import PolicyTerms, create_policy
from tests import builders
from tests.web.test_desk_inbox import INBOX, _queries, refs


@pytest.fixture
def standard(workspace):
    return create_policy(
        workspace=workspace,
        terms=PolicyTerms(name="Standard", first_response_minutes=240, resolution_minutes=960),
    )


@pytest.fixture
def deadlines(workspace, buyer, agent, standard, clock):
    """At 14:30 on Monday: `late` was due at 14:00, `soon` is due at 15:00, `later` at
    17:00 (Monday 10:00, 11:00 and 13:00 openings), `waiting` has no running clock."""
    late = builders.case(workspace, requester=buyer, subject="Late")
    clock.advance(hours=1)
    soon = builders.case(workspace, requester=buyer, subject="Soon")
    clock.advance(hours=2)
    later = builders.case(workspace, requester=buyer, subject="Later")
    waiting = builders.case(workspace, requester=buyer, subject="Waiting")
    update_case(case=waiting, actor=Actor(user=agent), status="pending_customer")
    clock.advance(hours=1, minutes=30)
    return {"late": late, "soon": soon, "later": later, "waiting": waiting}


def test_sorting_by_next_sla_due_puts_the_soonest_first(agent_client, deadlines):
    answer = agent_client.get(INBOX, {"sort": "sla_due"})
    assert refs(answer) == [
        deadlines[name].reference for name in ("late", "soon", "later", "waiting")
    ]


def test_breached_and_due_within_the_hour(agent_client, deadlines):
    assert refs(agent_client.get(INBOX, {"sla": "breached"})) == [deadlines["late"].reference]
    assert refs(agent_client.get(INBOX, {"sla": "due_soon"})) == [deadlines["soon"].reference]


def test_rows_say_how_long_is_left_or_overdue(agent_client, deadlines):
    text = agent_client.get(INBOX, {"sort": "sla_due"}).text
    assert re.search(r'sla-due--overdue"[^>]*>overdue 30 min<', text)
    assert re.search(r'sla-due--soon"[^>]*>in 30 min<', text)
    assert re.search(r'class="sla-due" [^>]*>in 2 h 30 min<', text)


def test_pages_follow_the_deadline_cursor(agent_client, deadlines, monkeypatch):
    monkeypatch.setattr("ombuds.web.desk.views.inbox.PAGE_SIZE", 3)
    first = agent_client.get(INBOX, {"sort": "sla_due"})
    link = re.search(r'<a class="btn" rel="next" href="([^"]+)"', first.text).group(1)
    second = agent_client.get(INBOX + link.replace("&amp;", "&"))
    assert refs(first) + refs(second) == [
        deadlines[name].reference for name in ("late", "soon", "later", "waiting")
    ]
    # An activity cursor is not a deadline cursor.
    assert agent_client.get(INBOX, {"sort": "sla_due", "cursor": "MjAyNnwx"}).status_code == 400


def test_unknown_deadline_options_are_a_400(agent_client, workspace):
    assert agent_client.get(INBOX, {"sla": "someday"}).status_code == 400
    assert agent_client.get(INBOX, {"sort": "alphabetical"}).status_code == 400


def test_query_count_with_clocks_does_not_grow_with_rows(
    agent_client,
    workspace,
    buyer,
    standard,
    clock,
):
    for _ in range(5):
        builders.case(workspace, requester=buyer)
    few = _queries(agent_client, INBOX + "?sort=sla_due")
    for _ in range(30):
        builders.case(workspace, requester=buyer)
        clock.advance(minutes=7)
    assert len(refs(agent_client.get(INBOX, {"sort": "sla_due"}))) == 35
    assert _queries(agent_client, INBOX + "?sort=sla_due") == few


def test_the_api_filters_and_sorts_by_deadline_too(client, workspace, deadlines):
    token = builders.token(workspace, "ops@resale.test")
    auth = {"Authorization": f"Bearer {token}"}
    answer = client.get("/api/v1/cases", {"sort": "sla_due", "sla": "breached"}, headers=auth)
    assert answer.status_code == 200
    [row] = answer.json()["items"]
    assert row["reference"] == deadlines["late"].reference
    assert row["sla_due_at"].startswith("2026-12-07T13:00:00")
    assert client.get("/api/v1/cases", {"sla": "nope"}, headers=auth).status_code == 422
