"""Every write to a case: one function per use case, one transaction, timeline events inside."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ombuds.accounts.models import Team, User
from ombuds.core import transports
from ombuds.core.errors import ApplicationError
from ombuds.core.html import sanitize_html, text_to_html
from ombuds.core.inserts import insert
from ombuds.core.models import Workspace
from ombuds.core.sequences import next_number
from ombuds.marketplace import services as marketplace
from ombuds.marketplace.models import Order, OrderEvent, Party

from . import events
from .attachments import IncomingFile, check_files, store_files
from .events import Actor
from .models import (
    Case,
    CaseParticipant,
    Channel,
    Delivery,
    Message,
    MessageKind,
    ParticipantRole,
    Priority,
    Status,
    Tag,
)
from .transitions import check_transition

MAX_TAGS = 20


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ApplicationError("empty_message", "A message needs some text.", status=422)
    if len(body) > settings.OMBUDS_MAX_MESSAGE_CHARS:
        raise ApplicationError(
            "message_too_long",
            f"A message may hold at most {settings.OMBUDS_MAX_MESSAGE_CHARS:,} characters.",
            details={"length": len(body)},
            status=413,
        )
    return body


def _normalize_tags(names: Iterable[str]) -> list[str]:
    cleaned = sorted({n.strip().lower()[:50] for n in names if n and n.strip()})
    if len(cleaned) > MAX_TAGS:
        raise ApplicationError(
            "too_many_tags", f"A case may carry at most {MAX_TAGS} tags.", status=422
        )
    return cleaned


def _tags(workspace: Workspace, names: list[str]) -> list[Tag]:
    existing = {t.name: t for t in Tag.objects.filter(workspace=workspace, name__in=names)}
    missing = [Tag(workspace=workspace, name=n) for n in names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(workspace=workspace, name__in=names)}
    return [existing[n] for n in names]


def _add_message(
    *,
    case: Case,
    kind: str,
    channel: str,
    body: str,
    actor: Actor,
    html: str = "",
    files: list[IncomingFile] = (),
    language: str = "",
    at: datetime | None = None,
    external_id: str = "",
    reply_to: Message | None = None,
    meta: dict | None = None,
) -> Message:
    message = insert(
        Message(
            workspace_id=case.workspace_id,
            case=case,
            kind=kind,
            channel=channel,
            author_user=actor.user,
            author_party=actor.party,
            body_text=body,
            body_html=sanitize_html(html) if html else text_to_html(body),
            language=language,
            external_id=external_id[:255],
            reply_to=reply_to,
            meta=meta or {},
            created_at=at or timezone.now(),
        )
    )
    if files:
        store_files(message, list(files))
    return message


def open_case(**kwargs) -> Case:
    """A customer (or an agent on their behalf) asks for help: a new case with its first
    message, numbered PREFIX-N in the workspace."""
    return open_case_with_message(**kwargs)[0]


@transaction.atomic
def open_case_with_message(
    *,
    workspace: Workspace,
    subject: str,
    body: str,
    requester: Party,
    actor: Actor,
    channel: str = Channel.WEB,
    order: Order | None = None,
    priority: str = Priority.NORMAL,
    language: str = "",
    topic: str = "",
    tags: Iterable[str] = (),
    files: list[IncomingFile] = (),
    body_html: str = "",
    team: Team | None = None,
    is_public_post: bool = False,
    message_kind: str = MessageKind.INBOUND,
    external_id: str = "",
    meta: dict | None = None,
    opening_note: bool = False,
) -> tuple[Case, Message]:
    """`open_case`, also handing back the case's first message (what a channel adapter
    links its raw payload to).

    With `opening_note` the desk opens the case itself (a proactive notice before the
    customer asks): the first message is the actor's internal note, not the customer's."""
    subject = " ".join((subject or "").split())[:300]
    if not subject:
        raise ApplicationError("empty_subject", "A case needs a subject.", status=422)
    body = _check_body(body)
    if channel not in Channel.values:
        raise ApplicationError(
            "unknown_channel",
            f"{channel!r} is not a channel.",
            details={"allowed": Channel.values},
            status=422,
        )
    if priority not in Priority.values:
        raise ApplicationError(
            "unknown_priority",
            f"{priority!r} is not a priority.",
            details={"allowed": Priority.values},
            status=422,
        )
    for model, name in ((requester, "requester"), (order, "order"), (team, "team")):
        if model is not None and model.workspace_id != workspace.pk:
            raise ApplicationError(f"unknown_{name}", f"No such {name}.", status=422)
    check_files(list(files))
    tag_names = _normalize_tags(tags)

    now = timezone.now()
    number = next_number(f"case:{workspace.pk}")
    case = insert(
        Case(
            workspace=workspace,
            number=number,
            reference=f"{workspace.case_prefix}-{number}",
            subject=subject,
            channel=channel,
            priority=priority,
            order=order,
            requester=requester,
            language=language or requester.language or "",
            topic=topic,
            team=team,
            is_public_post=is_public_post,
            created_at=now,
            updated_at=now,
        )
    )
    participants = [CaseParticipant(case=case, party=requester, role=ParticipantRole.REQUESTER)]
    if order is not None and order.seller_id and order.seller_id != requester.pk:
        participants.append(
            CaseParticipant(case=case, party_id=order.seller_id, role=ParticipantRole.SELLER)
        )
    for participant in participants:  # one or two: cheaper than bulk_create's compiling
        insert(participant)
    if tag_names:
        case.tags.set(_tags(workspace, tag_names))
    # The first message is the customer's words, whoever typed them into the desk.
    message = _add_message(
        case=case,
        kind=MessageKind.NOTE if opening_note else message_kind,
        channel=channel,
        body=body,
        html=body_html,
        files=files,
        actor=actor if opening_note else Actor(party=requester),
        language=case.language,
        at=now,
        external_id=external_id,
        meta={"by": actor.label, **(meta or {})} if opening_note and actor.label else meta,
    )
    events.record(
        case,
        "case.created",
        actor,
        after={
            "status": case.status,
            "priority": case.priority,
            "channel": case.channel,
            "order": order.external_id if order else None,
            "tags": tag_names,
            "public_post": is_public_post,
        },
        message=message,
        at=now,
    )
    return case, message


# Replies on these reach the customer live (the chat widget, a call back), not by the outbox.
LIVE_CHANNELS = (Channel.CHAT, Channel.PHONE)


def reply_route(case: Case) -> tuple[str, str] | None:
    """Where a reply on `case` goes: the channel's own recipient (a WhatsApp number, a
    Messenger id) when its adapter knows one, else the requester's email address."""
    finder = transports.recipient_finder(case.channel)
    if finder is not None and (route := finder(case)) is not None:
        return route
    if case.channel in LIVE_CHANNELS:
        return None
    return (Channel.EMAIL, case.requester.email) if case.requester.email else None


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def reply_to_customer(
    *,
    case: Case,
    author: User | None = None,
    body: str,
    files: list[IncomingFile] = (),
    status: str | None = None,
    body_html: str = "",
    meta: dict | None = None,
    actor: Actor | None = None,
) -> Message:
    """An agent answers the requester on the case's channel; the outbox delivers it.
    `meta` carries how the channel should send it (a public reply or a direct message).

    An automation answers with `actor` (a rule) and no author."""
    if author is None and actor is None:
        raise ApplicationError("no_author", "A reply needs an author.", status=422)
    body = _check_body(body)
    check_files(list(files))
    case = _lock(case)
    if case.status == Status.CLOSED:
        raise ApplicationError("case_closed", "A closed case takes no more replies.", status=409)
    target = status or (Status.OPEN if case.status == Status.NEW else case.status)
    check_transition(case.status, target)
    actor = actor or Actor(user=author)
    now = timezone.now()
    message = _add_message(
        case=case,
        kind=MessageKind.OUTBOUND,
        channel=case.channel,
        body=body,
        html=body_html,
        files=files,
        actor=actor,
        at=now,
        meta={"by": actor.label, **(meta or {})} if actor.user is None and actor.label else meta,
    )
    events.record(case, "message.replied", actor, message=message, at=now)
    route = reply_route(case)
    if route is not None:
        Delivery.objects.create(
            workspace_id=case.workspace_id,
            message=message,
            channel=route[0],
            recipient=route[1],
            next_attempt_at=now,
        )
        transaction.on_commit(_wake_outbox)
    elif case.channel not in LIVE_CHANNELS:
        events.record(
            case,
            "delivery.failed",
            Actor.system("outbox"),
            data={"recipient": "", "error": "No address to send this reply to."},
            message=message,
            at=now,
        )
    fields = ["updated_at"]
    if case.first_response_at is None:
        case.first_response_at = now
        fields.append("first_response_at")
    if target != case.status:
        fields += _set_status(case, target, actor, now)
    case.updated_at = now
    case.save(update_fields=fields)
    return message


