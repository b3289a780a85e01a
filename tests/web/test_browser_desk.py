"""An agent's first minutes, in a real browser: sign in, open a case from the inbox,
reply, and see the reply land in the timeline through htmx."""

# The shared desk scenario's fixtures are imported by name; pytest injects them as arguments.

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import builders

# Playwright's sync API runs an event loop in this thread; Django's ORM would otherwise
# refuse to be called from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_page():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            problems: list[str] = []
            page.on(
                "console",
                lambda message: problems.append(message.text) if message.type == "error" else None,
            )
            page.on("pageerror", lambda error: problems.append(str(error)))
            yield page, problems
        finally:
            browser.close()


@pytest.fixture
def second_case(workspace, ticket_case):
    return builders.case(workspace, requester=ticket_case.requester, subject="Second question")


# browser_page comes last: once Playwright runs, Django sees an event loop in this thread
# and gives ORM calls a separate connection, which would outlive the test database.
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agent_signs_in_opens_a_case_and_replies(
    asgi_server, workspace, agent, ticket_case, second_case, browser_page
):
    page, problems = browser_page

    page.goto(f"{asgi_server}/")
    assert "/login/" in page.url
    page.fill("input[name=username]", agent.email)
    page.fill("input[name=password]", builders.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/w/{workspace.slug}/inbox/**")

    # htmx was served by the static files and ran under the CSP.
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("document.documentElement.classList.contains('js')")

    # Filtering swaps only the list and keeps the address in step, so it can be shared.
    assert page.locator("#case-list td.ref").count() == 2
    with page.expect_response(lambda r: "status=new" in r.url):
        page.select_option("#filter-status", "new")
    from playwright.sync_api import expect

    expect(page.locator("#case-list td.ref")).to_have_count(2)
    assert "status=new" in page.url
    with page.expect_response(lambda r: "q=ORD-7731" in r.url):
        page.fill("#inbox-q", "ORD-7731")
    expect(page.locator("#case-list td.ref")).to_have_count(1)

    page.click(f"text={ticket_case.reference}")
    page.wait_for_url(f"**/cases/{ticket_case.reference}/")
    assert "Tickets not transferred yet" in page.inner_text("#case-summary")

    page.fill("#reply-body", "Your tickets are on their way.")
    with page.expect_response(lambda r: r.url.endswith("/reply/")) as answer:
        page.click("#reply-form button[type=submit]")
    assert answer.value.status == 200
    # The timeline was swapped in place (no navigation) and shows the reply and the
    # status change the first reply makes.
    page.wait_for_selector("#timeline .msg--outbound")
    timeline = page.inner_text("#timeline")
    assert "Your tickets are on their way." in timeline
    assert "changed status from New to Open" in timeline
    assert "Open" in page.inner_text("#case-summary")
    assert page.input_value("#reply-body") == ""
    assert page.url.endswith(f"/cases/{ticket_case.reference}/")
    assert problems == []
