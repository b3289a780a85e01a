"""Inbox search finds a case by what an agent has at hand."""

import pytest

from ombuds.conversations.selectors import InboxFilters, cases_for_inbox, other_cases_of
from tests import builders


@pytest.fixture
def desk(workspace, agent):
    lena = builders.party(workspace, "B-1", name="Lena de Vries", email="lena@example.com")
    omar = builders.party(workspace, "B-2", name="Omar Haddad", email="omar@example.nl")
    seller = builders.party(workspace, "S-1", kind="seller", name="Seats4U")
    order = builders.order(workspace, "ORD-77", buyer=lena, seller=seller)
    return {
        "lena": builders.case(workspace, requester=lena, subject="Tickets missing", order=order),
        "omar": builders.case(workspace, requester=omar, subject="Charged twice for my hotel"),
        "seller": seller,
    }


def found(workspace, agent, q):
    page = cases_for_inbox(workspace=workspace, user=agent, filters=InboxFilters(q=q))
    return {case.reference for case in page.items}


@pytest.mark.parametrize(
    "q,expected",
    [
        ("RES-1", {"RES-1"}),
        ("res-2", {"RES-2"}),
        ("2", {"RES-2"}),
        ("ORD-77", {"RES-1"}),
        ("lena@example.com", {"RES-1"}),
        ("OMAR@", {"RES-2"}),
        ("haddad", {"RES-2"}),
        ("charged twice", {"RES-2"}),
        ("nothing like this", set()),
    ],
)
def test_search_by_what_the_agent_has(workspace, agent, desk, q, expected):
    assert found(workspace, agent, q) == expected


def test_search_never_crosses_workspaces(workspace, other_workspace, agent, desk):
    stranger = builders.party(other_workspace, "B-1", name="Lena", email="lena@example.com")
    builders.case(other_workspace, requester=stranger, subject="Tickets missing")
    assert found(workspace, agent, "lena@example.com") == {"RES-1"}
    assert found(workspace, agent, "OTH-1") == set()


def test_other_cases_of_a_seller_include_cases_about_their_orders(workspace, desk):
    seller_cases = other_cases_of(workspace=workspace, party=desk["seller"])
    assert [case.reference for case in seller_cases] == ["RES-1"]
