"""What the case page shows: the case, its people, the order behind it, the merged
timeline, attachments, and the requester's and seller's other cases."""

# The shared desk scenario's fixtures are imported by name; pytest injects them as arguments.

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ombuds.conversations import events
from ombuds.conversations.attachments import IncomingFile
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Attachment
from ombuds.conversations.services import add_internal_note, update_case
from tests import builders


def url(case) -> str:
    return f"/w/{case.workspace.slug}/cases/{case.reference}/"


def test_header_and_requester(agent_client, ticket_case, buyer):
    buyer.is_vip = True
    buyer.phone = "+31612345678"
    buyer.save()
    page = agent_client.get(url(ticket_case))
    assert page.status_code == 200
    text = page.text
    for expected in (
        "Tickets not transferred yet",
        ticket_case.reference,
        "badge--status-new",
        "badge--priority-normal",
        "Web form",
        "Bram Buyer",
        'href="mailto:bram@example.com"',
        "+31612345678",
        "badge--vip",
    ):
        assert expected in text, expected


def test_participants_are_the_seller_and_the_hotel(agent_client, ticket_case):
    text = agent_client.get(url(ticket_case)).text
    assert "Sam Seller" in text
    assert "sam@tickets.example" in text
    assert "Hotel Aurora" in text
    assert "desk@aurora.example" in text


def test_order_panel_shows_money_bookings_shipments_and_events(
    agent_client, ticket_case, order_event
):
    text = agent_client.get(url(ticket_case)).text
    for expected in (
        "ORD-7731",
        "Event ticket",
        "€249.50",  # total, and the captured amount
        "Coldplay — Amsterdam ArenA, row 12",
        "€99.75",
        "badge--payment-partially-refunded",
        "€50.00",  # refunded
        "Coldplay — Music of the Spheres",
        "badge--transfer-pending",
        "Transfer pending",
        "Transfer due",
        "badge--transfer-failed",
        "Transfer failed",
        "PostNL",
        'href="https://tracking.example/3SPOST123456"',
        "badge--shipment-delayed",
        "Delayed",
        "Promised",
        "shipment.delayed",
    ):
        assert expected in text, expected


def test_a_tracking_link_that_is_not_http_is_not_a_link(agent_client, ticket_case, ticket_order):
    ticket_order.shipments.update(tracking_url="javascript:alert(1)")
    text = agent_client.get(url(ticket_case)).text
    assert "javascript:" not in text
    assert "3SPOST123456" in text


def test_timeline_merges_messages_and_event_sentences(
    agent_client, workspace, agent, ticket_case, order_event
):
    add_internal_note(case=ticket_case, author=agent, body="Seller is slow this week.")
    update_case(case=ticket_case, actor=Actor(user=agent), status="open")
    events.record(
        ticket_case,
        "delivery.failed",
        Actor.system("outbox"),
        data={"recipient": "bram@example.com", "error": "550 mailbox unavailable"},
    )
    text = agent_client.get(url(ticket_case)).text
    assert "The concert is next month and I still have no tickets." in text
    assert "<strong>Bram Buyer</strong> created the case via <strong>Web form</strong>" in text
    assert "Order event: <strong>shipment.delayed</strong>" in text
    assert "reason: sorting centre" in text
    assert 'class="msg msg--note"' in text
    assert "Seller is slow this week." in text
    assert (
        "<strong>Anna Agent</strong> changed status from <strong>New</strong> to "
        "<strong>Open</strong>"
    ) in text
    assert "Delivery to <strong>bram@example.com</strong> failed" in text
    assert "550 mailbox unavailable" in text
    # Oldest first: the customer's words before the agent's note.
    assert text.index("The concert is next month") < text.index("Seller is slow this week.")


