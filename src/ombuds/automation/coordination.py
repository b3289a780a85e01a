"""Coordination tasks: what a case needs from a third party or the seller, with owner,
deadline and outcome, and the email thread with that party linked to the task.

Writing to the party from a task sends an outbound email (through the outbox) whose
subject carries the task's reference; the party's reply comes back through the email
intake with `Message.reply_to` set to the message it answers, and the timeline listener
links it to the same task (`link_reply`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, CaseEvent, Message
from ombuds.conversations.services import write_to_third_party
from ombuds.core.batch import forget_on_change, remembered
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.core.models import Workspace
from ombuds.marketplace.models import Party, PartyKind

from .models import OPEN_TASK_STATUSES, CoordinationTask, TaskMessage, TaskStatus

MAX_TITLE = 200


def _check_party(case: Case, party: Party | None) -> Party | None:
    if party is None:
        return None
    if party.workspace_id != case.workspace_id:
        raise ApplicationError("unknown_party", "No such party.", status=422)
    # A task is for whoever the case waits on besides the buyer: a hotel, a courier, or
    # the seller who has to complete a transfer.
    if party.kind not in (PartyKind.THIRD_PARTY, PartyKind.SELLER):
        raise ApplicationError(
            "not_a_third_party", f"{party} is neither a third party nor a seller.", status=422
        )
    return party


def _check_assignee(case: Case, user: User | None) -> User | None:
    if user is not None and not user.memberships.filter(workspace_id=case.workspace_id).exists():
        raise ApplicationError(
            "unknown_assignee", "That person is not in this workspace.", status=422
        )
    return user


def _summary(task: CoordinationTask) -> dict:
    return {
        "task": task.pk,
        "reference": task.reference,
        "title": task.title,
        "party": str(task.party) if task.party_id else None,
        "assignee": task.assignee.display_name if task.assignee_id else None,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "status": task.status,
    }


@transaction.atomic
def create_task(
    *,
    case: Case,
    title: str,
    actor: Actor,
    party: Party | None = None,
    assignee: User | None = None,
    due_at: datetime | None = None,
) -> CoordinationTask:
    """Ask a third party for something on this case: the task is numbered per case."""
    title = " ".join((title or "").split())[:MAX_TITLE]
    if not title:
        raise ApplicationError("empty_task_title", "A task needs a title.", status=422)
    case = Case.objects.select_for_update().get(pk=case.pk)
    party = _check_party(case, party)
    assignee = _check_assignee(case, assignee)
    number = (case.coordination_tasks.aggregate(m=Max("number"))["m"] or 0) + 1
    now = timezone.now()
    task = CoordinationTask.objects.create(
        workspace_id=case.workspace_id,
        case=case,
        number=number,
        reference=f"{case.reference}-T{number}",
        title=title,
        party=party,
        assignee=assignee,
        due_at=due_at,
        created_at=now,
        updated_at=now,
    )
    events.record(case, "task.created", actor, after=_summary(task), at=now)
    return task


_UNSET = object()


@transaction.atomic
def update_task(
    *,
    task: CoordinationTask,
    actor: Actor,
    status: str | None = None,
    outcome: str | None = None,
    assignee: User | object | None = _UNSET,
    due_at: datetime | object | None = _UNSET,
    title: str | None = None,
) -> CoordinationTask:
    """Change a task; one timeline event saying what changed."""
    task = CoordinationTask.objects.select_for_update().select_related("case").get(pk=task.pk)
    before = _summary(task)
    changed = []
    if status is not None and status != task.status:
        if status not in TaskStatus.values:
            raise ApplicationError(
                "unknown_task_status",
                f"{status!r} is not a task status.",
                details={"allowed": TaskStatus.values},
                status=422,
            )
        task.status = status
        task.completed_at = None if status in OPEN_TASK_STATUSES else timezone.now()
        changed.append("status")
    if outcome is not None and outcome.strip() != task.outcome:
        task.outcome = outcome.strip()[:5000]
        changed.append("outcome")
    if assignee is not _UNSET and getattr(assignee, "pk", None) != task.assignee_id:
        task.assignee = _check_assignee(task.case, assignee)
        changed.append("assignee")
    if due_at is not _UNSET and due_at != task.due_at:
        task.due_at = due_at
        changed.append("due_at")
    if title is not None:
        title = " ".join(title.split())[:MAX_TITLE]
        if not title:
            raise ApplicationError("empty_task_title", "A task needs a title.", status=422)
        if title != task.title:
            task.title = title
            changed.append("title")
    if not changed:
        return task
    task.updated_at = timezone.now()
    task.save()
    after = _summary(task)
    kind = "task.done" if "status" in changed and task.status == TaskStatus.DONE else "task.updated"
    events.record(
        task.case,
        kind,
        actor,
        before=before,
        after=after,
        data={"changed": changed, "outcome": task.outcome if "outcome" in changed else ""},
    )
    return task


def task_subject(task: CoordinationTask) -> str:
    return f"[{task.case.reference}] {task.reference}: {task.title}"


@transaction.atomic
def email_party(*, task: CoordinationTask, body: str, actor: Actor, files=()) -> Message:
    """Write to the task's third party; the message joins the task's thread and the task
    waits for the reply."""
    task = (
        CoordinationTask.objects.select_for_update(of=("self",))
        .select_related("case", "party")
        .get(pk=task.pk)
    )
    if task.party is None:
        raise ApplicationError("task_without_party", "This task has no third party.", status=422)
    if not task.is_open:
        raise ApplicationError("task_closed", "This task is finished.", status=409)
    message = write_to_third_party(
        case=task.case,
        party=task.party,
        subject=task_subject(task),
        body=body,
        actor=actor,
        files=files,
        meta={"task": task.pk, "task_reference": task.reference},
    )
    TaskMessage.objects.create(task=task, message=message)
    if task.status != TaskStatus.WAITING:
        task.status = TaskStatus.WAITING
        task.updated_at = timezone.now()
        task.save(update_fields=["status", "updated_at"])
    return message


forget_on_change(TaskMessage)


def _has_task_messages(workspace_id: int) -> bool:
    # Asked once per filing batch (core.batch): most replies answer no task at all.
    return remembered(
        ("automation.has_task_messages", workspace_id),
        lambda: TaskMessage.objects.filter(task__workspace_id=workspace_id).exists(),
    )


def link_reply(event: CaseEvent) -> TaskMessage | None:
    """A message that answers one of a task's messages joins that task's thread."""
    message = event.message
    if message is None or message.reply_to_id is None:
        return None
    if not _has_task_messages(message.workspace_id):
        return None
    parent = TaskMessage.objects.select_related("task").filter(message_id=message.reply_to_id)
    link = parent.first()
    if link is None:
        return None
    task = link.task
    if task.workspace_id != message.workspace_id:
        return None
    joined, _ = TaskMessage.objects.get_or_create(message=message, defaults={"task": task})
    if task.status == TaskStatus.WAITING:
        task.status = TaskStatus.OPEN
        task.updated_at = timezone.now()
        task.save(update_fields=["status", "updated_at"])
    events.record(
        event.case,
        "task.replied",
        Actor(party=message.author_party) if message.author_party else Actor.system("email"),
        data={"task": task.pk, "reference": task.reference, "title": task.title},
        message=message,
    )
    return joined


# --- reads ---------------------------------------------------------------------------------


def tasks_of_case(case: Case) -> list[CoordinationTask]:
    """A case's tasks with their party, assignee and thread, in a fixed number of queries."""
    return list(
        CoordinationTask.objects.filter(case=case)
        .select_related("party", "assignee")
        .prefetch_related("links__message__author_user", "links__message__author_party")
        .order_by("number")
    )


