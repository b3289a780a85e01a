"""The inbox: views with counts, filters, search, keyset pages, htmx fragments, and a query
count that does not grow with the rows shown."""

# The shared desk scenario's fixtures are imported by name; pytest injects them as arguments.

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ombuds.accounts.services import create_team
from ombuds.conversations.events import Actor
from ombuds.conversations.services import update_case
from tests import builders

INBOX = "/w/resale/inbox/"


def refs(answer) -> list[str]:
    return re.findall(r'<td class="ref"><a href="[^"]+">([A-Z]+-\d+)</a>', answer.text)


@pytest.fixture
def inbox(workspace, agent, colleague, team, buyer, ticket_case):
    """Four cases, one per inbox situation, plus the ticket case (new, unassigned)."""
    other = builders.party(workspace, "B-2", name="Petra Pieters", email="petra@example.com")
    hotels = create_team(workspace=workspace, name="Hotels")
    me = Actor(user=agent)
    mine = builders.case(
        workspace, requester=other, subject="Refund please", channel="email", language="nl"
    )
    update_case(
        case=mine,
        actor=me,
        assignee=agent,
        team=team,
        priority="high",
        status="open",
        tags=["refund"],
    )
    theirs = builders.case(workspace, requester=other, subject="Seat swap", channel="chat")
    update_case(case=theirs, actor=me, assignee=colleague, team=hotels, status="pending_customer")
    done = builders.case(workspace, requester=buyer, subject="Thanks, solved", channel="phone")
    update_case(case=done, actor=me, assignee=agent, status="solved")
    return {"mine": mine, "theirs": theirs, "done": done, "new": ticket_case, "hotels": hotels}


def test_views_show_their_cases_and_counts(agent_client, inbox):
    mine, theirs, done, new = inbox["mine"], inbox["theirs"], inbox["done"], inbox["new"]
    assert refs(agent_client.get(INBOX, {"view": "mine"})) == [mine.reference]
    assert refs(agent_client.get(INBOX, {"view": "unassigned"})) == [new.reference]
    assert refs(agent_client.get(INBOX, {"view": "team"})) == [mine.reference]
    assert refs(agent_client.get(INBOX, {"view": "pending"})) == [theirs.reference]
    everything = agent_client.get(INBOX, {"view": "all"})
    assert set(refs(everything)) == {c.reference for c in (mine, theirs, done, new)}
    counts = dict(
        re.findall(
            r'\?view=(\w+)"[^>]*>\s*<span>[^<]+</span><span class="count">(\d+)<', everything.text
        )
    )
    assert counts == {"mine": "1", "unassigned": "1", "team": "1", "pending": "1"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "open"}, ["mine"]),
        ({"status": "solved"}, ["done"]),
        ({"priority": "high"}, ["mine"]),
        ({"channel": "chat"}, ["theirs"]),
        ({"language": "nl"}, ["mine"]),
        ({"tag": "refund"}, ["mine"]),
        ({"tag": "transfer"}, ["new"]),
        ({"assignee": "none"}, ["new"]),
        ({"team": "none"}, ["done", "new"]),
        ({"status": "", "priority": ""}, ["mine", "theirs", "done", "new"]),
    ],
)
def test_filters_narrow_the_list(agent_client, inbox, params, expected):
    answer = agent_client.get(INBOX, {"view": "all", **params})
    assert answer.status_code == 200
    assert sorted(refs(answer)) == sorted(inbox[name].reference for name in expected)


def test_filter_by_assignee_and_team_ids(agent_client, inbox, colleague):
    answer = agent_client.get(INBOX, {"assignee": colleague.pk})
    assert refs(answer) == [inbox["theirs"].reference]
    answer = agent_client.get(INBOX, {"team": inbox["hotels"].pk})
    assert refs(answer) == [inbox["theirs"].reference]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("RES-2", ["mine"]),
        ("res-2", ["mine"]),
        ("petra@example.com", ["mine", "theirs"]),
        ("Bram", ["done", "new"]),
        ("ORD-7731", ["new"]),
        ("Seat swap", ["theirs"]),
    ],
)
def test_search_by_reference_email_name_order_or_subject(agent_client, inbox, q, expected):
    answer = agent_client.get(INBOX, {"q": q})
    assert sorted(refs(answer)) == sorted(inbox[name].reference for name in expected)
    assert f'value="{q}"' in answer.text


