"""The visitor's websocket: a chat becomes a case, each message is stored once, and bad
input gets an error frame, never a crash."""

from __future__ import annotations

import json

import pytest

from ombuds.conversations.models import Case, Message
from ombuds.intake.chat import limits
from ombuds.intake.chat.setup import enable_chat
from ombuds.intake.models import ChatSession, ChatStatus, InboundMessage
from tests import builders

from .talk import reply, run, start_chat, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_starts_a_chat_and_the_first_message_opens_a_case(application, chat_account):
    async def scenario():
        socket, welcome = await start_chat(application, language="nl-BE")
        assert welcome["type"] == "welcome"
        assert len(welcome["token"]) >= 40
        assert welcome["status"] == "waiting"
        assert welcome["transcript"] == []
        assert welcome["agents_available"] is False

        await socket.send_json_to(
            {"type": "message", "id": "m-0000000001", "text": "Waar blijven mijn tickets?"}
        )
        ack = await reply(socket)
        await socket.disconnect()
        return welcome, ack

    welcome, ack = run(scenario)

    assert ack["type"] == "ack"
    assert ack["id"] == "m-0000000001"
    assert ack["created"] is True
    assert ack["message"]["author"] == "visitor"
    assert ack["message"]["text"] == "Waar blijven mijn tickets?"
    session = ChatSession.objects.get(token=welcome["token"])
    assert session.language == "nl"
    case = Case.objects.get(pk=session.case_id)
    assert case.channel == "chat"
    assert case.requester_id == session.party_id
    assert case.subject == "Waar blijven mijn tickets?"
    assert [m.body_text for m in case.messages.all()] == ["Waar blijven mijn tickets?"]
    inbound = InboundMessage.objects.get()
    assert inbound.channel == "chat"
    assert inbound.external_id == f"chat:{session.pk}:m-0000000001"
    assert inbound.status == "processed"


def test_a_message_sent_again_after_a_reconnect_is_stored_once(application, chat_account):
    async def scenario():
        socket, welcome = await start_chat(application)
        frame = {"type": "message", "id": "resend-abcdef", "text": "Is anyone there?"}
        await socket.send_json_to(frame)
        first = await reply(socket)
        await socket.disconnect()

        # The connection dropped before the widget saw the ack: it reconnects with its
        # token and sends the same message, with the same id, again.
        again, rewelcome = await start_chat(application, token=welcome["token"])
        await again.send_json_to(frame)
        second = await reply(again)
        await again.disconnect()
        return first, rewelcome, second

    first, rewelcome, second = run(scenario)

    assert first["created"] is True
    assert second["type"] == "ack"
    assert second["created"] is False
    assert second["message"]["id"] == first["message"]["id"]
    assert [m["text"] for m in rewelcome["transcript"]] == ["Is anyone there?"]
    assert Message.objects.count() == 1
    assert InboundMessage.objects.count() == 1


def test_the_session_continues_across_page_loads(application, chat_account):
    async def scenario():
        socket, welcome = await start_chat(application)
        await socket.send_json_to({"type": "message", "id": "page-one-msg", "text": "Hello"})
        await reply(socket)
        await socket.send_json_to({"type": "message", "id": "page-one-two", "text": "Still here"})
        await reply(socket)
        await socket.disconnect()
        later, rewelcome = await start_chat(application, token=welcome["token"])
        await later.disconnect()
        return welcome, rewelcome

    welcome, rewelcome = run(scenario)

    assert rewelcome["token"] == welcome["token"]
    assert [m["text"] for m in rewelcome["transcript"]] == ["Hello", "Still here"]
    assert Case.objects.count() == 1
    assert ChatSession.objects.count() == 1


def test_bad_frames_get_error_frames_and_the_socket_stays_usable(application, chat_account):
    async def scenario():
        socket, connected = await visitor_socket(application)
        answers = []
        await socket.send_json_to({"type": "message", "id": "early-message", "text": "hi"})
        answers.append(await reply(socket))
        await socket.send_to(text_data="{not json")
        answers.append(await reply(socket))
        await socket.send_to(text_data=json.dumps(["a", "list"]))
        answers.append(await reply(socket))
        await socket.send_json_to({"type": "launch_missiles"})
        answers.append(await reply(socket))
        await socket.send_to(text_data="x" * (limits.MAX_FRAME_BYTES + 1))
        answers.append(await reply(socket))
        await socket.send_to(bytes_data=b"\x00\x01")
        answers.append(await reply(socket))
        await socket.send_json_to({"type": "hello", "token": None})
        answers.append(await reply(socket))
        await socket.send_json_to({"type": "message", "id": 42, "text": "an id that is no id"})
        answers.append(await reply(socket))
        await socket.send_json_to({"type": "message", "id": "no-text-here", "text": None})
        answers.append(await reply(socket))
        await socket.send_json_to({"type": "message", "id": "blank-text-1", "text": "   "})
        answers.append(await reply(socket))
        await socket.send_json_to({"type": "ping"})
        answers.append(await reply(socket))
        await socket.disconnect()
        return connected, answers

    connected, answers = run(scenario)

    assert connected
    assert [a.get("code", a["type"]) for a in answers] == [
        "hello_first",
        "bad_frame",
        "unknown_type",
        "unknown_type",
        "frame_too_large",
        "bad_frame",
        "welcome",
        "invalid_message_id",
        "empty_message",
        "empty_message",
        "pong",
    ]
    assert all(a["type"] == "error" for a in answers if "code" in a)
    assert Message.objects.count() == 0