def task_of(*, workspace: Workspace, case: Case, number: int) -> CoordinationTask:
    task = (
        CoordinationTask.objects.filter(workspace=workspace, case=case, number=number)
        .select_related("case", "party", "assignee")
        .first()
    )
    if task is None:
        raise NotFound("task", number)
    return task


def open_tasks(
    *, workspace: Workspace, user: User | None = None, limit: int = 100
) -> list[CoordinationTask]:
    """Open tasks of the workspace (of one person, if given), the most urgent first:
    overdue ones lead."""
    query = CoordinationTask.objects.filter(workspace=workspace, status__in=OPEN_TASK_STATUSES)
    if user is not None:
        query = query.filter(assignee=user)
    return list(
        query.select_related("case", "party", "assignee").order_by(
            F("due_at").asc(nulls_last=True), "created_at"
        )[:limit]
    )


def overdue_count(*, workspace: Workspace, now=None) -> int:
    now = now or timezone.now()
    return CoordinationTask.objects.filter(
        Q(due_at__lt=now), workspace=workspace, status__in=OPEN_TASK_STATUSES
    ).count()


def third_parties_of(workspace: Workspace) -> list[Party]:
    return list(
        Party.objects.filter(workspace=workspace, kind=PartyKind.THIRD_PARTY).order_by("name")
    )