@transaction.atomic
def add_internal_note(
    *,
    case: Case,
    author: User | None = None,
    body: str,
    files: list[IncomingFile] = (),
    actor: Actor | None = None,
) -> Message:
    """A note only agents see (written by an agent, or by a rule as `actor`)."""
    if author is None and actor is None:
        raise ApplicationError("no_author", "A note needs an author.", status=422)
    body = _check_body(body)
    check_files(list(files))
    case = _lock(case)
    actor = actor or Actor(user=author)
    now = timezone.now()
    message = _add_message(
        case=case,
        kind=MessageKind.NOTE,
        channel=case.channel,
        body=body,
        files=files,
        actor=actor,
        at=now,
        meta={"by": actor.label} if actor.user is None and actor.label else None,
    )
    events.record(case, "note.added", actor, message=message, at=now)
    case.updated_at = now
    case.save(update_fields=["updated_at"])
    return message


@transaction.atomic
def receive_customer_message(
    *,
    case: Case,
    party: Party,
    body: str,
    channel: str,
    files: list[IncomingFile] = (),
    body_html: str = "",
    language: str = "",
    kind: str = MessageKind.INBOUND,
    external_id: str = "",
    reply_to: Message | None = None,
    meta: dict | None = None,
    case_is_current: bool = False,
) -> Message:
    """The customer writes again on an existing case; a waiting or solved case reopens.

    `reply_to` is the message this one answers (an email's In-Reply-To), known before the
    timeline hears of it, so listeners can thread it (a third party's reply to a task).
    `case_is_current` says `case` was read in this transaction on a database whose
    transaction holds the write lock (SQLite): reading it again to lock it changes nothing."""
    body = _check_body(body)
    check_files(list(files))
    if not (case_is_current and not connection.features.has_select_for_update):
        case = _lock(case)
    if case.status == Status.CLOSED:
        raise ApplicationError(
            "case_closed", "This case is closed; please open a new one.", status=409
        )
    actor = Actor(party=party)
    now = timezone.now()
    message = _add_message(
        case=case,
        kind=kind,
        channel=channel,
        body=body,
        html=body_html,
        files=files,
        actor=actor,
        language=language,
        at=now,
        external_id=external_id,
        reply_to=reply_to if reply_to is not None and reply_to.case_id == case.pk else None,
        meta=meta,
    )
    # An automatic reply (an out-of-office) is kept on the case but is nobody speaking:
    # it reopens nothing, and automations must not answer it (meta["auto_submitted"]).
    automatic = bool((meta or {}).get("auto_submitted"))
    data = {"auto_submitted": True} if automatic else None
    events.record(case, "message.received", actor, message=message, data=data, at=now)
    fields = ["updated_at"]
    if case.status in (Status.PENDING_CUSTOMER, Status.SOLVED) and not automatic:
        fields += _set_status(case, Status.OPEN, actor, now)
    case.updated_at = now
    case.save(update_fields=fields)
    return message


