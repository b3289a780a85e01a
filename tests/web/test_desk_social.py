"""The case page and the inbox for messaging platforms: public posts stand out and warn
before a public reply, receipts show as ticks, WhatsApp's closed window is said before
the agent writes, and nothing a platform sends can run in the agent's browser."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ombuds.conversations.models import Case, Delivery, Message
from ombuds.conversations.services import reply_to_customer
from ombuds.conversations.tasks import drain_outbox
from ombuds.intake.inbound import process_pending
from tests import builders
from tests.intake.social import documented as doc
from tests.intake.social.platforms import connect, post_signed


@pytest.fixture
def admin(workspace):
    return builders.member(workspace, "admin@resale.test", role="admin", name="Ada Admin")


@pytest.fixture
def arrive(client):
    def run(account, payload):
        assert post_signed(client, account, payload).status_code == 200
        process_pending()

    return run


@pytest.fixture
def x_account(workspace, admin, httpserver):
    return connect(workspace, admin, "x", doc.X_USER_ID, httpserver.url_for("/"))


@pytest.fixture
def whatsapp_account(workspace, admin, httpserver):
    return connect(workspace, admin, "whatsapp", doc.PHONE_NUMBER_ID, httpserver.url_for("/v26.0"))


@pytest.fixture
def public_case(arrive, x_account):
    arrive(x_account, doc.x_mention("1050118621198921728", "@resalehelp your checkout is broken"))
    return Case.objects.get()


def page(client, case) -> str:
    return client.get(f"/w/resale/cases/{case.reference}/").text


def test_a_public_post_is_flagged_on_the_case_and_the_reply_warns(agent_client, public_case):
    text = page(agent_client, public_case)
    assert 'class="badge badge--public"' in text
    assert 'href="https://x.com/furiouscamper/status/1050118621198921728"' in text
    assert "A public reply can be read by anyone" in text
    assert re.search(r'<input type="radio" name="visibility" value="public" checked>', text)
    assert re.search(r'<input type="radio" name="visibility" value="private">', text)


def test_the_inbox_marks_public_posts(agent_client, public_case):
    text = agent_client.get("/w/resale/inbox/").text
    row = text[text.index(public_case.reference) :][:2000]
    assert "badge--public" in row


def test_an_agent_chooses_a_direct_message_from_the_reply_form(
    agent_client, httpserver, public_case
):
    httpserver.expect_oneshot_request(
        f"/2/dm_conversations/with/{doc.X_CUSTOMER_ID}/messages",
        method="POST",
        json={"text": "Could you DM us the order number?"},
    ).respond_with_json({"data": {"dm_conversation_id": "c", "dm_event_id": "77"}}, status=201)
    answer = agent_client.post(
        f"/w/resale/cases/{public_case.reference}/reply/",
        {"body": "Could you DM us the order number?", "visibility": "private"},
    )
    assert answer.status_code == 302
    reply = Message.objects.get(kind="outbound")
    assert reply.meta["visibility"] == "private"
    drain_outbox()
    assert Delivery.objects.get(message=reply).provider_id == "dm:77"
    httpserver.check_assertions()


def test_the_public_reply_is_marked_in_the_timeline(agent_client, httpserver, public_case):
    httpserver.expect_oneshot_request("/2/tweets", method="POST").respond_with_json(
        {"data": {"id": "1445880548472328192", "text": "Sorry!"}}, status=201
    )
    agent_client.post(
        f"/w/resale/cases/{public_case.reference}/reply/",
        {"body": "Sorry!", "visibility": "public"},
    )
    drain_outbox()
    text = page(agent_client, public_case)
    assert "Public reply" in text and "ticks--sent" in text


def test_a_private_case_offers_no_public_reply(agent_client, arrive, x_account):
    arrive(x_account, doc.x_dm("900", "Private question"))
    text = page(agent_client, Case.objects.get())
    assert 'name="visibility"' not in text
    assert "badge--public" not in text


@pytest.fixture
def whatsapp_case(arrive, whatsapp_account):
    arrive(
        whatsapp_account,
        doc.whatsapp_webhook(doc.whatsapp_value(messages=[doc.wa_text("wamid.IN", "Hello")])),
    )
    return Case.objects.get()


def test_receipts_show_as_ticks(
    agent_client, agent, httpserver, arrive, whatsapp_account, whatsapp_case
):
    httpserver.expect_request(f"/v26.0/{doc.PHONE_NUMBER_ID}/messages").respond_with_json(
        doc.wa_send_answer("wamid.OUT")
    )
    reply_to_customer(case=whatsapp_case, author=agent, body="Hi there")
    assert "ticks--queued" in page(agent_client, whatsapp_case)
    drain_outbox()
    assert "ticks--sent" in page(agent_client, whatsapp_case)
    arrive(
        whatsapp_account,
        doc.whatsapp_webhook(
            doc.whatsapp_value(statuses=[doc.wa_status("wamid.OUT", "delivered")])
        ),
    )
    assert "ticks--delivered" in page(agent_client, whatsapp_case)
    arrive(
        whatsapp_account,
        doc.whatsapp_webhook(doc.whatsapp_value(statuses=[doc.wa_status("wamid.OUT", "read")])),
    )
    text = page(agent_client, whatsapp_case)
    assert "ticks--read" in text and "ticks--delivered" not in text


def test_a_failed_delivery_says_why_on_the_case(
    agent_client, agent, httpserver, arrive, whatsapp_account, whatsapp_case
):
    httpserver.expect_request(f"/v26.0/{doc.PHONE_NUMBER_ID}/messages").respond_with_json(
        doc.wa_send_answer("wamid.OUT")
    )
    reply_to_customer(case=whatsapp_case, author=agent, body="Hi there")
    drain_outbox()
    failed = doc.wa_status("wamid.OUT", "failed", errors=[doc.WA_REENGAGEMENT_ERROR])
    arrive(whatsapp_account, doc.whatsapp_webhook(doc.whatsapp_value(statuses=[failed])))
    text = page(agent_client, whatsapp_case)
    assert "ticks--failed" in text
    assert "customer-service window is closed" in text


def test_a_closed_whatsapp_window_is_said_before_the_agent_writes(agent_client, whatsapp_case):
    assert "more than 24 hours ago" not in page(agent_client, whatsapp_case)
    Message.objects.filter(case=whatsapp_case).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    assert "more than 24 hours ago" in page(agent_client, whatsapp_case)


def test_a_shared_location_links_to_a_map(agent_client, arrive, whatsapp_account):
    arrive(
        whatsapp_account,
        doc.whatsapp_webhook(doc.whatsapp_value(messages=[doc.wa_location("wamid.LOC")])),
    )
    text = page(agent_client, Case.objects.get())
    assert (
        'href="https://www.openstreetmap.org/?mlat=52.358&amp;mlon=4.881#map=17/52.358/4.881"'
        in text
    )


def test_the_case_page_reads_a_fixed_number_of_queries_however_many_replies(
    agent_client, agent, httpserver, whatsapp_case
):
    httpserver.expect_request(f"/v26.0/{doc.PHONE_NUMBER_ID}/messages").respond_with_json(
        doc.wa_send_answer("wamid.OUT")
    )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert (
                agent_client.get(f"/w/resale/cases/{whatsapp_case.reference}/").status_code == 200
            )
        return len(captured)

    reply_to_customer(case=whatsapp_case, author=agent, body="one")
    queries()  # the first visit also remembers the workspace in the session
    few = queries()
    for n in range(10):
        reply_to_customer(case=whatsapp_case, author=agent, body=f"more {n}")
    drain_outbox()
    assert queries() == few


SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(1)">'


class _Tags(HTMLParser):
    """Every tag of a page with its attributes, as a browser would parse them."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def _assert_nothing_runs(text: str) -> None:
    assert "<script>alert" not in text
    for tag, attrs in _Tags(text).tags:
        # The desk's own icons are inline SVG; an injected one would still need a handler.
        assert tag not in ("img", "iframe", "object", "embed"), (tag, attrs)
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action", "formaction"):
            assert not attrs.get(name, "").strip().lower().startswith("javascript:"), (tag, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs


def test_hostile_words_and_names_from_the_platforms_never_run(
    agent_client, arrive, whatsapp_account, x_account
):
    location = doc.wa_location("wamid.EVIL2")
    location["location"]["name"] = SCRIPT
    location["location"]["latitude"] = '"><script>alert(1)</script>'
    arrive(
        whatsapp_account,
        doc.whatsapp_webhook(
            doc.whatsapp_value(
                messages=[doc.wa_text("wamid.EVIL", f"Look {IMG}"), location], name=SCRIPT
            )
        ),
    )
    mention = doc.x_mention("31337", f"@resalehelp {IMG} javascript:alert(1)", name=SCRIPT)
    mention["tweet_create_events"][0]["user"]["screen_name"] = '"><svg onload=alert(1)>'
    arrive(x_account, mention)
    assert Case.objects.count() == 2
    for case in Case.objects.all():
        text = page(agent_client, case)
        _assert_nothing_runs(text)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    _assert_nothing_runs(agent_client.get("/w/resale/inbox/").text)


def test_the_case_page_speaks_dutch_about_public_posts(agent_client, public_case):
    agent_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    text = page(agent_client, public_case)
    assert "Openbaar bericht" in text
    assert "Een openbaar antwoord kan iedereen lezen" in text


def test_a_comment_on_the_facebook_page_offers_a_public_or_private_reply(
    agent_client, admin, arrive, workspace, httpserver
):
    page_account = connect(workspace, admin, "messenger", doc.PAGE_ID, httpserver.url_for("/v26.0"))
    arrive(page_account, doc.page_comment("2200000001_9", "Fake tickets!"))
    text = page(agent_client, Case.objects.get())
    assert "A public reply can be read by anyone" in text
    assert re.search(r'<input type="radio" name="visibility" value="public" checked>', text)
