"""The widget's script, its settings and texts, the demo shop page, and what the desk
shows of chats: served for the workspace's sites only, in the visitor's language, and with
hostile names and messages inert."""

from __future__ import annotations

import json
import re

import pytest

from ombuds.intake.chat.sessions import open_chat_session, post_visitor_message
from ombuds.intake.chat.setup import enable_chat
from ombuds.intake.models import ChatSession
from tests import builders

from .talk import SHOP

HOSTILE = '<script>alert("chat")</script><img src=x onerror=alert(1)>'


def test_the_widget_script_may_be_loaded_by_any_site(client):
    answer = client.get("/chat/widget.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Access-Control-Allow-Origin"] == "*"
    assert answer["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert answer["X-Content-Type-Options"] == "nosniff"
    body = answer.content.decode()
    assert "attachShadow" in body
    # It draws text as text: nothing in it assigns markup.
    assert "innerHTML" not in body
    assert "insertAdjacentHTML" not in body


def test_settings_answer_the_workspaces_sites_with_cors(client, workspace):
    enable_chat(workspace=workspace, allowed_origins=[SHOP, "https://*.resale.example"])
    allowed = client.get("/chat/resale/widget.json?lang=en-GB", HTTP_ORIGIN=SHOP)
    assert allowed.status_code == 200
    assert allowed["Access-Control-Allow-Origin"] == SHOP
    assert "Origin" in allowed["Vary"]
    config = allowed.json()
    assert config["socket"] == "/ws/chat/resale/"
    assert config["language"] == "en"
    assert config["texts"]["launcher"] == "Chat with us"
    assert config["texts"]["title"] == "Chat with Resale"

    sub = client.get("/chat/resale/widget.json", HTTP_ORIGIN="https://tickets.resale.example")
    assert sub["Access-Control-Allow-Origin"] == "https://tickets.resale.example"

    refused = client.get("/chat/resale/widget.json", HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 403
    assert refused.json()["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in refused


def test_settings_speak_dutch_to_a_dutch_browser(client, workspace):
    enable_chat(workspace=workspace)
    texts = client.get("/chat/resale/widget.json?lang=nl-NL").json()["texts"]
    assert texts["launcher"] == "Chat met ons"
    assert texts["seen"] == "Gezien"
    assert texts["title"] == "Chat met Resale"
    # Every text is translated, none left in English.
    english = client.get("/chat/resale/widget.json?lang=en").json()["texts"]
    untranslated = [key for key in english if english[key] == texts[key]]
    assert untranslated == []


def test_a_workspace_without_chat_serves_no_settings_and_no_demo(client, workspace):
    assert client.get("/chat/resale/widget.json").status_code == 404
    assert client.get("/chat/resale/demo/").status_code == 404
    assert client.get("/chat/nowhere/widget.json").status_code == 404


def test_the_demo_shop_embeds_the_widget_with_one_tag(client, workspace):
    enable_chat(workspace=workspace)
    page = client.get("/chat/resale/demo/").content.decode()
    tags = re.findall(r"<script\b[^>]*>", page)
    assert tags == [
        '<script src="http://testserver/chat/widget.js" data-workspace="resale" '
        'data-language="en" async>'
    ]
    home = client.get("/help/resale/").content.decode()
    assert 'href="/chat/resale/demo/"' in home


def test_origins_are_checked_when_configured(workspace):
    from ombuds.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        enable_chat(workspace=workspace, allowed_origins=["https://shop.example/path"])
    assert refused.value.code == "invalid_origin"
    account = enable_chat(workspace=workspace, allowed_origins=["HTTPS://Shop.Example/"])
    assert account.settings["allowed_origins"] == ["https://shop.example"]


@pytest.fixture
def hostile_chat(workspace):
    enable_chat(workspace=workspace)
    session = open_chat_session(workspace=workspace, name=HOSTILE)
    message, _ = post_visitor_message(session=session, client_id="hostile-0001", text=HOSTILE)
    return ChatSession.objects.get(pk=session.pk), message


def _nothing_runs(text: str) -> None:
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert ' src="/static/' in tag, tag


def test_hostile_chat_text_and_names_are_inert_on_the_desk(client, workspace, agent, hostile_chat):
    _session, message = hostile_chat
    client.force_login(agent)
    assert "&lt;script&gt;" in message.body_html
    case_page = client.get(f"/w/resale/cases/{message.case.reference}/").content.decode()
    _nothing_runs(case_page)
    assert 'id="chat-panel"' in case_page
    assert "&lt;script&gt;alert(&quot;chat&quot;)&lt;/script&gt;" in case_page
    chats = client.get("/w/resale/chats/").content.decode()
    _nothing_runs(chats)
    assert "&lt;script&gt;alert(&quot;chat&quot;)&lt;/script&gt;" in chats
    fragment = client.get(f"/w/resale/cases/{message.case.reference}/timeline/").content.decode()
    _nothing_runs(fragment)
    assert fragment.lstrip().startswith('<ol id="timeline"')


def test_live_chats_lists_waiting_chats_first_in_bounded_queries(
    client, workspace, agent, django_assert_max_num_queries
):
    enable_chat(workspace=workspace)
    for n in range(6):
        session = open_chat_session(workspace=workspace, name=f"Visitor {n}")
        post_visitor_message(session=session, client_id=f"list-{n:07d}", text=f"Question {n}")
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        page = client.get("/w/resale/chats/")
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('class="chat-row chat-row--waiting"') == 6
    # The longest wait first.
    assert text.index("Visitor 0") < text.index("Visitor 5")
    with django_assert_max_num_queries(12):
        client.get("/w/resale/chats/")


def test_another_workspaces_member_sees_no_chats_of_ours(client, workspace, other_workspace):
    enable_chat(workspace=workspace)
    session = open_chat_session(workspace=workspace, name="Secret Visitor")
    message, _ = post_visitor_message(session=session, client_id="secret-00001", text="Hi")
    stranger = builders.member(other_workspace, "olga@other.test")
    client.force_login(stranger)
    assert client.get("/w/resale/chats/").status_code == 404
    assert client.get(f"/w/resale/cases/{message.case.reference}/timeline/").status_code == 404
    assert "Secret Visitor" not in client.get("/w/other/chats/").content.decode()


def test_the_layout_opens_the_desk_socket_only_inside_a_workspace(client, workspace, agent):
    client.force_login(agent)
    inbox = client.get("/w/resale/inbox/").content.decode()
    assert '<meta name="ombuds-desk-socket" content="/ws/desk/resale/">' in inbox
    assert "/static/web/chat/desk-chat.js" in inbox
    assert 'href="/w/resale/chats/"' in inbox
    login = client.get("/login/").content.decode()
    assert "ombuds-desk-socket" not in login


def test_widget_texts_are_plain_json_strings(client, workspace):
    enable_chat(workspace=workspace)
    texts = client.get("/chat/resale/widget.json").json()["texts"]
    assert all(isinstance(v, str) and v for v in texts.values())
    assert json.dumps(texts)  # nothing lazy left in it


def test_the_desk_shows_chats_in_dutch(client, workspace, agent, settings):
    enable_chat(workspace=workspace)
    session = open_chat_session(workspace=workspace, name="Vera")
    message, _ = post_visitor_message(session=session, client_id="dutch-000001", text="Hallo")
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    chats = client.get("/w/resale/chats/").content.decode()
    for label in ("Livechats", "Bezoeker", "Wacht op een medewerker", "Laatste activiteit"):
        assert label in chats, label
    case_page = client.get(f"/w/resale/cases/{message.case.reference}/").content.decode()
    assert "De bezoeker heeft de chat verlaten zonder e-mailadres" in case_page