def _set_status(case: Case, target: str, actor: Actor, now: datetime) -> list[str]:
    before = case.status
    case.status = target
    fields = ["status"]
    if target == Status.SOLVED:
        case.solved_at = now
        fields.append("solved_at")
    elif before == Status.SOLVED and target != Status.CLOSED:
        # Reopened: it is no longer solved. Closing keeps the moment it was solved.
        case.solved_at = None
        fields.append("solved_at")
    events.record(case, "status.changed", actor, before=before, after=target, at=now)
    return fields


_UNSET = object()


@transaction.atomic
def update_case(
    *,
    case: Case,
    actor: Actor,
    status: str | None = None,
    priority: str | None = None,
    assignee: User | object | None = _UNSET,
    team: Team | object | None = _UNSET,
    tags: Iterable[str] | None = None,
    subject: str | None = None,
) -> Case:
    """Change a case's status, priority, assignee, team, tags or subject; one timeline event
    per field that actually changed."""
    case = _lock(case)
    now = timezone.now()
    fields: list[str] = []
    if status is not None:
        check_transition(case.status, status)
        if status != case.status:
            fields += _set_status(case, status, actor, now)
    if priority is not None:
        if priority not in Priority.values:
            raise ApplicationError(
                "unknown_priority",
                f"{priority!r} is not a priority.",
                details={"allowed": Priority.values},
                status=422,
            )
        if priority != case.priority:
            events.record(
                case, "priority.changed", actor, before=case.priority, after=priority, at=now
            )
            case.priority = priority
            fields.append("priority")
    if assignee is not _UNSET and getattr(assignee, "pk", None) != case.assignee_id:
        if (
            assignee is not None
            and not assignee.memberships.filter(workspace_id=case.workspace_id).exists()
        ):
            raise ApplicationError(
                "unknown_assignee", "That person is not in this workspace.", status=422
            )
        events.record(
            case,
            "assignee.changed",
            actor,
            before=_person(case.assignee),
            after=_person(assignee),
            at=now,
        )
        case.assignee = assignee
        fields.append("assignee")
    if team is not _UNSET and getattr(team, "pk", None) != case.team_id:
        if team is not None and team.workspace_id != case.workspace_id:
            raise ApplicationError("unknown_team", "No such team in this workspace.", status=422)
        events.record(
            case,
            "team.changed",
            actor,
            before=case.team.name if case.team else None,
            after=team.name if team else None,
            at=now,
        )
        case.team = team
        fields.append("team")
    if tags is not None:
        wanted = _normalize_tags(tags)
        have = sorted(case.tags.values_list("name", flat=True))
        if wanted != have:
            case.tags.set(_tags(case.workspace, wanted))
            events.record(case, "tags.changed", actor, before=have, after=wanted, at=now)
            fields.append("updated_at")
    if subject is not None:
        subject = " ".join(subject.split())[:300]
        if not subject:
            raise ApplicationError("empty_subject", "A case needs a subject.", status=422)
        if subject != case.subject:
            events.record(
                case, "subject.changed", actor, before=case.subject, after=subject, at=now
            )
            case.subject = subject
            fields.append("subject")
    if fields:
        case.updated_at = now
        case.save(update_fields=sorted(set(fields) | {"updated_at"}))
    return case