def test_pages_follow_the_cursor(agent_client, workspace, buyer, monkeypatch):
    monkeypatch.setattr("ombuds.web.desk.views.inbox.PAGE_SIZE", 3)
    cases = [builders.case(workspace, requester=buyer, subject=f"Case {i}") for i in range(7)]
    newest_first = [c.reference for c in reversed(cases)]

    seen = []
    answer = agent_client.get(INBOX)
    while True:
        seen += refs(answer)
        link = re.search(r'<a class="btn" rel="next" href="([^"]+)"', answer.text)
        if not link:
            break
        answer = agent_client.get(INBOX + link.group(1).replace("&amp;", "&"))
        assert "First page" in answer.text
    assert seen == newest_first


def test_a_foreign_cursor_is_a_clear_error(agent_client, workspace):
    answer = agent_client.get(INBOX, {"cursor": "not-a-cursor"})
    assert answer.status_code == 400
    assert "That page link is no longer valid" in answer.text


def test_unknown_filter_values_are_a_400_not_a_500(agent_client, workspace):
    answer = agent_client.get(INBOX, {"status": "archived"})
    assert answer.status_code == 400
    assert "alert--error" in answer.text
    assert agent_client.get(INBOX, {"view": "everything"}).status_code == 400


def test_htmx_filtering_returns_only_the_list(agent_client, inbox):
    answer = agent_client.get(
        INBOX, {"status": "open"}, headers={"HX-Request": "true", "HX-Target": "case-list"}
    )
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<div id="case-list"')
    assert "<html" not in answer.text
    assert refs(answer) == [inbox["mine"].reference]
    assert "HX-Request" in answer["Vary"]
    # The form that issues it also works as a plain GET form.
    page = agent_client.get(INBOX)
    assert 'hx-get="/w/resale/inbox/"' in page.text
    assert 'hx-push-url="true"' in page.text
    assert 'method="get" action="/w/resale/inbox/"' in page.text


def test_rows_carry_what_an_agent_scans_for(agent_client, inbox, agent):
    text = agent_client.get(INBOX, {"view": "mine"}).text
    for expected in (
        inbox["mine"].reference,
        "Refund please",
        "Petra Pieters",
        "badge--status-open",
        "badge--priority-high",
        "Email",
        "nl</abbr>",
        "Anna Agent",
        "Tickets",
        '<span class="tag">refund</span>',
        '<time datetime="',
    ):
        assert expected in text, expected
    assert "ORD-7731" in agent_client.get(INBOX, {"view": "unassigned"}).text


def _fill(workspace, count, agents, teams):
    for i in range(count):
        requester = builders.party(workspace, f"Q-{i}", name=f"Person {i}", email=f"p{i}@e.com")
        order = builders.order(workspace, f"ORD-Q{i}", buyer=requester)
        case = builders.case(workspace, requester=requester, order=order, tags=[f"t{i % 4}"])
        update_case(
            case=case,
            actor=Actor.system("test"),
            assignee=agents[i % len(agents)],
            team=teams[i % len(teams)],
        )


def _queries(client, url) -> int:
    client.get(url)  # the first request writes the session; measure a steady one
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_rows(agent_client, workspace, agent, colleague, team):
    teams = [team, create_team(workspace=workspace, name="Hotels")]
    _fill(workspace, 5, [agent, colleague], teams)
    few = _queries(agent_client, INBOX)
    _fill(workspace, 35, [agent, colleague], teams)
    answer = agent_client.get(INBOX)
    assert len(refs(answer)) == 40
    assert _queries(agent_client, INBOX) == few
