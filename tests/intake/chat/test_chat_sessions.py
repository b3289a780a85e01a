"""Chat sessions as services: tokens, read marks, ending, the idle sweep, and where a
reply on a chat case goes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ombuds.conversations.models import Channel, Delivery
from ombuds.conversations.services import reply_route, reply_to_customer
from ombuds.core.errors import ApplicationError
from ombuds.intake.chat import limits, presence
from ombuds.intake.chat.replies import reply_recipient
from ombuds.intake.chat.sessions import (
    chat_session_for,
    continue_chat_by_email,
    end_idle_chats,
    mark_read,
    open_chat_session,
    post_visitor_message,
)
from ombuds.intake.chat.setup import enable_chat, origin_allowed
from ombuds.intake.inbound import accept, process_inbound
from ombuds.intake.models import ChatConnection, ChatSession, ChatStatus, ConnectionKind


@pytest.fixture
def chat(workspace):
    enable_chat(workspace=workspace, allowed_origins=["https://shop.example"])
    session = open_chat_session(workspace=workspace, language="en", name="Vera")
    post_visitor_message(session=session, client_id="first-000001", text="Where are my tickets?")
    return ChatSession.objects.select_related("case").get(pk=session.pk)


def _online(session):
    return presence.connect(
        workspace=session.workspace,
        channel_name=f"test.visitor!{session.pk}",
        kind=ConnectionKind.VISITOR,
        session=session,
    )


def test_tokens_are_long_random_and_distinct(workspace):
    tokens = {open_chat_session(workspace=workspace).token for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(t) >= 43 for t in tokens)


def test_a_token_only_opens_its_own_workspaces_chat(chat, other_workspace):
    assert chat_session_for(workspace=chat.workspace, token=chat.token) == chat
    assert chat_session_for(workspace=other_workspace, token=chat.token) is None
    assert chat_session_for(workspace=chat.workspace, token=chat.token[:-1] + "x") is None
    assert chat_session_for(workspace=chat.workspace, token="") is None


def test_read_marks_only_move_forward(chat, agent):
    first = chat.case.messages.get()
    reply = reply_to_customer(case=chat.case, author=agent, body="On it.")
    assert mark_read(session=chat, by="visitor", message_id=reply.pk) == reply.created_at
    assert mark_read(session=chat, by="visitor", message_id=first.pk) == reply.created_at
    # A message of another case moves nothing.
    assert mark_read(session=chat, by="agent", message_id=10**9) is None
    assert mark_read(session=chat, by="agent", message_id=first.pk) == first.created_at


def test_a_reply_goes_live_while_the_visitor_is_connected_else_by_email(chat, agent):
    _online(chat)
    assert reply_recipient(chat.case) is None
    assert reply_route(chat.case) is None
    live = reply_to_customer(case=chat.case, author=agent, body="Live answer.")
    assert not Delivery.objects.filter(message=live).exists()
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ACTIVE

    ChatConnection.objects.all().delete()  # the visitor closed the tab
    assert reply_recipient(chat.case) is None  # no address: the reply waits in the transcript
    continue_chat_by_email(session=chat, email="vera@example.com")
    assert reply_recipient(chat.case) == (Channel.EMAIL, "vera@example.com")
    mailed = reply_to_customer(case=chat.case, author=agent, body="By email now.")
    assert Delivery.objects.get(message=mailed).recipient == "vera@example.com"


def test_a_stale_socket_does_not_count_as_connected(chat, agent):
    connection = _online(chat)
    ChatConnection.objects.filter(pk=connection.pk).update(
        seen_at=timezone.now() - limits.PRESENCE_TTL - timedelta(seconds=1)
    )
    assert not presence.visitor_connected(chat)
    continue_chat_by_email(session=chat, email="vera@example.com")
    assert reply_recipient(chat.case) == (Channel.EMAIL, "vera@example.com")
    assert presence.forget_stale_connections() == 0  # not stale for long enough yet


def test_agents_are_available_while_a_member_who_may_reply_has_the_desk_open(workspace, agent):
    assert not presence.agents_available(workspace)
    presence.connect(
        workspace=workspace, channel_name="test.agent!1", kind=ConnectionKind.AGENT, user=agent
    )
    assert presence.agents_available(workspace)
    presence.disconnect("test.agent!1")
    assert not presence.agents_available(workspace)


def test_idle_chats_end_and_empty_sessions_are_forgotten(chat, workspace):
    empty = open_chat_session(workspace=workspace)
    later = timezone.now() + limits.IDLE_AFTER + timedelta(minutes=1)
    assert end_idle_chats(now=timezone.now()) == 0
    assert end_idle_chats(now=later) == 1
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ENDED
    ended = chat.case.events.get(kind="chat.ended")
    assert ended.data == {"reason": "idle", "quiet_minutes": 30}
    assert not ChatSession.objects.filter(pk=empty.pk).exists()
    assert chat.case.messages.count() == 1  # the transcript stays
    assert end_idle_chats(now=later) == 0


def test_an_ended_chat_takes_no_more_messages(chat):
    from ombuds.intake.chat.sessions import end_chat_session

    end_chat_session(session=chat, reason="visitor")
    with pytest.raises(ApplicationError) as refused:
        post_visitor_message(session=chat, client_id="too-late-0001", text="One more thing")
    assert refused.value.code == "chat_ended"


def test_a_stored_chat_message_processed_later_finds_its_chat(chat, workspace):
    """A message the sweep files (after a crash) lands on the chat's case like any other."""
    import json

    raw = json.dumps({"session": chat.pk, "client_id": "late-000001", "text": "Hello again"})
    inbound, _ = accept(
        workspace=workspace,
        channel=Channel.CHAT,
        raw=raw.encode(),
        external_id=f"chat:{chat.pk}:late-000001",
        content_type="application/json",
    )
    process_inbound(inbound.pk)
    inbound.refresh_from_db()
    assert inbound.case_id == chat.case_id


