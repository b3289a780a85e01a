"""One dispute from opening to decision, in a real browser: the buyer opens it in the
portal, the seller contests it in the seller portal, the buyer calls in the platform, an
agent previews the money and decides in the desk, and the buyer reads the decision."""

# The browser and server fixtures are imported by name; pytest injects them as arguments.

from __future__ import annotations

import re

import pytest

from ombuds.marketplace.inputs import PaymentInput
from ombuds.marketplace.models import PartyIdentity
from ombuds.web.portal import magic_links
from tests import builders
from tests.web.test_browser_desk import browser_page  # noqa: F401 (a fixture)

REASONS = "The photos show a stain that the listing did not mention."


@pytest.fixture
def links(workspace, buyer, seller):
    """The order, and both parties' sign-in links, made now: the test reads nothing from
    the database once the browser runs."""
    builders.order(
        workspace,
        "ORD-55",
        buyer=buyer,
        seller=seller,
        total=8000,
        payments=[PaymentInput("P-55", status="captured", amount=8000, captured_amount=8000)],
    )
    buyer_token = magic_links.make_token(PartyIdentity.objects.get(party=buyer, kind="email"))
    seller_token = magic_links.make_token(
        PartyIdentity.objects.get(party=seller, kind="email"), audience=magic_links.SELLER
    )
    return {
        "buyer": f"/help/{workspace.slug}/portal/login/{buyer_token}/",
        "seller": f"/help/{workspace.slug}/seller/login/{seller_token}/",
    }


# browser_page comes last: once Playwright runs, Django sees an event loop in this thread
# and gives ORM calls a separate connection, which would outlive the test database.
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_dispute_from_the_buyers_claim_to_the_agents_decision(
    asgi_server,
    workspace,
    agent,
    links,
    browser_page,  # noqa: F811
):
    buyer_page, problems = browser_page
    browser = buyer_page.context.browser

    # The buyer opens the dispute on their order.
    buyer_page.goto(asgi_server + links["buyer"])
    buyer_page.goto(f"{asgi_server}/help/{workspace.slug}/portal/disputes/new/?order=ORD-55")
    buyer_page.select_option("select[name=reason]", "not_as_described")
    buyer_page.fill("textarea[name=description]", "The jacket has a large stain on the front.")
    buyer_page.select_option("select[name=desired_outcome]", "partial_refund")
    buyer_page.fill("input[name=amount]", "30,00")
    buyer_page.get_by_role("button", name="Open the dispute").click()
    buyer_page.wait_for_url(re.compile(r".*/portal/disputes/DSP-\d+/$"))
    reference = buyer_page.url.rstrip("/").rsplit("/", 1)[1]

    # The seller contests it from the seller portal.
    seller_page = browser.new_context().new_page()
    seller_page.goto(f"{asgi_server}{links['seller']}?dispute={reference}")
    seller_page.wait_for_url(f"**/seller/disputes/{reference}/")
    seller_page.fill("#contest-form textarea[name=statement]", "It left the shop spotless.")
    seller_page.locator("#contest-form").get_by_role("button", name="Contest").click()
    seller_page.wait_for_url(f"**/seller/disputes/{reference}/")
    assert "the buyer may now ask the platform to step in" in seller_page.content()

    # The buyer calls in the platform.
    buyer_page.reload()
    buyer_page.get_by_role("button", name="Ask the platform to step in").click()
    buyer_page.wait_for_url(f"**/portal/disputes/{reference}/")
    assert "We are looking into it now." in buyer_page.content()

    # An agent previews the decision's money, then decides with reasons.
    desk = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    desk.on("pageerror", lambda error: problems.append(str(error)))
    desk.goto(f"{asgi_server}/login/")
    desk.fill("input[name=username]", agent.email)
    desk.fill("input[name=password]", builders.PASSWORD)
    desk.click("button[type=submit]")
    desk.wait_for_url(f"**/w/{workspace.slug}/**")
    desk.goto(f"{asgi_server}/w/{workspace.slug}/disputes/{reference}/")
    form = desk.locator("#decide-form")
    form.locator("select[name=outcome]").select_option("partial_refund")
    form.locator("input[name=amount]").fill("30,00")
    form.locator("select[name=bearer]").select_option("seller")
    desk.get_by_role("button", name="Preview").click()
    legs = desk.locator("#preview-legs")
    legs.wait_for()
    assert "€30.00" in legs.inner_text()
    assert "Within your authority" in desk.locator("#decision-preview").inner_text()
    form = desk.locator("#decide-form")
    form.locator("textarea[name=statement]").fill(REASONS)
    desk.get_by_role("button", name="Decide", exact=True).click()
    desk.wait_for_url(f"**/disputes/{reference}/")
    decision = desk.locator("#decision")
    assert REASONS in decision.inner_text()
    assert "borne by the seller" in decision.inner_text()
    assert desk.locator("#appeal-deadline").count() == 1

    # The buyer reads the decision, its reasons, and may appeal.
    buyer_page.reload()
    assert REASONS in buyer_page.locator("#decision").inner_text()
    assert buyer_page.locator("#appeal-form").count() == 1
    assert not problems, problems
