"""An agent answers with a macro in a real browser: pick it, see it filled in for the
case, insert it into the reply box, send, and the reply records the macro's version."""

# The shared desk scenario's fixtures are imported by name; pytest injects them as arguments.

from __future__ import annotations

import re

import pytest

from ombuds.automation.macros.services import create_macro
from ombuds.automation.models import MacroUse
from tests import builders
from tests.web.test_browser_desk import browser_page  # noqa: F401  (a fixture)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agent_inserts_a_macro_and_sends_it(
    asgi_server,
    workspace,
    agent,
    ticket_case,
    browser_page,  # noqa: F811
):
    page, problems = browser_page
    expect = pytest.importorskip("playwright.sync_api").expect
    macro = create_macro(
        workspace=workspace,
        name="Transfer news",
        texts={
            "en": "Hi {{ buyer_first_name }}, the transfer of {{ order_number }} is "
            "{{ transfer_status }}.",
            "nl": "Hoi {{ buyer_first_name }}",
        },
    )
    page.goto(f"{asgi_server}/login/")
    page.fill("input[name=username]", agent.email)
    page.fill("input[name=password]", builders.PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{asgi_server}/w/{workspace.slug}/cases/{ticket_case.reference}/")

    page.select_option("#macro-choice", label="Transfer news")
    page.wait_for_selector("#macro-preview pre")
    assert "the transfer of ORD-7731 is Transfer pending." in page.inner_text("#macro-preview")
    page.click("text=Insert into reply")
    expect(page.locator("#reply-body")).to_have_value(re.compile("ORD-7731"))
    expect(page.locator("#reply-macro-version")).to_have_value(str(macro.current.pk))
    page.fill("#reply-body", page.input_value("#reply-body") + " More soon.")
    page.click("button:has-text('Send reply')")
    page.wait_for_selector("#timeline >> text=More soon.")

    use = MacroUse.objects.get()
    assert use.version == macro.current
    assert use.message.body_text.endswith("More soon.")
    assert problems == []
