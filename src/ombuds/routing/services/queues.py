"""Writes about queues: the routing rules supervisors and admins keep."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from ombuds.accounts.models import Membership, Team
from ombuds.conversations.models import Channel, Priority
from ombuds.core.errors import ApplicationError, PermissionDenied

from ..models import Condition, Queue, QueueEntry, Strategy
from ..selectors import may_manage_routing
from ..skills import MAX_CODE, normalize_code

MAX_VALUES = 30


@dataclass
class QueueSpec:
    """Everything a queue is, as a supervisor describes it."""

    name: str
    team: Team
    strategy: str = Strategy.LEAST_LOADED
    position: int = 0
    is_active: bool = True
    channels: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    vip: str = Condition.ANY
    public_post: str = Condition.ANY
    match_language: bool = True
    match_channel: bool = False
    match_topic: bool = False


def _refuse(code: str, message: str, name: str, value=None):
    raise ApplicationError(
        code, message, details={"field": name, "value": value}, status=422
    ) from None


def _choices(values: Iterable[str], allowed: list[str], name: str) -> list[str]:
    values = list(dict.fromkeys(values or []))
    if bad := [v for v in values if v not in allowed]:
        raise ApplicationError(
            f"unknown_{name}",
            f"Not a {name.rstrip('s')}: {', '.join(map(str, bad))}.",
            details={"field": name, "allowed": allowed, "value": bad},
            status=422,
        )
    return values


def _codes(values: Iterable[str], name: str) -> list[str]:
    codes = list(dict.fromkeys(normalize_code(v) for v in values or [] if normalize_code(v)))
    if len(codes) > MAX_VALUES:
        _refuse("too_many_values", f"A queue lists at most {MAX_VALUES} {name}.", name)
    if too_long := [c for c in codes if len(c) > MAX_CODE]:
        _refuse("value_too_long", f"{name} are at most {MAX_CODE} characters.", name, too_long)
    return codes


def check_queue(spec: QueueSpec, *, workspace_id: int, exclude_pk: int | None = None) -> QueueSpec:
    """The spec with its values normalized, or a refusal naming the field."""
    name = " ".join((spec.name or "").split())
    if not name:
        _refuse("empty_name", "A queue needs a name.", "name")
    if len(name) > 100:
        _refuse("name_too_long", "A queue name is at most 100 characters.", "name")
    if spec.team is None or spec.team.workspace_id != workspace_id:
        _refuse("unknown_team", "No such team in this workspace.", "team")
    if spec.strategy not in Strategy.values:
        _refuse("unknown_strategy", f"{spec.strategy!r} is not a strategy.", "strategy")
    if not isinstance(spec.position, int) or not 0 <= spec.position <= 10_000:
        _refuse("invalid_position", "The position is a number from 0 to 10000.", "position")
    for flag in ("vip", "public_post"):
        if getattr(spec, flag) not in Condition.values:
            _refuse("unknown_condition", f"{getattr(spec, flag)!r} is not a condition.", flag)
    taken = Queue.objects.filter(workspace_id=workspace_id, name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        _refuse("queue_exists", f"A queue called {name!r} already exists.", "name", name)
    spec.name = name
    spec.channels = _choices(spec.channels, Channel.values, "channels")
    spec.priorities = _choices(spec.priorities, Priority.values, "priorities")
    spec.languages = _codes(spec.languages, "languages")
    spec.topics = _codes(spec.topics, "topics")
    spec.tags = _codes(spec.tags, "tags")
    return spec


def _check_manager(by: Membership, workspace_id: int) -> None:
    if by.workspace_id != workspace_id or not may_manage_routing(by):
        raise PermissionDenied("Only supervisors and admins change queues.")


_FIELDS = (
    "name",
    "team",
    "strategy",
    "position",
    "is_active",
    "channels",
    "languages",
    "topics",
    "priorities",
    "tags",
    "vip",
    "public_post",
    "match_language",
    "match_channel",
    "match_topic",
)


@transaction.atomic
def create_queue(*, by: Membership, spec: QueueSpec) -> Queue:
    """A new queue (and the rule that fills it) for one of the workspace's teams."""
    _check_manager(by, by.workspace_id)
    spec = check_queue(spec, workspace_id=by.workspace_id)
    return Queue.objects.create(
        workspace_id=by.workspace_id, **{name: getattr(spec, name) for name in _FIELDS}
    )


@dataclass(frozen=True)
class QueueUpdate:
    queue: Queue
    released: int = 0  # backlog cases let go because the queue was switched off


@transaction.atomic
def update_queue(*, queue: Queue, by: Membership, spec: QueueSpec) -> QueueUpdate:
    """Change a queue. Switching it off lets its backlog go: the cases stay unassigned
    in the team's inbox. A queue with a backlog keeps its team."""
    _check_manager(by, queue.workspace_id)
    queue = Queue.objects.select_for_update().get(pk=queue.pk)
    spec = check_queue(spec, workspace_id=queue.workspace_id, exclude_pk=queue.pk)
    waiting = QueueEntry.objects.filter(queue=queue)
    if spec.team.pk != queue.team_id and waiting.exists():
        _refuse(
            "queue_has_backlog",
            "Cases wait in this queue for its team; switch the queue off (which lets them "
            "go) before moving it to another team.",
            "team",
        )
    released = 0
    if queue.is_active and not spec.is_active:
        released, _ = waiting.delete()
    for name in _FIELDS:
        setattr(queue, name, getattr(spec, name))
    queue.save()
    return QueueUpdate(queue=queue, released=released)
