"""The public help center: one per workspace, in the buyer's language."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def test_home_introduces_the_workspace_and_points_to_contact_and_portal(client, workspace):
    response = client.get("/help/resale/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Resale" in page
    assert "What protects you" in page
    assert 'href="/help/resale/contact/"' in page
    assert 'href="/help/resale/portal/"' in page


@pytest.mark.parametrize(
    "path", ["/help/nowhere/", "/help/nowhere/contact/", "/help/nowhere/portal/"]
)
def test_unknown_workspace_is_not_found(client, workspace, path):
    assert client.get(path).status_code == 404


def test_pages_carry_no_inline_script(client, workspace):
    # The CSP allows scripts from our own origin only; the help center needs none at all.
    for path in ("/help/resale/", "/help/resale/contact/", "/help/resale/portal/"):
        response = client.get(path)
        assert b"<script" not in response.content
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_browser_language_dutch_gets_dutch_pages(client, workspace):
    response = client.get("/help/resale/", HTTP_ACCEPT_LANGUAGE="nl")

    page = response.content.decode()
    assert 'lang="nl"' in page
    assert "Hoe kunnen we je helpen?" in page
    assert "Wat je beschermt" in page


def test_language_switch_sticks_for_the_next_pages(client, workspace):
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "/help/resale/contact/"})
    assert response.status_code == 302
    assert response["Location"] == "/help/resale/contact/"

    page = client.get("/help/resale/contact/").content.decode()
    assert "Neem contact op" in page
    assert "Een vraag vóór de aankoop" in page
