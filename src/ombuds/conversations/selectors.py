"""Reads of cases. Every function takes the workspace; none builds an unscoped query.
List reads use a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain

from django.core.cache import cache
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from ombuds.accounts.models import Team, User
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.core.models import Workspace
from ombuds.marketplace.models import IdentityKind, Order, Party, PartyIdentity

from .models import (
    ACTIVE_STATUSES,
    PENDING_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    CaseParticipant,
    Delivery,
    Message,
    MessageKind,
    Status,
    Tag,
)

VIEWS = ("mine", "unassigned", "team", "pending", "all")
# Deadlines kept by the sla app in Case.sla_due_at: overdue now, or due within the hour.
SLA_FILTERS = ("breached", "due_soon")
DUE_SOON = timedelta(hours=1)
SORTS = ("updated", "sla_due")
_REFERENCE = re.compile(r"^([A-Za-z][A-Za-z0-9]{1,7})-(\d{1,12})$")
_WHOLE_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class InboxFilters:
    view: str = "all"
    status: list[str] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    assignee: str | None = None  # a user id, or "none" for unassigned
    team: str | None = None  # a team id, or "none"
    q: str = ""
    sla: str = ""  # "", "breached" or "due_soon"
    sort: str = "updated"  # "updated" (newest activity first) or "sla_due" (soonest first)


@dataclass
class InboxPage:
    items: list[Case]
    next_cursor: str | None


def _encode_cursor(case: Case) -> str:
    raw = f"{case.updated_at.isoformat()}|{case.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        return datetime.fromisoformat(stamp), int(pk)
    except (ValueError, UnicodeDecodeError):
        raise ApplicationError(
            "invalid_cursor", "The cursor is not one this API gave out.", status=400
        ) from None


def _encode_due_cursor(case: Case) -> str:
    due = case.sla_due_at.isoformat() if case.sla_due_at else ""
    raw = f"due|{due}|{case.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_due_cursor(cursor: str) -> tuple[datetime | None, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, stamp, pk = raw.split("|")
        if kind != "due":
            raise ValueError(kind)
        return (datetime.fromisoformat(stamp) if stamp else None), int(pk)
    except (ValueError, UnicodeDecodeError):
        raise ApplicationError(
            "invalid_cursor", "The cursor is not one this API gave out.", status=400
        ) from None


def _int_or_none(value: str | None, name: str) -> int | None:
    if value in (None, "", "none"):
        return None
    try:
        return int(value)
    except ValueError:
        raise ApplicationError(
            f"invalid_{name}", f"{name} must be an id or 'none'.", status=400
        ) from None


# A search narrows the inbox to at most this many cases before views, filters and paging.
SEARCH_LIMIT = 500


def _case_ids(query: QuerySet[Case]) -> set[int]:
    return set(query.values_list("pk", flat=True)[:SEARCH_LIMIT])


def search_condition(workspace: Workspace, q: str) -> Q:
    """What 'search' means in the inbox: a case reference or number, an order number, an
    email address (or its start), a customer's name, and, when none of those match, words
    of the subject.

    Each kind is its own indexed lookup and the matches are joined by id: one OR across
    them would let the database fall back to reading every case of the workspace.
    """
    q = q.strip()
    if not q:
        return Q()
    cases = Case.objects.filter(workspace=workspace)
    ids: set[int] = set()
    if m := _REFERENCE.match(q):
        ids |= _case_ids(cases.filter(reference=f"{m.group(1).upper()}-{int(m.group(2))}"))
    if q.isdigit():
        ids |= _case_ids(cases.filter(number=int(q)))
    orders = Order.objects.filter(workspace=workspace, external_id=q).values("pk")
    ids |= _case_ids(cases.filter(order__in=orders))
    if "@" in q:
        identities = PartyIdentity.objects.filter(workspace=workspace, kind=IdentityKind.EMAIL)
        email = q.lower()
        # A whole address is an exact, indexed match; a partial one scans the identities.
        if _WHOLE_EMAIL.match(email):
            identities = identities.filter(value=email)
        else:
            identities = identities.filter(value__startswith=email)
        ids |= _case_ids(cases.filter(requester__in=identities.values("party_id")))
    else:
        parties = Party.objects.filter(workspace=workspace, name__icontains=q).values("pk")
        ids |= _case_ids(cases.filter(requester__in=parties[:SEARCH_LIMIT]))
    if not ids:
        # Subject words need a scan; full-text search arrives with the knowledge base.
        ids = _case_ids(cases.filter(subject__icontains=q).order_by("-updated_at", "-pk"))
    return Q(pk__in=ids)


def _inbox_query(
    workspace: Workspace, user: User, filters: InboxFilters, now: datetime
) -> QuerySet[Case]:
    if filters.view not in VIEWS:
        raise ApplicationError(
            "unknown_view",
            f"{filters.view!r} is not an inbox view.",
            details={"allowed": list(VIEWS)},
            status=400,
        )
    for name, value, allowed in (
        ("sla", filters.sla, ("", *SLA_FILTERS)),
        ("sort", filters.sort, SORTS),
    ):
        if value not in allowed:
            raise ApplicationError(
                f"unknown_{name}",
                f"{value!r} is not an inbox {name} option.",
                details={"allowed": [a for a in allowed if a]},
                status=400,
            )
    query = Case.objects.filter(workspace=workspace)
    if filters.view == "mine":
        query = query.filter(assignee=user, status__in=ACTIVE_STATUSES)
    elif filters.view == "unassigned":
        query = query.filter(assignee__isnull=True, status__in=ACTIVE_STATUSES)
    elif filters.view == "team":
        query = query.filter(
            team__in=user.teams.filter(workspace=workspace).values("pk"), status__in=ACTIVE_STATUSES
        )
    elif filters.view == "pending":
        query = query.filter(status__in=PENDING_STATUSES)
    for name in ("status", "priority", "channel", "language"):
        values = getattr(filters, name)
        if values:
            if name == "status" and (bad := set(values) - set(Status.values)):
                raise ApplicationError(
                    "unknown_status",
                    f"{sorted(bad)} are not statuses.",
                    details={"allowed": Status.values},
                    status=400,
                )
            query = query.filter(**{f"{name}__in": values})
    for tag in filters.tag:
        query = query.filter(tags__workspace=workspace, tags__name=tag.strip().lower())
    if filters.assignee is not None:
        assignee = _int_or_none(filters.assignee, "assignee")
        query = (
            query.filter(assignee_id=assignee) if assignee else query.filter(assignee__isnull=True)
        )
    if filters.team is not None:
        team = _int_or_none(filters.team, "team")
        query = query.filter(team_id=team) if team else query.filter(team__isnull=True)
    if filters.q:
        query = query.filter(search_condition(workspace, filters.q))
    if filters.sla == "breached":
        query = query.filter(sla_due_at__lte=now)
    elif filters.sla == "due_soon":
        query = query.filter(sla_due_at__gt=now, sla_due_at__lte=now + DUE_SOON)
    return query


def cases_for_inbox(
    *,
    workspace: Workspace,
    user: User,
    filters: InboxFilters,
    cursor: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> InboxPage:
    """One page of the inbox with keyset pagination: newest activity first, or the
    soonest SLA deadline first (cases without a running clock after those)."""
    limit = max(1, min(limit, 200))
    query = _inbox_query(workspace, user, filters, now or timezone.now())
    by_due = filters.sort == "sla_due"
    if cursor and by_due:
        due, pk = _decode_due_cursor(cursor)
        if due is None:
            query = query.filter(sla_due_at__isnull=True, pk__gt=pk)
        else:
            query = query.filter(
                Q(sla_due_at__gt=due) | Q(sla_due_at=due, pk__gt=pk) | Q(sla_due_at__isnull=True)
            )
    elif cursor:
        stamp, pk = _decode_cursor(cursor)
        query = query.filter(Q(updated_at__lt=stamp) | Q(updated_at=stamp, pk__lt=pk))
    order = (F("sla_due_at").asc(nulls_last=True), "pk") if by_due else ("-updated_at", "-pk")
    rows = list(
        query.select_related("requester", "assignee", "team", "order")
        .prefetch_related("tags")
        .order_by(*order)[: limit + 1]
    )
    encode = _encode_due_cursor if by_due else _encode_cursor
    next_cursor = encode(rows[limit - 1]) if len(rows) > limit else None
    return InboxPage(items=rows[:limit], next_cursor=next_cursor)


# View counts may lag this many seconds: counting the working set on every page view
# would make the inbox's cost grow with the backlog.
INBOX_COUNTS_MAX_AGE = 15


def inbox_counts(*, workspace: Workspace, user: User, fresh: bool = False) -> dict[str, int]:
    """How many active cases each view holds: one query over the active cases (an index
    range), remembered for INBOX_COUNTS_MAX_AGE seconds per agent."""
    key = f"inbox-counts:{workspace.pk}:{user.pk}"
    if not fresh and (counts := cache.get(key)) is not None:
        return counts
    team_ids = list(user.teams.filter(workspace=workspace).values_list("pk", flat=True))
    counts = Case.objects.filter(workspace=workspace, status__in=ACTIVE_STATUSES).aggregate(
        mine=Count("pk", filter=Q(assignee=user)),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        team=Count("pk", filter=Q(team_id__in=team_ids)),
        pending=Count("pk", filter=Q(status__in=PENDING_STATUSES)),
    )
    cache.set(key, counts, INBOX_COUNTS_MAX_AGE)
    return counts


def case_by_reference(*, workspace: Workspace, reference: str, for_update: bool = False) -> Case:
    query = Case.objects.filter(workspace=workspace, reference=reference.upper())
    if for_update:
        query = query.select_for_update()
    case = (
        query.select_related("requester", "assignee", "team", "order__buyer", "order__seller")
        .prefetch_related("tags")
        .first()
    )
    if case is None:
        raise NotFound("case", reference)
    return case


def messages_of(case: Case, *, include_notes: bool = True) -> list[Message]:
    query = case.messages.select_related("author_user", "author_party").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk")),
        Prefetch("deliveries", queryset=Delivery.objects.order_by("pk")),
    )
    if not include_notes:
        query = query.exclude(kind=MessageKind.NOTE)
    return list(query.order_by("created_at", "pk"))


def timeline_of(case: Case, *, include_notes: bool = True) -> list[Message | CaseEvent]:
    """Messages and events of a case, oldest first. Events that only announce a message
    are folded into the message itself."""
    messages = messages_of(case, include_notes=include_notes)
    events = list(
        case.events.select_related("actor_user", "actor_party")
        .exclude(kind__in=["message.replied", "message.received", "note.added"])
        .order_by("created_at", "pk")
    )
    return sorted(
        chain(messages, events), key=lambda item: (item.created_at, isinstance(item, CaseEvent))
    )


def other_cases_of(
    *, workspace: Workspace, party: Party, exclude: Case | None = None, limit: int = 10
) -> list[Case]:
    """A party's other cases, as requester or as participant (a seller's disputes)."""
    # Two indexed lookups joined by id; an OR across the participant join would read
    # every case of the workspace.
    as_requester = Case.objects.filter(workspace=workspace, requester=party).values("pk")
    as_participant = CaseParticipant.objects.filter(party=party, case__workspace=workspace).values(
        "case_id"
    )
    query = Case.objects.filter(pk__in=as_requester.union(as_participant))
    if exclude is not None:
        query = query.exclude(pk=exclude.pk)
    return list(query.order_by("-updated_at", "-pk")[:limit])


def cases_of_requester(*, workspace: Workspace, party: Party) -> list[Case]:
    """What a customer sees in their portal: their own cases only."""
    return list(
        Case.objects.filter(workspace=workspace, requester=party).order_by("-updated_at", "-pk")
    )


def cases_of_order(*, order: Order, limit: int = 50) -> list[Case]:
    """The cases about one order, newest activity first."""
    return list(
        Case.objects.filter(workspace_id=order.workspace_id, order=order)
        .select_related("requester", "assignee", "team", "order")
        .prefetch_related("tags")
        .order_by("-updated_at", "-pk")[:limit]
    )


def events_of(case: Case) -> list[CaseEvent]:
    """A case's timeline events, oldest first, with who did each."""
    return list(
        case.events.select_related("actor_user", "actor_party").order_by("created_at", "pk")
    )


def assignable_user(*, workspace: Workspace, user_id: int) -> User | None:
    """A person who may be assigned a case of the workspace: an active member of it."""
    return User.objects.filter(pk=user_id, is_active=True, memberships__workspace=workspace).first()


def team_of(*, workspace: Workspace, team_id: int) -> Team | None:
    return Team.objects.filter(pk=team_id, workspace=workspace).first()


def tag_names_of(workspace: Workspace) -> list[str]:
    """The tags in use in a workspace, for filters and suggestions."""
    return list(Tag.objects.filter(workspace=workspace).values_list("name", flat=True))
