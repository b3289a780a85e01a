"""The automation pages and what automation adds to the case page."""

# The shared desk scenario's fixtures are imported by name; pytest injects them as arguments.

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ombuds.automation.coordination import create_task
from ombuds.automation.defaults import install_defaults
from ombuds.automation.macros.services import create_macro, edit_macro, reply_with_macro
from ombuds.automation.models import (
    CoordinationTask,
    Macro,
    MacroUse,
    Notification,
    TimeRule,
    Trigger,
)
from ombuds.automation.notifications import notify
from ombuds.automation.rules.services import create_trigger
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, Message, MessageKind
from ombuds.core.models import WebhookDelivery, WebhookEndpoint
from tests import builders

HTMX = {"HX-Request": "true"}


@pytest.fixture
def supervisor_client(client, workspace):
    sue = builders.member(workspace, "sue@resale.test", role="supervisor", name="Sue")
    client.force_login(sue)
    return client


@pytest.fixture
def macro(workspace):
    return create_macro(
        workspace=workspace,
        name="Delay apology",
        texts={
            "en": (
                "Sorry {{ buyer_first_name }}, {{ order_number }} is late. {{ transfer_deadline }}"
            ),
            "nl": "Sorry {{ buyer_first_name }}, {{ order_number }} is laat.",
        },
    )


def page(slug="resale", *parts) -> str:
    return "/" + "/".join(["w", slug, *parts]) + "/"


def test_everyone_sees_the_rules_but_only_supervisors_change_them(agent_client, workspace):
    install_defaults(workspace)
    text = agent_client.get(page("resale", "automation")).text
    assert "Escalation: legal threat" in text
    assert "Escalations" in text
    assert "shipment.delayed" in text
    assert "New trigger" not in text
    assert agent_client.get(page("resale", "automation", "triggers", "new")).status_code == 403
    answer = agent_client.post(page("resale", "automation", "install"))
    assert answer.status_code == 403


def test_a_supervisor_builds_a_trigger_from_rows(supervisor_client, workspace):
    answer = supervisor_client.post(
        page("resale", "automation", "triggers", "new"),
        {
            "name": "Dutch to NL team",
            "events": ["case.created"],
            "is_active": "on",
            "cond-0-field": "case.language",
            "cond-0-op": "is",
            "cond-0-value": "nl",
            "cond-1-field": "",
            "cond-1-op": "",
            "cond-1-value": "",
            "act-0-type": "set_team",
            "act-0-value": "NL",
            "act-0-text": "",
            "act-1-type": "",
            "act-1-value": "",
            "act-1-text": "",
        },
    )
    assert answer.status_code == 302
    trigger = Trigger.objects.get(name="Dutch to NL team")
    assert trigger.conditions == [{"field": "case.language", "op": "is", "value": "nl"}]
    assert trigger.actions == [{"type": "set_team", "value": "NL", "text": ""}]
    edit = supervisor_client.get(page("resale", "automation", "triggers", str(trigger.pk))).text
    assert 'value="nl"' in edit


def test_a_bad_row_is_named_and_the_form_kept(supervisor_client, workspace):
    answer = supervisor_client.post(
        page("resale", "automation", "triggers", "new"),
        {
            "name": "Broken",
            "events": ["case.created"],
            "cond-0-field": "case.status",
            "cond-0-op": "is",
            "cond-0-value": "nonsense",
            "act-0-type": "raise_priority",
            "act-0-value": "",
            "act-0-text": "",
        },
    )
    assert answer.status_code == 422
    assert "Row 1:" in answer.text
    assert 'value="nonsense"' in answer.text
    assert not Trigger.objects.exists()


def test_a_supervisor_adds_a_time_rule(supervisor_client, workspace, macro):
    answer = supervisor_client.post(
        page("resale", "automation", "time-rules", "new"),
        {
            "name": "Nudge",
            "status": "pending_customer",
            "hours": "48",
            "is_active": "on",
            "act-0-type": "reply_macro",
            "act-0-value": str(macro.pk),
            "act-0-text": "",
        },
    )
    assert answer.status_code == 302
    rule = TimeRule.objects.get()
    assert (rule.hours, rule.actions[0]["value"]) == (48, str(macro.pk))
    assert "Nudge" in supervisor_client.get(page("resale", "automation")).text


