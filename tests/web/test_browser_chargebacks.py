"""Answering a chargeback in a real browser: the case's chargeback panel, the evidence
preview, the confirm, and Stripe (a local stand-in) receiving exactly what was shown."""

# The browser and server fixtures are imported by name; pytest injects them as arguments.

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ombuds.chargebacks.connections import ConnectionInput, connect_psp
from ombuds.chargebacks.models import Chargeback
from ombuds.chargebacks.receiving import accept_event, process_event
from tests import builders
from tests.chargebacks import documented as doc
from tests.chargebacks.conftest import paid_order
from tests.chargebacks.stripe_server import StripeStandIn, dispute_answer
from tests.web.test_browser_desk import browser_page  # noqa: F401 (a fixture)


@pytest.fixture
def chargeback(workspace, buyer, httpserver):
    admin = builders.member(workspace, "admin@resale.test", role="admin")
    seller = builders.party(workspace, "S-7", kind="seller", name="Sam's Shop")
    paid_order(workspace, "ORD-1", buyer=buyer, seller=seller)
    connection = connect_psp(
        workspace=workspace,
        by=admin,
        spec=ConnectionInput(
            provider="stripe",
            name="Stripe",
            secret_key=doc.SECRET_KEY,
            webhook_secret=doc.WEBHOOK_SECRET,
            api_base_url=httpserver.url_for("/").rstrip("/"),
        ),
    )
    due = datetime.now(UTC) + timedelta(days=4)
    event = doc.event("charge.dispute.created", doc.dispute(due_by=due))
    stored, _created = accept_event(connection=connection, raw=json.dumps(event).encode())
    process_event(stored.pk)
    # The case comes along now: the test reads nothing from the database once the
    # browser runs.
    return Chargeback.objects.select_related("case").get()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_agent_previews_and_submits_evidence_once(
    asgi_server,
    workspace,
    agent,
    chargeback,
    httpserver,
    browser_page,  # noqa: F811
):
    page, problems = browser_page
    stripe = StripeStandIn(httpserver)
    stripe.expect("POST", "/v1/files", doc.file_object(), times=2)
    stripe.expect("POST", f"/v1/disputes/{doc.DISPUTE}", dispute_answer())

    page.goto(f"{asgi_server}/login/")
    page.fill("input[name=username]", agent.email)
    page.fill("input[name=password]", builders.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/w/{workspace.slug}/**")

    page.goto(f"{asgi_server}/w/{workspace.slug}/cases/{chargeback.case.reference}/")
    panel = page.locator(".chargeback-panel")
    assert "Needs response" in panel.inner_text()
    assert "left" in panel.locator(".countdown").inner_text()
    assert "single evidence submission" in panel.inner_text()
    panel.get_by_role("link", name="Prepare evidence for Stripe").click()

    page.fill("#statement", "The buyer signed for the parcel at the door.")
    page.get_by_role("button", name="Update the preview").click()
    preview = page.locator(".evidence-preview")
    preview.wait_for()
    assert "The buyer signed for the parcel at the door." in preview.inner_text()
    assert "evidence[shipping_tracking_number]" in preview.inner_text()

    # The confirm must be ticked: the browser refuses to send without it.
    page.get_by_role("button", name="Submit to Stripe").click()
    assert page.locator(".evidence-preview").count() == 1
    page.get_by_label("I have checked this evidence; send it to Stripe now.").check()
    page.get_by_role("button", name="Submit to Stripe").click()
    page.wait_for_url(f"**/cases/{chargeback.case.reference}/")
    assert "The evidence is on its way to Stripe." in page.content()

    # Stripe got what the preview showed, once.
    update = stripe.seen[-1]
    assert update.form["evidence[uncategorized_text]"].startswith(
        "The buyer signed for the parcel at the door."
    )
    # Read through the page: an ORM call from this thread, now that Playwright runs an
    # event loop in it, would open a connection that outlives the test database.
    assert "Submitted" in page.locator(".chargeback-panel").inner_text()
    assert page.get_by_role("link", name="Prepare evidence for Stripe").count() == 0
    assert not problems, problems
