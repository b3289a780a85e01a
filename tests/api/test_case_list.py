"""GET /cases: the inbox over the API, filtered and paged with a cursor."""

import base64

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ombuds.accounts.services import create_team
from ombuds.conversations.events import Actor
from ombuds.conversations.services import update_case
from tests import builders
from tests.api.client import Api, assert_error


def open_cases(workspace, requester, count, **extra):
    return [
        builders.case(workspace, requester=requester, subject=f"Case {i}", **extra)
        for i in range(count)
    ]


def references(response):
    assert response.status_code == 200, response.content
    return [item["reference"] for item in response.json()["items"]]


def test_cursor_pagination_walks_every_case_once(read_only_api, workspace, buyer):
    # Given seven cases
    opened = open_cases(workspace, buyer, 7)
    # When a client follows `next` three at a time
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = read_only_api.get("/cases", params).json()
        seen += [item["reference"] for item in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    # Then it saw every case exactly once, newest first, in three pages
    assert pages == 3
    assert seen == [c.reference for c in reversed(opened)]


def test_a_case_updated_while_paging_is_not_seen_twice(agent_api, workspace, agent, buyer):
    opened = open_cases(workspace, buyer, 4)
    first = agent_api.get("/cases", {"limit": 2}).json()
    # The oldest case moves to the top while the client reads page two.
    update_case(case=opened[0], actor=Actor(user=agent), priority="high")
    second = agent_api.get("/cases", {"limit": 2, "cursor": first["next"]}).json()
    seen = [i["reference"] for i in first["items"] + second["items"]]
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    "cursor, status, code",
    [
        ("garbage", 400, "invalid_cursor"),
        ("!!!", 400, "invalid_cursor"),
        (base64.urlsafe_b64encode(b"yesterday|1").decode(), 400, "invalid_cursor"),
        (base64.urlsafe_b64encode(b"2025-01-01T00:00:00+00:00|x").decode(), 400, "invalid_cursor"),
        ("x" * 201, 422, "validation_error"),
    ],
)
def test_a_cursor_this_api_did_not_give_is_refused(agent_api, cursor, status, code):
    assert_error(agent_api.get("/cases", {"cursor": cursor}), status, code)


def test_the_number_of_queries_does_not_grow_with_the_page(agent_api, workspace, agent, buyer):
    team = create_team(workspace=workspace, name="Tickets")
    order = builders.order(workspace, "ORD-1", buyer=buyer)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = agent_api.get("/cases", {"limit": 100})
        assert response.status_code == 200
        return len(queries), len(response.json()["items"])

    def add(n):
        for case in open_cases(workspace, buyer, n, order=order, tags=["late", "refund"]):
            update_case(case=case, actor=Actor(user=agent), assignee=agent, team=team)

    agent_api.get("/cases")  # the first call of a token also notes its last use
    add(5)
    few = count_queries()
    add(45)
    many = count_queries()
    assert (few[1], many[1]) == (5, 50)
    assert many[0] == few[0]


def test_filters_repeat_or_take_commas(agent_api, workspace, agent, buyer):
    new, opened, solved = open_cases(workspace, buyer, 3)
    update_case(case=opened, actor=Actor(user=agent), status="open")
    update_case(case=solved, actor=Actor(user=agent), status="solved")
    repeated = references(agent_api.get("/cases", {"status": ["new", "open"]}))
    commas = references(agent_api.get("/cases", {"status": "new,open"}))
    assert sorted(repeated) == sorted(commas) == sorted([new.reference, opened.reference])


def test_filters_by_priority_tag_assignee_and_search(agent_api, workspace, agent, buyer):
    urgent, tagged, mine, plain = open_cases(workspace, buyer, 4)
    update_case(case=urgent, actor=Actor(user=agent), priority="urgent")
    update_case(case=tagged, actor=Actor(user=agent), tags=["refund"])
    update_case(case=mine, actor=Actor(user=agent), assignee=agent)
    assert references(agent_api.get("/cases", {"priority": "urgent"})) == [urgent.reference]
    assert references(agent_api.get("/cases", {"tag": "Refund"})) == [tagged.reference]
    assert references(agent_api.get("/cases", {"assignee": agent.pk})) == [mine.reference]
    assert mine.reference not in references(agent_api.get("/cases", {"assignee": "none"}))
    assert references(agent_api.get("/cases", {"q": plain.reference})) == [plain.reference]


def test_the_mine_view_is_the_tokens_own_inbox(workspace, buyer):
    anna = builders.member(workspace, "anna@resale.test")
    case = builders.case(workspace, requester=buyer)
    update_case(case=case, actor=Actor(user=anna), assignee=anna)
    builders.case(workspace, requester=buyer)
    annas_api = Api(builders.token(workspace, "anna@resale.test", role="agent"))
    assert references(annas_api.get("/cases", {"view": "mine"})) == [case.reference]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "archived"},
        {"priority": "new,asap"},
        {"channel": "pigeon"},
        {"view": "everything"},
        {"limit": 0},
        {"limit": 201},
        {"limit": "ten"},
    ],
)
def test_unknown_filter_values_are_validation_errors(agent_api, params):
    assert_error(agent_api.get("/cases", params), 422, "validation_error")


def test_a_malformed_assignee_filter_is_refused(agent_api):
    assert_error(agent_api.get("/cases", {"assignee": "anna"}), 400, "invalid_assignee")


def test_the_list_shows_only_the_tokens_workspace(other_api, case):
    assert references(other_api.get("/cases")) == []
