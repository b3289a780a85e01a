"""An agent starts a shift in a real browser: the header's switch sets them online through
htmx, and the case waiting in their team's queue comes to them."""

from __future__ import annotations

import pytest

from ombuds.routing.models import Presence
from tests import builders
from tests.routing import builders as rb
from tests.web.test_browser_desk import browser_page  # noqa: F401  (a fixture)


@pytest.fixture
def waiting_case(workspace, agent, buyer):
    team = rb.team(workspace, "Support")
    team.members.add(agent)
    rb.queue(workspace, "General", team=team, match_language=False)
    return builders.case(workspace, requester=buyer, subject="Where are my tickets?")


# browser_page comes last, as in test_browser_desk: the ORM must not run in Playwright's
# event loop thread with a connection of its own.
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_agent_goes_online_from_the_header_and_gets_the_waiting_case(
    asgi_server,
    workspace,
    agent,
    waiting_case,
    browser_page,  # noqa: F811
):
    page, problems = browser_page
    page.goto(f"{asgi_server}/login/")
    page.fill("input[name=username]", agent.email)
    page.fill("input[name=password]", builders.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/w/{workspace.slug}/inbox/**")
    page.goto(f"{asgi_server}/w/{workspace.slug}/routing/")
    assert page.locator("#presence-switch.presence--offline").count() == 1
    assert "1 waiting" in page.inner_text(".routing-stats")

    with page.expect_response(lambda r: r.url.endswith("/routing/presence/")) as answer:
        page.select_option("#presence-select", Presence.ONLINE)
    assert answer.value.status == 200

    page.wait_for_selector("#presence-switch.presence--online")
    flash = page.inner_text("#flash")
    assert f"1 waiting case came to you: {waiting_case.reference}." in flash
    # The switch was swapped in place: still on the routing page, no reload.
    assert page.url.endswith(f"/w/{workspace.slug}/routing/")
    # Read back through the page, not the ORM: this thread now runs Playwright's loop.
    page.goto(f"{asgi_server}/w/{workspace.slug}/cases/{waiting_case.reference}/")
    assert page.input_value("#id_assignee") == str(agent.pk)
    assert problems == []
