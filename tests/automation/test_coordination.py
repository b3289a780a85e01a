"""Coordination tasks: a third party's part of a case, with owner, deadline, outcome and
its own email thread."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ombuds.automation.coordination import (
    create_task,
    email_party,
    open_tasks,
    overdue_count,
    tasks_of_case,
    update_task,
)
from ombuds.conversations.events import Actor
from ombuds.conversations.services import receive_customer_message
from ombuds.conversations.tasks import drain_outbox
from ombuds.core.errors import ApplicationError
from tests import builders


@pytest.fixture
def courier(workspace):
    return builders.party(
        workspace, "C-1", kind="third_party", name="PostNL Claims", email="claims@postnl.example"
    )


@pytest.fixture
def case(workspace, buyer, parcel_order):
    return builders.case(workspace, requester=buyer, order=parcel_order, subject="Parcel lost")


def test_a_task_is_numbered_per_case_and_on_the_timeline(case, courier, agent):
    first = create_task(
        case=case, title="Trace the parcel", party=courier, assignee=agent, actor=Actor(user=agent)
    )
    second = create_task(case=case, title="Ask for photos", actor=Actor(user=agent))
    assert (first.reference, second.reference) == (f"{case.reference}-T1", f"{case.reference}-T2")
    event = case.events.get(kind="task.created", after__reference=first.reference)
    assert event.after["party"] == "PostNL Claims"
    assert event.actor_user == agent


def test_emailing_the_third_party_threads_the_reply_to_the_task(case, courier, agent, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    task = create_task(case=case, title="Trace the parcel", party=courier, actor=Actor(user=agent))
    sent = email_party(task=task, body="Please trace 3S123.", actor=Actor(user=agent))
    task.refresh_from_db()
    assert task.status == "waiting"
    assert sent.deliveries.get().recipient == "claims@postnl.example"
    drain_outbox()
    (email,) = mail.outbox
    assert email.subject == f"[{case.reference}] {task.reference}: Trace the parcel"
    assert email.to == ["claims@postnl.example"]

    reply = receive_customer_message(
        case=case, party=courier, body="Found it in Utrecht.", channel="email", reply_to=sent
    )
    task.refresh_from_db()
    assert task.status == "open"  # the reply is in: the agent's move
    thread = [link.message for link in tasks_of_case(case)[0].links.all()]
    assert thread == [sent, reply]
    assert case.events.get(kind="task.replied").data["reference"] == task.reference
    # A customer's message that answers nothing of the task stays out of its thread.
    other = receive_customer_message(
        case=case, party=case.requester, body="Any news?", channel="web"
    )
    assert not hasattr(other, "task_link") or other.task_link is None


def test_completing_a_task_records_its_outcome(workspace, case, courier, agent):
    colleague = builders.member(workspace, "ben@resale.test", name="Ben")
    task = create_task(case=case, title="Trace", party=courier, actor=Actor(user=agent))
    due = timezone.now() + timedelta(days=2)
    update_task(task=task, actor=Actor(user=agent), assignee=colleague, due_at=due)
    update_task(task=task, actor=Actor(user=agent), status="done", outcome="Delivered to neighbour")
    task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None
    done = case.events.get(kind="task.done")
    assert done.data["outcome"] == "Delivered to neighbour"
    assert done.before["status"] == "open" and done.after["status"] == "done"
    with pytest.raises(ApplicationError) as refused:
        email_party(task=task, body="x", actor=Actor(user=agent))
    assert refused.value.code == "task_closed"


def test_overdue_tasks_come_first(workspace, case, courier, agent):
    now = timezone.now()
    later = create_task(
        case=case,
        title="Later",
        party=courier,
        due_at=now + timedelta(days=3),
        actor=Actor(user=agent),
    )
    late = create_task(
        case=case,
        title="Late",
        party=courier,
        due_at=now - timedelta(hours=2),
        actor=Actor(user=agent),
    )
    undated = create_task(case=case, title="Someday", actor=Actor(user=agent))
    assert open_tasks(workspace=workspace) == [late, later, undated]
    assert overdue_count(workspace=workspace) == 1


def test_tasks_name_only_third_parties_and_members_of_the_workspace(
    workspace, other_workspace, case, buyer, agent
):
    with pytest.raises(ApplicationError) as refused:
        create_task(case=case, title="x", party=buyer, actor=Actor(user=agent))
    assert refused.value.code == "not_a_third_party"
    stranger_party = builders.party(other_workspace, "C-9", kind="third_party", name="Other")
    with pytest.raises(ApplicationError) as refused:
        create_task(case=case, title="x", party=stranger_party, actor=Actor(user=agent))
    assert refused.value.code == "unknown_party"
    stranger = builders.member(other_workspace, "x@other.test")
    with pytest.raises(ApplicationError) as refused:
        create_task(case=case, title="x", assignee=stranger, actor=Actor(user=agent))
    assert refused.value.code == "unknown_assignee"
    assert open_tasks(workspace=other_workspace) == []


def test_a_party_without_an_address_cannot_be_emailed(case, workspace, agent):
    silent = builders.party(workspace, "C-2", kind="third_party", name="Venue")
    task = create_task(case=case, title="Ask", party=silent, actor=Actor(user=agent))
    with pytest.raises(ApplicationError) as refused:
        email_party(task=task, body="Hello", actor=Actor(user=agent))
    assert refused.value.code == "party_without_email"