def _person(user: User | None) -> dict | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


@transaction.atomic
def write_to_third_party(
    *,
    case: Case,
    party: Party,
    subject: str,
    body: str,
    actor: Actor,
    files: list[IncomingFile] = (),
    meta: dict | None = None,
) -> Message:
    """Email a third party (a hotel, a courier) about the case: an outbound message that
    the outbox delivers to the party's address, with its own subject. It is no answer to
    the customer, so it leaves the case's status and first-response time alone."""
    body = _check_body(body)
    check_files(list(files))
    if party.workspace_id != case.workspace_id:
        raise ApplicationError("unknown_party", "No such party.", status=422)
    if not party.email:
        raise ApplicationError("party_without_email", f"{party} has no email address.", status=422)
    subject = " ".join((subject or "").split())[:300] or case.subject
    case = _lock(case)
    if case.status == Status.CLOSED:
        raise ApplicationError("case_closed", "A closed case takes no more messages.", status=409)
    now = timezone.now()
    message = _add_message(
        case=case,
        kind=MessageKind.OUTBOUND,
        channel=Channel.EMAIL,
        body=body,
        files=files,
        actor=actor,
        at=now,
        meta={**(meta or {}), "to_party": party.pk, "to": party.email, "subject": subject},
    )
    events.record(
        case,
        "message.to_third_party",
        actor,
        data={"party": party.pk, "name": str(party), "to": party.email, "subject": subject},
        message=message,
        at=now,
    )
    Delivery.objects.create(
        workspace_id=case.workspace_id,
        message=message,
        channel=Channel.EMAIL,
        recipient=party.email,
        next_attempt_at=now,
    )
    transaction.on_commit(_wake_outbox)
    case.updated_at = now
    case.save(update_fields=["updated_at"])
    return message


@transaction.atomic
def record_order_event(
    *,
    workspace: Workspace,
    order: Order,
    type: str,
    occurred_at: datetime,
    data: dict | None = None,
    external_id: str | None = None,
    actor: Actor,
) -> tuple[OrderEvent, bool]:
    """The marketplace reports something about an order: it lands on the order's timeline
    and on the timeline of every case about that order."""
    event, created = marketplace.record_order_event(
        workspace=workspace,
        order=order,
        type=type,
        occurred_at=occurred_at,
        data=data,
        external_id=external_id,
    )
    if created:
        now = timezone.now()
        for case in Case.objects.filter(workspace=workspace, order=order):
            events.record(
                case,
                "order.event",
                actor,
                data={
                    "type": event.type,
                    "occurred_at": event.occurred_at.isoformat(),
                    "data": event.data,
                },
                at=now,
            )
        Case.objects.filter(workspace=workspace, order=order).update(updated_at=now)
    return event, created


def _wake_outbox() -> None:
    from .tasks import deliver_due

    deliver_due.schedule(delay=0)


@transaction.atomic
def record_call(
    *,
    case: Case,
    by: Actor,
    body: str,
    meta: dict,
    external_id: str = "",
    at: datetime | None = None,
) -> Message:
    """A phone call with the customer, logged on the case as a message of kind call."""
    body = _check_body(body)
    case = _lock(case)
    if case.status == Status.CLOSED:
        raise ApplicationError("case_closed", "A closed case takes no more calls.", status=409)
    now = timezone.now()
    message = _add_message(
        case=case,
        kind=MessageKind.CALL,
        channel=Channel.PHONE,
        body=body,
        actor=by,
        external_id=external_id,
        meta=meta,
        at=at or now,
    )
    events.record(case, "call.logged", by, message=message, data=meta, at=now)
    case.updated_at = now
    case.save(update_fields=["updated_at"])
    return message
