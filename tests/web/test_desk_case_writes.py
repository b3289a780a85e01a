"""Replies, notes and property changes from the case page: each makes the right timeline
events; refusals show an error with a 4xx status and write nothing."""

# The shared desk scenario's fixtures are imported by name; pytest injects them as arguments.

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ombuds.conversations.events import Actor
from ombuds.conversations.models import Attachment, Case, CaseEvent, Message, MessageKind
from ombuds.conversations.services import update_case
from tests import builders

HTMX = {"HX-Request": "true", "HX-Target": "timeline"}


def url(case, action: str = "") -> str:
    return f"/w/{case.workspace.slug}/cases/{case.reference}/" + (f"{action}/" if action else "")


def kinds_after(case, event_id: int) -> list[str]:
    return list(case.events.filter(pk__gt=event_id).order_by("pk").values_list("kind", flat=True))


def last_event_id() -> int:
    return CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_reply_opens_the_case_and_redirects_back(agent_client, ticket_case):
    mark = last_event_id()
    answer = agent_client.post(url(ticket_case, "reply"), {"body": "On it!", "status": ""})
    assert answer.status_code == 302
    assert answer["Location"] == url(ticket_case)
    message = Message.objects.get(case=ticket_case, kind=MessageKind.OUTBOUND)
    assert message.body_text == "On it!"
    assert kinds_after(ticket_case, mark) == ["message.replied", "status.changed"]
    page = agent_client.get(answer["Location"]).text
    assert "Reply sent." in page
    assert "On it!" in page
    assert "changed status from <strong>New</strong> to <strong>Open</strong>" in page


def test_reply_can_set_a_status_and_carry_files(agent_client, ticket_case):
    upload = SimpleUploadedFile("label.pdf", b"%PDF label", content_type="application/pdf")
    answer = agent_client.post(
        url(ticket_case, "reply"),
        {"body": "Here is the label.", "status": "pending_customer", "files": [upload]},
    )
    assert answer.status_code == 302
    ticket_case.refresh_from_db()
    assert ticket_case.status == "pending_customer"
    attachment = Attachment.objects.get(message__case=ticket_case, message__kind="outbound")
    assert attachment.filename == "label.pdf"
    assert f"/w/resale/attachments/{attachment.pk}/" in agent_client.get(url(ticket_case)).text


def test_a_refused_file_refuses_the_whole_reply(agent_client, ticket_case):
    mark = last_event_id()
    upload = SimpleUploadedFile("page.html", b"<script>x</script>", content_type="text/html")
    answer = agent_client.post(url(ticket_case, "reply"), {"body": "See file", "files": [upload]})
    assert answer.status_code == 415
    assert "Files like page.html cannot be attached." in answer.text
    assert "See file" in answer.text  # what the agent typed is kept
    assert not Message.objects.filter(case=ticket_case, kind=MessageKind.OUTBOUND).exists()
    assert kinds_after(ticket_case, mark) == []


def test_an_empty_reply_is_a_422_with_the_form_marked(agent_client, ticket_case):
    answer = agent_client.post(url(ticket_case, "reply"), {"body": "   "})
    assert answer.status_code == 422
    assert "The reply was not sent" in answer.text
    assert 'class="errorlist"' in answer.text


def test_internal_note_is_recorded_and_shown_as_a_note(agent_client, ticket_case):
    mark = last_event_id()
    answer = agent_client.post(url(ticket_case, "note"), {"body": "Call the seller."})
    assert answer.status_code == 302
    assert Message.objects.get(case=ticket_case, kind=MessageKind.NOTE).body_text == (
        "Call the seller."
    )
    assert kinds_after(ticket_case, mark) == ["note.added"]
    page = agent_client.get(url(ticket_case)).text
    assert 'class="msg msg--note"' in page
    assert "Call the seller." in page


def test_properties_change_one_event_per_field(agent_client, ticket_case, colleague, team):
    mark = last_event_id()
    answer = agent_client.post(
        url(ticket_case, "properties"),
        {
            "status": "open",
            "priority": "urgent",
            "assignee": str(colleague.pk),
            "team": str(team.pk),
            "tags": "transfer, Refund ,  vip",
        },
    )
    assert answer.status_code == 302
    assert kinds_after(ticket_case, mark) == [
        "status.changed",
        "priority.changed",
        "assignee.changed",
        "team.changed",
        "tags.changed",
    ]
    case = Case.objects.get(pk=ticket_case.pk)
    assert (case.status, case.priority, case.assignee, case.team) == (
        "open",
        "urgent",
        colleague,
        team,
    )
    assert sorted(case.tags.values_list("name", flat=True)) == ["refund", "transfer", "vip"]
    page = agent_client.get(url(ticket_case)).text
    assert "changed priority from <strong>Normal</strong> to <strong>Urgent</strong>" in page
    assert "assigned the case to <strong>Ben Backup</strong>" in page
    assert "moved the case to team <strong>Tickets</strong>" in page
    assert "added tags <strong>refund</strong>, <strong>vip</strong>" in page