def test_a_payload_for_a_chat_of_another_workspace_is_rejected(chat, other_workspace):
    import json

    raw = json.dumps({"session": chat.pk, "client_id": "cross-00001", "text": "Sneaky"})
    inbound, _ = accept(
        workspace=other_workspace,
        channel=Channel.CHAT,
        raw=raw.encode(),
        external_id="cross",
        content_type="application/json",
    )
    process_inbound(inbound.pk)
    inbound.refresh_from_db()
    assert inbound.status == "rejected"
    assert inbound.outcome == "unknown_chat"
    assert chat.case.messages.count() == 1


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    host=st.from_regex(r"[a-z]{1,10}(\.[a-z]{1,8}){0,2}", fullmatch=True),
    scheme=st.sampled_from(["http", "https"]),
)
def test_a_wildcard_origin_admits_subdomains_only(host, scheme):
    from ombuds.intake.models import ChannelAccount

    account = ChannelAccount(settings={"allowed_origins": ["https://*.shop.example"]})
    origin = f"{scheme}://{host}"
    assert origin_allowed(account, origin) is False  # not under shop.example
    sub = f"{scheme}://{host}.shop.example"
    assert origin_allowed(account, sub) is (scheme == "https")
    assert origin_allowed(account, f"{scheme}://{host}shop.example") is False


def test_enable_chat_from_the_command_line(workspace):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command(
        "enable-chat", "--workspace", "resale", "--origin", "https://Shop.example", stdout=out
    )
    assert "https://shop.example" in out.getvalue()
    with pytest.raises(CommandError, match="not an origin"):
        call_command("enable-chat", "--workspace", "resale", "--origin", "ftp://x")
    with pytest.raises(CommandError, match="No workspace"):
        call_command("enable-chat", "--workspace", "nowhere")