def test_the_rules_page_costs_the_same_for_many_rules(supervisor_client, workspace):
    def make(n, start):
        for i in range(start, start + n):
            create_trigger(
                workspace=workspace,
                name=f"Rule {i}",
                events=["case.created"],
                conditions=[{"field": "case.language", "op": "is", "value": "nl"}],
                actions=[{"type": "add_tags", "value": f"t{i}"}],
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert supervisor_client.get(page("resale", "automation")).status_code == 200
        return len(captured.captured_queries)

    make(2, 0)
    queries()  # the first request of a session writes it
    few = queries()
    make(20, 2)
    assert queries() == few


def test_macros_list_with_versions_and_usage(agent_client, workspace, agent, ticket_case, macro):
    reply_with_macro(case=ticket_case, version=macro.current, author=agent)
    edit_macro(macro=macro, texts={"en": "New words {{ buyer_name }}"}, by=agent)
    listing = agent_client.get(page("resale", "macros")).text
    assert "Delay apology" in listing
    detail = agent_client.get(page("resale", "macros", str(macro.pk))).text
    assert "Version 2" in detail and "Version 1" in detail
    assert "Used once." in detail
    assert "New words" in detail and "is late" in detail


def test_the_macro_list_costs_the_same_for_many_macros(agent_client, workspace):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert agent_client.get(page("resale", "macros")).status_code == 200
        return len(captured.captured_queries)

    create_macro(workspace=workspace, name="M0", texts={"en": "a", "nl": "b"})
    queries()  # the first request of a session writes it
    few = queries()
    for i in range(1, 15):
        create_macro(workspace=workspace, name=f"M{i}", texts={"en": "a", "nl": "b"})
    assert queries() == few


def test_a_supervisor_writes_a_macro_in_two_languages(supervisor_client, workspace):
    answer = supervisor_client.post(
        page("resale", "macros", "new"),
        {
            "name": "Thanks",
            "text_en": "Thanks {{ buyer_name }}",
            "text_nl": "Bedankt {{ buyer_name }}",
        },
    )
    assert answer.status_code == 302
    macro = Macro.objects.get(name="Thanks")
    assert {t.language for t in macro.current.texts.all()} == {"en", "nl"}
    refused = supervisor_client.post(
        page("resale", "macros", str(macro.pk), "edit"),
        {"name": "Thanks", "text_en": "Hi {{ password }}", "is_active": "on"},
    )
    assert refused.status_code == 422
    assert macro.versions.count() == 1


def test_the_reply_box_previews_and_inserts_a_macro(agent_client, workspace, ticket_case, macro):
    case_page = agent_client.get(page("resale", "cases", ticket_case.reference)).text
    assert "Delay apology" in case_page and 'id="macro-choice"' in case_page
    preview = agent_client.get(
        page("resale", "cases", ticket_case.reference, "macro"), {"macro": macro.pk}, headers=HTMX
    ).text
    assert "Sorry Bram, ORD-7731 is late." in preview
    inserted = agent_client.get(
        page("resale", "cases", ticket_case.reference, "macro"),
        {"macro": macro.pk, "insert": "1"},
        headers=HTMX,
    ).text
    assert inserted.lstrip().startswith('<textarea id="reply-body"')
    assert f'name="macro_version" value="{macro.current.pk}"' in inserted

    sent = agent_client.post(
        page("resale", "cases", ticket_case.reference, "reply"),
        {"body": "Sorry Bram, ORD-7731 is late. (edited)", "macro_version": macro.current.pk},
    )
    assert sent.status_code == 302
    use = MacroUse.objects.get()
    assert use.version == macro.current
    assert use.message.body_text.endswith("(edited)")


def test_without_script_insert_fills_the_reply_box(agent_client, ticket_case, macro):
    text = agent_client.get(
        page("resale", "cases", ticket_case.reference, "macro"), {"macro": macro.pk, "insert": "1"}
    ).text
    assert "Sorry Bram, ORD-7731 is late." in text
    assert 'id="reply-form"' in text


def test_a_foreign_macro_cannot_be_previewed_or_sent(agent_client, other_workspace, ticket_case):
    foreign = create_macro(workspace=other_workspace, name="Theirs", texts={"en": "secret"})
    preview = agent_client.get(
        page("resale", "cases", ticket_case.reference, "macro"), {"macro": foreign.pk}, headers=HTMX
    ).text
    assert "secret" not in preview
    answer = agent_client.post(
        page("resale", "cases", ticket_case.reference, "reply"),
        {"body": "x", "macro_version": foreign.current.pk},
    )
    assert answer.status_code == 404
    assert not Message.objects.filter(kind=MessageKind.OUTBOUND).exists()


def test_the_case_page_shows_why_a_case_was_escalated(agent_client, workspace, buyer):
    install_defaults(workspace)
    case = builders.case(workspace, requester=buyer, body="I will go to my lawyer")
    text = agent_client.get(page("resale", "cases", case.reference)).text
    assert "Escalated" in text
    assert "The customer threatens legal steps." in text
    assert "escalated the case to <strong>Escalations</strong>" in text


def test_tasks_on_the_case_page_and_the_overdue_list(
    agent_client, workspace, agent, ticket_case, hotel
):
    answer = agent_client.post(
        page("resale", "cases", ticket_case.reference, "tasks"),
        {
            "title": "Confirm the room",
            "party": str(hotel.pk),
            "assignee": str(agent.pk),
            "due_at": "",
        },
    )
    assert answer.status_code == 302
    task = CoordinationTask.objects.get()
    late = create_task(
        case=ticket_case,
        title="Chase the venue",
        party=hotel,
        due_at=timezone.now() - timedelta(hours=3),
        actor=Actor(user=agent),
    )
    emailed = agent_client.post(
        page("resale", "cases", ticket_case.reference, "tasks", str(task.number), "email"),
        {"body": "Can you confirm the booking?"},
        headers=HTMX,
    )
    assert emailed.status_code == 200
    task.refresh_from_db()
    assert task.status == "waiting"
    text = agent_client.get(page("resale", "cases", ticket_case.reference)).text
    assert "Confirm the room" in text and "Chase the venue" in text
    assert "task--overdue" in text
    assert "Can you confirm the booking?" in text
    listing = agent_client.get(page("resale", "tasks")).text
    assert listing.index(late.reference) < listing.index(task.reference)
    assert "overdue" in listing

    done = agent_client.post(
        page("resale", "cases", ticket_case.reference, "tasks", str(task.number)),
        {"status": "done", "outcome": "Room confirmed"},
    )
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.outcome == "Room confirmed"


def test_read_only_members_cannot_add_tasks(client, workspace, ticket_case):
    viewer = builders.member(workspace, "v@resale.test", role="read_only")
    client.force_login(viewer)
    answer = client.post(page("resale", "cases", ticket_case.reference, "tasks"), {"title": "Nope"})
    assert answer.status_code == 403
    assert not CoordinationTask.objects.exists()


def test_notifications_in_the_header_and_marked_read(agent_client, workspace, agent, ticket_case):
    notify(workspace=workspace, users=[agent], title="Look at this", case=ticket_case)
    inbox = agent_client.get(page("resale", "inbox")).text
    assert "bell--unread" in inbox
    listing = agent_client.get(page("resale", "notifications")).text
    assert "Look at this" in listing and ticket_case.reference in listing
    agent_client.post(page("resale", "notifications", "read"))
    assert Notification.objects.get().read_at is not None
    assert "bell--unread" not in agent_client.get(page("resale", "inbox")).text


def test_webhooks_page_shows_failures_and_retries(supervisor_client, workspace):
    answer = supervisor_client.post(
        page("resale", "automation", "webhooks"),
        {"name": "Platform", "url": "https://platform.example/hooks", "events": ""},
    )
    assert answer.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    failed = WebhookDelivery.objects.create(
        workspace=workspace,
        endpoint=endpoint,
        event="case.rule_fired",
        idempotency_key="k",
        status="failed",
        attempts=8,
        last_status_code=500,
        last_error="HTTP 500: down",
        created_at=timezone.now(),
    )
    text = supervisor_client.get(page("resale", "automation", "webhooks")).text
    assert "1 failed" in text and "HTTP 500" in text
    supervisor_client.post(page("resale", "automation", "webhooks", str(failed.pk), "retry"))
    failed.refresh_from_db()
    assert failed.status == "queued"


def test_another_workspaces_rules_are_not_found(supervisor_client, other_workspace):
    theirs = create_trigger(
        workspace=other_workspace,
        name="Theirs",
        events=["case.created"],
        conditions=[],
        actions=[{"type": "raise_priority"}],
    )
    answer = supervisor_client.get(page("resale", "automation", "triggers", str(theirs.pk)))
    assert answer.status_code == 404
    assert supervisor_client.get(page("other", "automation")).status_code == 404


def test_automation_pages_speak_dutch(agent_client, workspace):
    install_defaults(workspace)
    agent_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    text = agent_client.get(page("resale", "automation")).text
    assert "Triggers en tijdregels" in text
    assert "Proactieve zorg" in text
    macros = agent_client.get(page("resale", "macros")).text
    assert "Goedgekeurde antwoorden" in macros or "Macro's" in macros


def test_case_page_queries_do_not_grow_with_tasks(
    agent_client, workspace, agent, ticket_case, hotel
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            agent_client.get(page("resale", "cases", ticket_case.reference))
        return len(captured.captured_queries)

    create_task(case=ticket_case, title="One", party=hotel, actor=Actor(user=agent))
    queries()
    few = queries()
    for i in range(5):
        create_task(case=ticket_case, title=f"T{i}", party=hotel, actor=Actor(user=agent))
    assert queries() == few
    assert Case.objects.count() == 1


def test_tasks_and_notifications_pages_cost_the_same_for_many_rows(
    agent_client, workspace, agent, buyer, hotel
):
    def queries(path):
        agent_client.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert agent_client.get(path).status_code == 200
        return len(captured.captured_queries)

    def add(n):
        for i in range(n):
            case = builders.case(workspace, requester=buyer, subject=f"Case {i}")
            create_task(case=case, title=f"Task {i}", party=hotel, actor=Actor(user=agent))
            notify(workspace=workspace, users=[agent], title=f"Note {i}", case=case, email=False)

    add(1)
    few = (queries(page("resale", "tasks")), queries(page("resale", "notifications")))
    add(8)
    assert (queries(page("resale", "tasks")), queries(page("resale", "notifications"))) == few
