"""A visitor on a shop's page and an agent on the desk, in two Chromium contexts against a
real ASGI server (uvicorn, serving the test database): the chat works end to end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ombuds.conversations.models import Case
from ombuds.intake.chat.setup import enable_chat
from ombuds.intake.models import ChatSession
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
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
WIDGET_BLUE = "rgb(23, 70, 162)"


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _orm(read):
    """Run a database read from the test body. With Playwright's loop running in this
    thread Django hands the body a connection of its own; closing it right away keeps it
    from outliving the test database."""
    from django.db import connection

    try:
        return read()
    finally:
        connection.close()


def _watch_for_trouble(page, problems: list[str]) -> None:
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss())
    )


# `browser` comes last: once Playwright runs, Django sees an event loop in this thread.
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_visitor_and_an_agent_chat_live_in_two_browsers(workspace, agent, asgi_server, browser):
    _orm(lambda: enable_chat(workspace=workspace, allowed_origins=["https://shop.example"]))
    problems: list[str] = []

    desk = browser.new_context(viewport={"width": 1400, "height": 900})
    agent_page = desk.new_page()
    _watch_for_trouble(agent_page, problems)
    agent_page.goto(f"{asgi_server}/login/")
    agent_page.fill("input[name=username]", agent.email)
    agent_page.fill("input[name=password]", builders.PASSWORD)
    agent_page.click("button[type=submit]")
    agent_page.wait_for_url("**/w/resale/inbox/**")
    agent_page.click("nav.topnav >> text=Live chats")
    agent_page.wait_for_url("**/w/resale/chats/")
    agent_page.wait_for_selector("text=No live chats right now.")

    shop = browser.new_context(viewport={"width": 1200, "height": 850}, locale="en-GB")
    visitor_page = shop.new_page()
    _watch_for_trouble(visitor_page, problems)
    visitor_page.goto(f"{asgi_server}/chat/resale/demo/")
    launcher = visitor_page.locator(".launcher")
    launcher.wait_for()
    # The shop's heavy-handed CSS does not reach into the widget.
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == WIDGET_BLUE
    assert launcher.get_attribute("aria-expanded") == "false"

    # Keyboard: the launcher opens the panel and puts the cursor in the message box.
    launcher.focus()
    visitor_page.keyboard.press("Enter")
    panel = visitor_page.locator(".panel")
    panel.wait_for()
    assert launcher.get_attribute("aria-expanded") == "true"
    from playwright.sync_api import expect

    expect(visitor_page.locator("ombuds-chat #message")).to_be_focused()
    visitor_page.locator(".status").filter(has_text="We are online").wait_for()

    visitor_page.keyboard.type("Hello, where are my Coldplay tickets?")
    visitor_page.keyboard.press("Enter")
    visitor_page.locator(".msg--visitor .meta").first.filter(has_text=":").wait_for()

    # The agent's list shows the waiting chat without a reload, and the top bar counts it.
    agent_page.locator("#live-chats .chat-row--waiting").wait_for()
    assert agent_page.inner_text("#live-chats-count") == "1"
    case = _orm(lambda: Case.objects.get(pk=ChatSession.objects.get().case_id))
    agent_page.click(f"#live-chats >> text={case.reference}")
    agent_page.wait_for_url(f"**/cases/{case.reference}/")
    agent_page.locator("#chat-panel .presence--online").wait_for()
    agent_page.evaluate("window.__samePage = true")

    # The visitor writes again (hostile markup included): it appears on the case page live.
    visitor_page.locator("#message").fill(f"Order ORD-7731 {HOSTILE}")
    visitor_page.locator(".composer button[type=submit]").click()
    agent_page.locator("#timeline").filter(has_text="Order ORD-7731").wait_for()
    assert agent_page.evaluate("window.__samePage") is True
    assert agent_page.evaluate("window.__pwned") is None
    assert "<img src=x" in agent_page.inner_text("#timeline")  # shown as text

    # The agent types: the visitor sees it.
    agent_page.locator("#reply-body").press_sequentially("Let me check", delay=20)
    visitor_page.locator(".typing").filter(has_text="Anna Agent is typing…").wait_for()

    # The agent replies from the case page; the visitor sees the reply live…
    agent_page.locator("#reply-body").fill("Your tickets are on their way, Vera.")
    agent_page.click("#reply-form button[type=submit]")
    visitor_page.locator(".msg--agent .bubble").filter(
        has_text="Your tickets are on their way, Vera."
    ).wait_for()
    assert visitor_page.locator(".msg--agent .who").first.inner_text() == "Anna Agent"
    # …and, the panel being open, has read it: the agent sees "Seen".
    agent_page.locator("#timeline .msg--outbound .seen").wait_for()
    # The agent's page read the visitor's messages too: the visitor sees "Seen" on theirs.
    visitor_page.locator(".msg--visitor .meta").filter(has_text="Seen").wait_for()
    assert visitor_page.evaluate("window.__pwned") is None

    # Escape closes the panel and gives focus back to the launcher.
    visitor_page.locator("#message").press("Escape")
    assert panel.is_hidden()
    assert launcher.get_attribute("aria-expanded") == "false"

    # A new page load keeps the chat: same session, same transcript.
    visitor_page.goto(f"{asgi_server}/chat/resale/demo/")
    visitor_page.locator(".launcher").click()
    visitor_page.locator(".msg--agent .bubble").filter(has_text="on their way").wait_for()
    assert visitor_page.locator(".msg--visitor").count() == 2
    assert _orm(ChatSession.objects.count) == 1
    assert _orm(lambda: [m.body_text[:14] for m in case.messages.order_by("created_at", "pk")]) == [
        "Hello, where a",
        "Order ORD-7731",
        "Your tickets a",
    ]
    assert problems == []
    shop.close()
    desk.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_with_no_agent_on_the_desk_the_widget_asks_for_an_email_in_dutch(
    workspace, asgi_server, browser
):
    _orm(lambda: enable_chat(workspace=workspace))
    problems: list[str] = []
    shop = browser.new_context(locale="nl-NL")
    page = shop.new_page()
    _watch_for_trouble(page, problems)
    page.goto(f"{asgi_server}/chat/resale/demo/?lang=nl")
    page.locator(".launcher").filter(has_text="Chat met ons").click()
    page.locator(".status").filter(has_text="Er is nu niemand beschikbaar.").wait_for()
    page.locator("#message").fill("Mijn pakket is niet aangekomen.")
    page.keyboard.press("Enter")
    form = page.locator(".offline")
    form.wait_for()
    page.fill("#visitor-name", "Vera <b>Visser</b>")
    page.fill("#visitor-email", "vera@example.com")
    form.locator("button[type=submit]").click()
    page.locator(".offline-done").filter(has_text="We antwoorden op vera@example.com.").wait_for()
    assert form.is_hidden()
    session = _orm(ChatSession.objects.get)
    assert session.status == "offline"
    assert session.visitor_email == "vera@example.com"
    assert _orm(lambda: Case.objects.get(pk=session.case_id).language) == "nl"
    assert problems == []
    shop.close()