def test_unassigning_and_clearing_the_team(agent_client, ticket_case, agent, team):
    update_case(case=ticket_case, actor=Actor(user=agent), assignee=agent, team=team)
    answer = agent_client.post(
        url(ticket_case, "properties"),
        {"status": "new", "priority": "normal", "assignee": "", "team": "", "tags": "transfer"},
    )
    assert answer.status_code == 302
    ticket_case.refresh_from_db()
    assert ticket_case.assignee is None
    assert ticket_case.team is None
    page = agent_client.get(url(ticket_case)).text
    assert "unassigned <strong>Anna Agent</strong>" in page
    assert "removed the case from team <strong>Tickets</strong>" in page


def test_invalid_transition_shows_the_error_and_writes_nothing(agent_client, agent, ticket_case):
    update_case(case=ticket_case, actor=Actor(user=agent), status="closed")
    mark = last_event_id()
    answer = agent_client.post(
        url(ticket_case, "properties"),
        {"status": "open", "priority": "urgent", "assignee": "", "team": "", "tags": "x"},
    )
    assert answer.status_code == 409
    assert "A case cannot go from Closed to Open." in answer.text
    ticket_case.refresh_from_db()
    assert (ticket_case.status, ticket_case.priority) == ("closed", "normal")
    assert kinds_after(ticket_case, mark) == []


def test_a_closed_case_takes_no_reply(agent_client, agent, ticket_case):
    update_case(case=ticket_case, actor=Actor(user=agent), status="closed")
    answer = agent_client.post(url(ticket_case, "reply"), {"body": "Hello?"})
    assert answer.status_code == 409
    assert "This case is closed; it takes no more replies." in answer.text
    assert not Message.objects.filter(case=ticket_case, kind=MessageKind.OUTBOUND).exists()


@pytest.mark.parametrize("role", ["read_only", "finance"])
@pytest.mark.parametrize("action", ["reply", "note", "properties"])
def test_roles_without_write_permission_are_refused(client, workspace, ticket_case, role, action):
    viewer = builders.member(workspace, f"{role}@resale.test", role=role)
    client.force_login(viewer)
    mark = last_event_id()
    answer = client.post(
        url(ticket_case, action),
        {"body": "x", "status": "open", "priority": "high", "assignee": "", "team": "", "tags": ""},
    )
    assert answer.status_code == 403
    assert "Your role can view cases but not change them." in answer.text
    assert kinds_after(ticket_case, mark) == []
    assert Message.objects.filter(case=ticket_case).count() == 1


def test_write_to_a_case_of_another_workspace_is_404(
    agent_client, workspace, other_workspace, agent
):
    stranger = builders.party(other_workspace, "X-1", name="X", email="x@example.com")
    foreign = builders.case(other_workspace, requester=stranger)
    for slug in ("resale", "other"):
        answer = agent_client.post(f"/w/{slug}/cases/{foreign.reference}/reply/", {"body": "hi"})
        assert answer.status_code == 404
    assert not Message.objects.filter(case=foreign, kind=MessageKind.OUTBOUND).exists()


def test_htmx_reply_swaps_the_timeline_and_refreshes_the_rest(agent_client, ticket_case):
    answer = agent_client.post(url(ticket_case, "reply"), {"body": "Quick answer"}, headers=HTMX)
    assert answer.status_code == 200
    text = answer.text
    assert text.lstrip().startswith('<ol id="timeline"')
    assert "Quick answer" in text
    fragments = (
        "case-summary",
        "properties-form",
        "reply-form",
        "note-form",
        "escalations",
        "tasks",
        "sla-clocks",
        "flash",
    )
    for fragment in fragments:
        assert f'id="{fragment}"' in text
    assert text.count('hx-swap-oob="true"') == len(fragments)
    assert "Reply sent." in text
    assert "badge--status-open" in text


def test_htmx_refusal_retargets_the_form_with_its_error(agent_client, agent, ticket_case):
    update_case(case=ticket_case, actor=Actor(user=agent), status="closed")
    answer = agent_client.post(
        url(ticket_case, "properties"),
        {"status": "open", "priority": "normal", "assignee": "", "team": "", "tags": ""},
        headers=HTMX,
    )
    assert answer.status_code == 409
    assert answer["HX-Retarget"] == "#properties-form"
    assert answer["HX-Reswap"] == "outerHTML"
    assert answer.text.lstrip().startswith('<form id="properties-form"')
    assert "A case cannot go from Closed to Open." in answer.text


def test_htmx_write_by_a_read_only_member_shows_the_refusal(client, workspace, ticket_case):
    viewer = builders.member(workspace, "ro@resale.test", role="read_only")
    client.force_login(viewer)
    answer = client.post(url(ticket_case, "note"), {"body": "x"}, headers=HTMX)
    assert answer.status_code == 403
    assert answer["HX-Retarget"] == "#flash"
    assert "Your role can view cases but not change them." in answer.text


def test_writes_only_accept_post(agent_client, ticket_case):
    assert agent_client.get(url(ticket_case, "reply")).status_code == 405
