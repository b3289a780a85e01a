"""Which queue takes a case: active queues are tried in order, the first that fits wins.

Pure functions over the facts of a case, so every rule is decided the same way at
creation, on re-opening, when a backlog drains and when cases are handed over.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import Condition
from .skills import language_fits, normalize_code


@dataclass(frozen=True)
class Rule:
    """A queue's conditions, read without the rest of the queue: a decision reads every
    rule of the workspace but locks and uses only the one that fits."""

    pk: int
    team_id: int
    position: int
    channels: list[str]
    languages: list[str]
    topics: list[str]
    priorities: list[str]
    tags: list[str]
    vip: str
    public_post: str
    is_active: bool = True


RULE_FIELDS = (
    "pk",
    "team_id",
    "position",
    "channels",
    "languages",
    "topics",
    "priorities",
    "tags",
    "vip",
    "public_post",
    "is_active",
)


@dataclass(frozen=True)
class CaseFacts:
    """What routing looks at in a case."""

    channel: str = ""
    language: str = ""
    topic: str = ""
    priority: str = "normal"
    is_vip: bool = False
    is_public_post: bool = False
    tags: frozenset[str] = field(default_factory=frozenset)
    team_id: int | None = None


def _yes_no(condition: str, value: bool) -> bool:
    if condition == Condition.ONLY:
        return value
    if condition == Condition.EXCLUDE:
        return not value
    return True


def accepts(queue: Rule, facts: CaseFacts) -> bool:
    """Whether the queue's conditions let the case in; an empty list accepts everything."""
    if queue.channels and facts.channel not in queue.channels:
        return False
    if queue.languages and not language_fits(queue.languages, facts.language):
        return False
    if queue.topics and normalize_code(facts.topic) not in {
        normalize_code(t) for t in queue.topics
    }:
        return False
    if queue.priorities and facts.priority not in queue.priorities:
        return False
    if queue.tags and not facts.tags & {normalize_code(t) for t in queue.tags}:
        return False
    return _yes_no(queue.vip, facts.is_vip) and _yes_no(queue.public_post, facts.is_public_post)


def first_fitting(queues: Iterable[Rule], facts: CaseFacts) -> Rule | None:
    """The first active queue, in rule order, that takes the case. A case already in a
    team stays in it: only that team's queues are tried."""
    for queue in sorted(queues, key=lambda q: (q.position, q.pk)):
        if not queue.is_active:
            continue
        if facts.team_id is not None and queue.team_id != facts.team_id:
            continue
        if accepts(queue, facts):
            return queue
    return None


def uses_tags(queues: Iterable[Rule]) -> bool:
    """Whether any rule looks at tags, so a case's tags are read only when they matter."""
    return any(q.tags for q in queues if q.is_active)