def test_other_cases_of_the_requester_and_of_the_seller(
    agent_client, workspace, buyer, seller, ticket_case
):
    earlier = builders.case(workspace, requester=buyer, subject="Earlier invoice question")
    someone = builders.party(workspace, "B-9", name="Other Buyer", email="other@example.com")
    their_order = builders.order(workspace, "ORD-9", buyer=someone, seller=seller)
    dispute = builders.case(
        workspace, requester=someone, order=their_order, subject="Seller never sent it"
    )
    text = agent_client.get(url(ticket_case)).text
    requester_part = text[text.index("Other cases of the requester") :]
    seller_part = text[text.index("Other cases of the seller") :]
    assert earlier.reference in requester_part
    assert "Earlier invoice question" in requester_part
    assert dispute.reference in seller_part
    assert "Seller never sent it" in seller_part


def test_a_case_without_order_says_so(agent_client, workspace, buyer):
    case = builders.case(workspace, requester=buyer)
    assert "No order is linked to this case." in agent_client.get(url(case)).text


@pytest.fixture
def attachment(workspace, agent, ticket_case):
    note = add_internal_note(
        case=ticket_case,
        author=agent,
        body="Screenshot from the seller.",
        files=[IncomingFile("proof.pdf", "application/pdf", b"%PDF-1.4 proof")],
    )
    return Attachment.objects.get(message=note)


def test_attachments_download_as_files(agent_client, ticket_case, attachment):
    page = agent_client.get(url(ticket_case)).text
    link = f"/w/resale/attachments/{attachment.pk}/"
    assert f'href="{link}"' in page
    assert "proof.pdf" in page
    answer = agent_client.get(link)
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment;")
    assert 'filename="proof.pdf"' in answer["Content-Disposition"]
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Type"] == "application/octet-stream"
    assert b"".join(answer.streaming_content) == b"%PDF-1.4 proof"


def test_other_workspaces_cases_and_files_do_not_exist_here(
    client, workspace, other_workspace, agent, attachment
):
    stranger = builders.party(other_workspace, "X-1", name="X", email="x@example.com")
    foreign_case = builders.case(other_workspace, requester=stranger)
    foreign_note = add_internal_note(
        case=foreign_case,
        author=agent,
        body="elsewhere",
        files=[IncomingFile("secret.pdf", "application/pdf", b"secret")],
    )
    foreign_file = Attachment.objects.get(message=foreign_note)

    client.force_login(agent)
    # Through this workspace's URLs: the other tenant's rows are not found.
    assert client.get(f"/w/resale/cases/{foreign_case.reference}/").status_code == 404
    assert client.get(f"/w/resale/attachments/{foreign_file.pk}/").status_code == 404
    # Through the other workspace's URLs: not a member, so the workspace is not there.
    assert client.get(f"/w/other/cases/{foreign_case.reference}/").status_code == 404
    assert client.get(f"/w/other/attachments/{foreign_file.pk}/").status_code == 404
    assert client.get("/w/resale/cases/RES-999/").status_code == 404


def test_read_only_members_see_no_write_controls(client, workspace, ticket_case):
    viewer = builders.member(workspace, "viewer@resale.test", role="read_only", name="Vera")
    client.force_login(viewer)
    text = client.get(url(ticket_case)).text
    assert "Tickets not transferred yet" in text
    assert 'id="reply-form"' not in text
    assert 'id="note-form"' not in text
    assert "Update case" not in text
    assert "/properties/" not in text
    assert "Your role can view this case but not reply or change it." in text


def _case_page_queries(client, case) -> int:
    client.get(url(case))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url(case)).status_code == 200
    return len(captured.captured_queries)


def test_case_page_queries_do_not_grow_with_the_conversation(
    agent_client, workspace, agent, buyer, ticket_case, order_event
):
    def talk(times):
        for i in range(times):
            add_internal_note(
                case=ticket_case,
                author=agent,
                body=f"Note {i}",
                files=[IncomingFile(f"n{i}.pdf", "application/pdf", b"%PDF" + bytes([i]))],
            )
            update_case(case=ticket_case, actor=Actor(user=agent), priority=["high", "low"][i % 2])
            builders.case(workspace, requester=buyer, subject=f"Earlier {i}")

    talk(2)
    few = _case_page_queries(agent_client, ticket_case)
    talk(10)
    assert _case_page_queries(agent_client, ticket_case) == few
