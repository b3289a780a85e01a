"""A visitor and an agent in one chat: messages live both ways, typing, read marks, and the
email lane once nobody (or the visitor) is there any more."""

from __future__ import annotations

import pytest
from django.core import mail

from ombuds.conversations.models import Case, Delivery
from ombuds.conversations.services import add_internal_note, reply_to_customer
from ombuds.conversations.tasks import drain_outbox
from ombuds.intake.models import ChatConnection, ChatSession, ChatStatus
from ombuds.marketplace.models import IdentityKind, PartyIdentity
from tests import builders

from .talk import db, desk_socket, drain, receive_until, reply, run, session_cookie, start_chat

pytestmark = pytest.mark.django_db(transaction=True)


def _case_of(token: str) -> Case:
    return Case.objects.get(pk=ChatSession.objects.get(token=token).case_id)


def test_agent_and_visitor_talk_live_with_typing_and_read_marks(
    application, chat_account, agent, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cookie = session_cookie(agent)

    async def scenario():
        desk, connected = await desk_socket(application, cookie)
        assert connected
        hello = await desk.receive_json_from()
        visitor, welcome = await start_chat(application)
        assert welcome["agents_available"] is True

        await visitor.send_json_to({"type": "message", "id": "live-000001", "text": "Hello?"})
        ack = await reply(visitor)
        assert ack["agents_available"] is True
        # The desk page hears of the new chat waiting…
        listed = await receive_until(desk, "chats")
        case = await db(_case_of)(welcome["token"])

        # …and the case page of the chat watches it.
        await desk.send_json_to({"type": "watch", "case": case.reference})
        watching = await receive_until(desk, "watching")

        await visitor.send_json_to({"type": "typing", "typing": True})
        visitor_typing = await receive_until(desk, "typing")
        await visitor.send_json_to({"type": "message", "id": "live-000002", "text": "My order?"})
        visitor_message = await receive_until(desk, "message")

        await desk.send_json_to(
            {"type": "read", "case": case.reference, "until": ack["message"]["id"]}
        )
        agent_read = await receive_until(visitor, "read")

        await desk.send_json_to({"type": "typing", "case": case.reference, "typing": True})
        agent_typing = await receive_until(visitor, "typing")

        # The agent answers from the case page (the service the reply form calls).
        await db(reply_to_customer)(case=case, author=agent, body="Let me look at it for you.")
        pushed = await receive_until(visitor, "message")
        echoed = await receive_until(desk, "message")

        await visitor.send_json_to({"type": "read", "until": pushed["message"]["id"]})
        visitor_read = await receive_until(desk, "read")

        await visitor.disconnect()
        gone = await receive_until(desk, "presence")
        await desk.disconnect()
        return locals()

    seen = run(scenario)

    assert seen["hello"]["type"] == "hello"
    assert seen["listed"]["waiting"] == 1
    assert seen["watching"]["online"] is True
    assert seen["visitor_typing"]["typing"] is True
    assert seen["visitor_message"]["author"] == "visitor"
    assert seen["agent_read"]["at"] is not None
    assert seen["agent_typing"] == {"type": "typing", "name": "Anna Agent", "typing": True}
    assert seen["pushed"]["message"]["author"] == "agent"
    assert seen["pushed"]["message"]["name"] == "Anna Agent"
    assert seen["pushed"]["message"]["text"] == "Let me look at it for you."
    assert seen["echoed"]["author"] == "agent"
    assert seen["visitor_read"]["who"] == "visitor"
    assert seen["gone"]["online"] is False

    session = ChatSession.objects.get(token=seen["welcome"]["token"])
    assert session.status == ChatStatus.ACTIVE
    case = Case.objects.get(pk=session.case_id)
    reply_message = case.messages.get(kind="outbound")
    assert session.visitor_last_read_at == reply_message.created_at
    assert session.agent_last_read_at is not None
    # Live: no delivery, no email.
    assert not Delivery.objects.filter(message=reply_message).exists()
    assert mail.outbox == []
    assert [m.body_text for m in case.messages.order_by("created_at", "pk")] == [
        "Hello?",
        "My order?",
        "Let me look at it for you.",
    ]
    assert not ChatConnection.objects.exists()  # both sockets left


def test_internal_notes_never_reach_the_visitor(application, chat_account, agent):
    async def scenario():
        visitor, welcome = await start_chat(application)
        await visitor.send_json_to({"type": "message", "id": "note-test-01", "text": "Hi"})
        await reply(visitor)
        await drain(visitor)
        case = await db(_case_of)(welcome["token"])
        await db(add_internal_note)(case=case, author=agent, body="Looks like a scammer.")
        heard = await visitor.receive_nothing(timeout=0.5)
        await visitor.disconnect()
        again, rewelcome = await start_chat(application, token=welcome["token"])
        await again.disconnect()
        return heard, rewelcome

    heard, rewelcome = run(scenario)
    assert heard is True
    assert [m["text"] for m in rewelcome["transcript"]] == ["Hi"]


def test_with_nobody_available_the_chat_goes_on_by_email(
    application, chat_account, agent, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    async def scenario():
        visitor, welcome = await start_chat(application)
        assert welcome["agents_available"] is False
        await visitor.send_json_to({"type": "message", "id": "offline-0001", "text": "Anyone?"})
        ack = await reply(visitor)
        await visitor.send_json_to({"type": "email", "email": "not-an-address", "name": "Vera"})
        refused = await reply(visitor)
        await visitor.send_json_to(
            {"type": "email", "email": "Vera@Example.com", "name": "Vera Visitor"}
        )
        offline = await reply(visitor)
        await visitor.disconnect()
        return welcome, ack, refused, offline

    welcome, ack, refused, offline = run(scenario)

    assert ack["agents_available"] is False
    assert refused["code"] == "invalid_email"
    assert offline == {"type": "offline", "email": "vera@example.com", "name": "Vera Visitor"}
    session = ChatSession.objects.get(token=welcome["token"])
    assert session.status == ChatStatus.OFFLINE
    case = Case.objects.get(pk=session.case_id)
    # The chat's party is now reachable at the address (it was nobody else's).
    assert case.requester.email == "vera@example.com"
    assert PartyIdentity.objects.get(
        kind=IdentityKind.EMAIL, value="vera@example.com"
    ).party_id == (case.requester_id)
    assert case.events.filter(kind="chat.offline").exists()

    # An agent comes in later and answers: it goes by email, through the outbox.
    answer = reply_to_customer(case=case, author=agent, body="Sorry for the wait: it is sent.")
    delivery = Delivery.objects.get(message=answer)
    assert (delivery.channel, delivery.recipient) == ("email", "vera@example.com")
    drain_outbox()
    assert [m.to for m in mail.outbox] == [["vera@example.com"]]
    assert "Sorry for the wait" in mail.outbox[0].body
    assert mail.outbox[0].subject.endswith(f"[{case.reference}]")


def test_an_address_someone_else_uses_is_not_taken_over(application, chat_account, buyer, agent):
    async def scenario():
        visitor, welcome = await start_chat(application)
        await visitor.send_json_to({"type": "message", "id": "taken-mail-1", "text": "Hello"})
        await reply(visitor)
        await visitor.send_json_to({"type": "email", "email": buyer.email, "name": "Bram?"})
        await reply(visitor)
        await visitor.disconnect()
        return welcome

    welcome = run(scenario)
    case = _case_of(welcome["token"])
    assert case.requester_id != buyer.pk
    assert case.requester.email == ""
    assert (
        PartyIdentity.objects.get(kind=IdentityKind.EMAIL, value=buyer.email).party_id == buyer.pk
    )
    # The reply still reaches the address the visitor gave.
    answer = reply_to_customer(case=case, author=agent, body="We will mail you.")
    assert Delivery.objects.get(message=answer).recipient == buyer.email


def test_a_reply_while_the_visitor_is_away_without_an_address_waits_in_the_transcript(
    application, chat_account, agent
):
    async def scenario():
        visitor, welcome = await start_chat(application)
        await visitor.send_json_to({"type": "message", "id": "away-000001", "text": "Brb"})
        await reply(visitor)
        await visitor.disconnect()
        case = await db(_case_of)(welcome["token"])
        await db(reply_to_customer)(case=case, author=agent, body="Here when you are back.")
        back, rewelcome = await start_chat(application, token=welcome["token"])
        await back.disconnect()
        return rewelcome

    rewelcome = run(scenario)
    assert [(m["author"], m["text"]) for m in rewelcome["transcript"]] == [
        ("visitor", "Brb"),
        ("agent", "Here when you are back."),
    ]
    assert not Delivery.objects.exists()


def test_the_desk_socket_is_for_signed_in_members_of_the_workspace_on_the_desk(
    application, chat_account, agent, other_workspace
):
    stranger = builders.member(other_workspace, "olga@other.test", name="Olga Other")
    cookies = {"member": session_cookie(agent), "stranger": session_cookie(stranger)}

    async def scenario():
        results = {}
        for label, cookie, origin in (
            ("member", cookies["member"], None),
            ("anonymous", None, None),
            ("stranger", cookies["stranger"], None),
            ("member from another site", cookies["member"], "https://evil.example"),
        ):
            socket, connected = await desk_socket(application, cookie, origin=origin)
            results[label] = connected
            if connected:
                await socket.disconnect()
        stranger_home, at_home = await desk_socket(application, cookies["stranger"], slug="other")
        results["stranger at home"] = at_home
        if at_home:
            await stranger_home.disconnect()
        return results

    assert run(scenario) == {
        "member": True,
        "anonymous": False,
        "stranger": False,
        "member from another site": False,
        "stranger at home": True,
    }


def test_an_agent_cannot_watch_a_case_of_another_workspace(
    application, chat_account, agent, other_workspace
):
    from ombuds.intake.chat.setup import enable_chat

    enable_chat(workspace=other_workspace, allowed_origins=["https://shop.example"])
    cookie = session_cookie(agent)

    async def scenario():
        visitor, welcome = await start_chat(application, slug="other")
        await visitor.send_json_to({"type": "message", "id": "elsewhere-01", "text": "Hi"})
        await reply(visitor)
        await drain(visitor)
        case = await db(_case_of)(welcome["token"])
        desk, _ = await desk_socket(application, cookie)
        await desk.receive_json_from()
        await desk.send_json_to({"type": "watch", "case": case.reference})
        refused = await receive_until(desk, "error")
        await desk.send_json_to({"type": "typing", "case": case.reference, "typing": True})
        not_watching = await receive_until(desk, "error")
        heard = await visitor.receive_nothing(timeout=0.3)
        await desk.disconnect()
        await visitor.disconnect()
        return refused, not_watching, heard

    refused, not_watching, heard = run(scenario)
    assert refused["code"] == "unknown_case"
    assert not_watching["code"] == "not_watching"
    assert heard is True


def test_a_read_only_member_watches_but_neither_types_nor_counts_as_available(
    application, chat_account, workspace
):
    viewer = builders.member(workspace, "vic@resale.test", role="read_only", name="Vic Viewer")
    cookie = session_cookie(viewer)

    async def scenario():
        desk, connected = await desk_socket(application, cookie)
        hello = await desk.receive_json_from()
        visitor, welcome = await start_chat(application)
        await visitor.send_json_to({"type": "message", "id": "viewer-test1", "text": "Hi"})
        ack = await reply(visitor)
        case = await db(_case_of)(welcome["token"])
        await desk.send_json_to({"type": "watch", "case": case.reference})
        await receive_until(desk, "watching")
        await desk.send_json_to({"type": "typing", "case": case.reference, "typing": True})
        refused = await receive_until(desk, "error")
        await desk.disconnect()
        await visitor.disconnect()
        return connected, hello, welcome, ack, refused

    connected, hello, welcome, ack, refused = run(scenario)
    assert connected and hello["can_write"] is False
    assert welcome["agents_available"] is False
    assert ack["agents_available"] is False
    assert refused["code"] == "forbidden"
