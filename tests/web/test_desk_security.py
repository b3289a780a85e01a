"""Customer data is hostile: it is escaped or sanitized everywhere the desk shows it.
Every form carries CSRF protection and no page holds inline script."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ombuds.conversations.events import Actor
from ombuds.conversations.services import update_case
from tests import builders

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(1)">'


@pytest.fixture
def hostile_case(workspace):
    requester = builders.party(workspace, "EVIL", name=SCRIPT, email="evil@example.com")
    return builders.case(
        workspace,
        requester=requester,
        subject=f"Help {SCRIPT}",
        body=f"Look {IMG} here",
        body_html=f"<p>Look</p>{IMG}<script>alert(2)</script><a href='javascript:alert(3)'>x</a>",
        tags=["<b>bold</b>"],
    )


def _assert_nothing_runs(text: str) -> None:
    assert "<script>alert" not in text
    assert "onerror" not in text
    assert "<img" not in text
    assert "javascript:" not in text
    # Every script tag on the page is an external file from our own origin.
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert ' src="/static/' in tag, tag


def test_hostile_case_is_escaped_on_the_case_page(client, workspace, agent, hostile_case):
    client.force_login(agent)
    text = client.get(f"/w/resale/cases/{hostile_case.reference}/").text
    _assert_nothing_runs(text)
    assert "Help &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert 'value="&lt;b&gt;bold&lt;/b&gt;"' in text  # the tags field
    assert "<p>Look</p>" in text  # sanitized markup is kept as markup


def test_hostile_case_is_escaped_in_the_inbox(client, workspace, agent, hostile_case):
    client.force_login(agent)
    text = client.get("/w/resale/inbox/").text
    _assert_nothing_runs(text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_hostile_names_in_timeline_sentences_are_escaped(client, workspace, hostile_case):
    villain = builders.member(workspace, "villain@resale.test", name=SCRIPT)
    update_case(case=hostile_case, actor=Actor(user=villain), assignee=villain, priority="high")
    client.force_login(villain)
    text = client.get(f"/w/resale/cases/{hostile_case.reference}/").text
    _assert_nothing_runs(text)
    assert "<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong> changed priority" in text


def test_every_write_needs_the_csrf_token(workspace, agent, hostile_case):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    case_url = f"/w/resale/cases/{hostile_case.reference}/"
    refused = browser.post(case_url + "note/", {"body": "forged"})
    assert refused.status_code == 403

    page = browser.get(case_url).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    # htmx requests send the same token as a header, set on <body> as an attribute.
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in page
    for form in re.findall(r'<form[^>]*method="post"[^>]*>.*?</form>', page, flags=re.S):
        assert "csrfmiddlewaretoken" in form
    accepted = browser.post(case_url + "note/", {"body": "real", "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    by_header = browser.post(
        case_url + "note/", {"body": "via htmx"}, headers={"X-CSRFToken": token}
    )
    assert by_header.status_code == 302


def test_pages_carry_a_strict_content_security_policy(client, workspace, agent, hostile_case):
    client.force_login(agent)
    answer = client.get(f"/w/resale/cases/{hostile_case.reference}/")
    assert "script-src 'self'" in answer["Content-Security-Policy"]
    assert answer["X-Frame-Options"] == "DENY"
    assert "SECRET" not in answer.text and "secret_key" not in answer.text.lower()