def test_limits_on_size_and_pace(application, chat_account):
    async def scenario():
        socket, _ = await start_chat(application)
        await socket.send_json_to(
            {"type": "message", "id": "too-long-msg", "text": "x" * (limits.MAX_MESSAGE_CHARS + 1)}
        )
        too_long = await reply(socket)
        answers = []
        budget = limits.MESSAGES_PER_SESSION[0]
        for n in range(budget + 1):
            await socket.send_json_to({"type": "message", "id": f"pace-{n:08d}", "text": f"#{n}"})
            answers.append(await reply(socket))
        # A resend of a stored message is no new message: it does not count.
        await socket.send_json_to({"type": "message", "id": "pace-00000000", "text": "#0"})
        resent = await reply(socket)
        await socket.disconnect()
        return too_long, answers, resent

    too_long, answers, resent = run(scenario)

    assert too_long["code"] == "message_too_long"
    assert too_long["id"] == "too-long-msg"
    assert [a["type"] for a in answers[:-1]] == ["ack"] * limits.MESSAGES_PER_SESSION[0]
    assert answers[-1]["code"] == "rate_limited"
    assert resent["type"] == "ack"
    assert resent["created"] is False
    assert Message.objects.count() == limits.MESSAGES_PER_SESSION[0]


def test_a_wrong_token_or_another_workspaces_token_is_refused(
    application, chat_account, other_workspace
):
    enable_chat(workspace=other_workspace, allowed_origins=["https://shop.example"])

    async def scenario():
        _, theirs = await start_chat(application, slug="other")
        socket, _ = await visitor_socket(application)
        await socket.send_json_to({"type": "hello", "token": theirs["token"]})
        foreign = await reply(socket)
        await socket.send_json_to({"type": "hello", "token": "guessed-" + "a" * 35})
        guessed = await reply(socket)
        await socket.send_json_to({"type": "message", "id": "after-refusal", "text": "hi"})
        not_started = await reply(socket)
        await socket.disconnect()
        return foreign, guessed, not_started

    foreign, guessed, not_started = run(scenario)

    assert foreign == {"type": "error", "code": "unknown_chat", "message": "Start a new chat."}
    assert guessed["code"] == "unknown_chat"
    assert not_started["code"] == "hello_first"
    assert ChatSession.objects.filter(workspace__slug="resale").count() == 0


def test_only_the_workspaces_sites_may_open_a_chat(application, chat_account, workspace):
    async def scenario():
        results = {}
        for origin in (
            "https://shop.example",
            "https://evil.example",
            "https://shop.example.evil.example",
            "http://shop.example",
            "null",
            "",
            "http://desk.test",  # the desk's own pages (its demo shop, the help center)
        ):
            socket, connected = await visitor_socket(application, origin=origin)
            results[origin] = connected
            if connected:
                await socket.disconnect()
        return results

    assert run(scenario) == {
        "https://shop.example": True,
        "https://evil.example": False,
        "https://shop.example.evil.example": False,
        "http://shop.example": False,
        "null": False,
        "": False,
        "http://desk.test": True,
    }


def test_a_workspace_without_chat_refuses_every_socket(application, workspace):
    async def scenario():
        _, connected = await visitor_socket(application)
        _, unknown = await visitor_socket(application, slug="nowhere")
        return connected, unknown

    assert run(scenario) == (False, False)


def test_a_chat_the_visitor_ended_stays_ended(application, chat_account):
    async def scenario():
        socket, welcome = await start_chat(application)
        await socket.send_json_to({"type": "message", "id": "before-the-end", "text": "Thanks!"})
        await reply(socket)
        await socket.send_json_to({"type": "end"})
        ended = await reply(socket)
        closed = await socket.receive_output()
        again, refused = await start_chat(application, token=welcome["token"])
        await again.send_json_to({"type": "hello", "token": None})
        fresh = await reply(again)
        await again.disconnect()
        return welcome, ended, closed, refused, fresh

    welcome, ended, closed, refused, fresh = run(scenario)

    assert ended["type"] == "ended"
    assert closed["type"] == "websocket.close"
    assert refused["type"] == "ended"
    assert fresh["type"] == "welcome"
    assert fresh["token"] != welcome["token"]
    session = ChatSession.objects.get(token=welcome["token"])
    assert session.status == ChatStatus.ENDED
    assert session.ended_at is not None
    case = Case.objects.get(pk=session.case_id)
    assert [m.body_text for m in case.messages.all()] == ["Thanks!"]  # the transcript stays
    assert case.events.filter(kind="chat.ended", data__reason="visitor").exists()


def test_sessions_per_address_are_limited(application, chat_account):
    async def scenario():
        answers = []
        socket, _ = await visitor_socket(application)
        for _n in range(limits.SESSIONS_PER_ADDRESS[0] + 1):
            await socket.send_json_to({"type": "hello", "token": None})
            answers.append(await reply(socket))
            if answers[-1]["type"] == "welcome":
                await socket.disconnect()
                socket, _ = await visitor_socket(application)
        await socket.disconnect()
        return answers

    answers = run(scenario)
    assert [a["type"] for a in answers[:-1]] == ["welcome"] * limits.SESSIONS_PER_ADDRESS[0]
    assert answers[-1]["code"] == "rate_limited"


def test_an_existing_customer_keeps_their_own_case_history(application, chat_account, buyer):
    """A chat visitor is a new prospect until they leave an address: their chat does not
    slip into someone else's case."""
    builders.case(chat_account.workspace, requester=buyer, channel="chat")

    async def scenario():
        socket, _ = await start_chat(application)
        await socket.send_json_to({"type": "message", "id": "newcomer-msg", "text": "Hi there"})
        ack = await reply(socket)
        await socket.disconnect()
        return ack

    ack = run(scenario)
    message = Message.objects.get(pk=ack["message"]["id"])
    assert message.case.requester_id != buyer.pk
    assert Case.objects.count() == 2
