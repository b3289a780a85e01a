"""GET/POST /cases/{reference}/messages and GET /cases/{reference}/timeline."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ombuds.conversations.models import Attachment, Delivery, Message, MessageKind
from tests.api.client import assert_error


def test_a_reply_goes_to_the_customer_and_opens_the_case(agent_api, case):
    response = agent_api.post(
        f"/cases/{case.reference}/messages", {"kind": "reply", "body": "On it."}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["body"]) == ("outbound", "On it.")
    assert body["author"]["type"] == "user"
    assert body["author"]["email"] == "agent-api@resale.test"
    assert Delivery.objects.get(message_id=body["id"]).recipient == "bram@example.com"
    assert agent_api.get(f"/cases/{case.reference}").json()["status"] == "open"


def test_a_reply_can_set_the_status(agent_api, case):
    agent_api.post(
        f"/cases/{case.reference}/messages",
        {"kind": "reply", "body": "Which size?", "status": "pending_customer"},
    )
    assert agent_api.get(f"/cases/{case.reference}").json()["status"] == "pending_customer"


def test_a_note_is_kept_inside(agent_api, case):
    response = agent_api.post(
        f"/cases/{case.reference}/messages", {"kind": "note", "body": "Seller slow."}
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "note"
    assert not Delivery.objects.exists()


def test_get_lists_messages_with_authors_and_attachments(agent_api, case):
    agent_api.post(f"/cases/{case.reference}/messages", {"kind": "note", "body": "Checking."})
    messages = agent_api.get(f"/cases/{case.reference}/messages").json()
    assert [m["kind"] for m in messages] == ["inbound", "note"]
    assert messages[0]["author"] == {
        "type": "party",
        "name": "Bram Buyer",
        "email": "bram@example.com",
        "user_id": None,
        "party_external_id": "B-1",
    }
    assert messages[0]["attachments"] == []


def test_multipart_posts_a_reply_with_files(agent_api, case):
    receipt = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    response = agent_api.client.post(
        f"/api/v1/cases/{case.reference}/messages",
        {"kind": "reply", "body": "Your receipt.", "files": [receipt]},
        HTTP_AUTHORIZATION=f"Bearer {agent_api.token}",
    )
    assert response.status_code == 201, response.content
    attachment = response.json()["attachments"][0]
    assert {k: attachment[k] for k in ("filename", "content_type", "size")} == {
        "filename": "receipt.pdf",
        "content_type": "application/pdf",
        "size": 16,
    }
    listed = agent_api.get(f"/cases/{case.reference}/messages").json()
    assert listed[-1]["attachments"] == [attachment]


def test_a_refused_file_refuses_the_whole_message(agent_api, case):
    script = SimpleUploadedFile("invoice.html", b"<script>", content_type="text/html")
    response = agent_api.client.post(
        f"/api/v1/cases/{case.reference}/messages",
        {"kind": "reply", "body": "See attached.", "files": [script]},
        HTTP_AUTHORIZATION=f"Bearer {agent_api.token}",
    )
    assert_error(response, 415, "attachment_type_not_allowed")
    assert Message.objects.filter(kind=MessageKind.OUTBOUND).count() == 0
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"kind": "email", "body": "Hi"}, 422, "validation_error"),
        ({"kind": "reply", "body": "  "}, 422, "empty_message"),
        ({"kind": "reply", "body": "Hi", "status": "archived"}, 422, "validation_error"),
        ({"kind": "note", "body": "Hi", "status": "solved"}, 422, "status_with_note"),
        ({"kind": "reply"}, 422, "validation_error"),
    ],
)
def test_bad_messages_are_refused_without_a_write(agent_api, case, body, status, code):
    assert_error(agent_api.post(f"/cases/{case.reference}/messages", body), status, code)
    assert Message.objects.count() == 1  # the customer's first message


def test_a_closed_case_takes_no_reply(agent_api, case):
    agent_api.patch(f"/cases/{case.reference}", {"status": "closed"})
    response = agent_api.post(f"/cases/{case.reference}/messages", {"kind": "reply", "body": "Hi?"})
    assert_error(response, 409, "case_closed")


def test_read_only_may_read_messages_but_not_write(read_only_api, case):
    assert read_only_api.get(f"/cases/{case.reference}/messages").status_code == 200
    response = read_only_api.post(
        f"/cases/{case.reference}/messages", {"kind": "note", "body": "x"}
    )
    assert_error(response, 403, "forbidden")


def test_the_timeline_shows_who_changed_what(agent_api, case):
    agent_api.patch(f"/cases/{case.reference}", {"priority": "high"})
    events = agent_api.get(f"/cases/{case.reference}/timeline").json()
    assert [e["kind"] for e in events] == ["case.created", "priority.changed"]
    change = events[1]
    assert (change["before"], change["after"]) == ("normal", "high")
    assert change["actor"]["email"] == "agent-api@resale.test"
    assert events[0]["actor"]["type"] == "party"


@pytest.mark.parametrize(
    "method, path",
    [("GET", "messages"), ("POST", "messages"), ("GET", "timeline")],
)
def test_another_workspaces_case_is_not_found(other_api, case, method, path):
    response = other_api.send(
        method, f"/cases/{case.reference}/{path}", {"kind": "note", "body": "x"}
    )
    assert_error(response, 404, "case_not_found")
    assert Message.objects.count() == 1
