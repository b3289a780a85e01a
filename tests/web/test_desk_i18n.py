"""The desk in Dutch: labels, choice names, timeline sentences, money and refusals."""

# The shared desk scenario's fixtures are imported by name; pytest injects them as arguments.

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from ombuds.conversations.events import Actor
from ombuds.conversations.services import update_case
from ombuds.web.desk.timeline import describe_event


@pytest.fixture
def dutch_client(agent_client):
    agent_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    return agent_client


def test_inbox_in_dutch(dutch_client, ticket_case):
    text = dutch_client.get("/w/resale/inbox/").text
    assert '<html lang="nl">' in text
    for label in ("Van mij", "Niet toegewezen", "Mijn teams", "Elke status", "Onderwerp"):
        assert label in text, label
    assert "Bestelling" in text  # the marketplace order, not Django's "sort order"
    assert ">Nieuw<" in text  # the status badge
    assert "Webformulier" in text


def test_case_page_in_dutch(dutch_client, agent, ticket_case):
    update_case(case=ticket_case, actor=Actor(user=agent), status="open")
    text = dutch_client.get(f"/w/resale/cases/{ticket_case.reference}/").text
    for label in (
        "Antwoord aan klant",
        "Interne notitie",
        "Eigenschappen",
        "Overdracht open",
        "Overdracht mislukt",
        "Vertraagd",
        "Deels terugbetaald",
        "€\N{NO-BREAK SPACE}249,50",  # babel formats Dutch money with a no-break space
        "wijzigde de status van <strong>Nieuw</strong> naar <strong>Open</strong>",
        "maakte de case aan via <strong>Webformulier</strong>",
    ):
        assert label in text, label


def test_refusals_are_translated(dutch_client, agent, ticket_case):
    update_case(case=ticket_case, actor=Actor(user=agent), status="closed")
    answer = dutch_client.post(
        f"/w/resale/cases/{ticket_case.reference}/properties/",
        {"status": "open", "priority": "normal", "assignee": "", "team": "", "tags": ""},
    )
    assert answer.status_code == 409
    assert "Een case kan niet van Gesloten naar Open." in answer.text


def test_language_switcher_uses_django_set_language(agent_client, ticket_case):
    page = agent_client.get("/w/resale/inbox/").text
    assert 'action="/i18n/setlang/"' in page
    answer = agent_client.post("/i18n/setlang/", {"language": "nl", "next": "/w/resale/inbox/"})
    assert answer.status_code == 302
    assert "Van mij" in agent_client.get("/w/resale/inbox/").text


def test_event_sentences_follow_the_active_language(agent, ticket_case):
    update_case(case=ticket_case, actor=Actor(user=agent), priority="urgent")
    event = ticket_case.events.get(kind="priority.changed")
    with translation.override("nl"):
        assert describe_event(event) == (
            "<strong>Anna Agent</strong> wijzigde de prioriteit van <strong>Normaal</strong> "
            "naar <strong>Urgent</strong>"
        )
    with translation.override("en"):
        assert "changed priority from" in describe_event(event)
