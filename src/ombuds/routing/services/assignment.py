"""Giving cases to people: a new or re-opened case, a backlog when someone becomes free,
the cases of an agent who went offline.

Locks, always in this order, so two routings never wait on each other in a circle:
the queue row (serialises decisions in one queue; round robin's pointer lives there),
then the profile rows of the team's online members in id order (serialises decisions
that share an agent across queues), then case rows. Loads are counted after the
profile locks, so they stay true until commit: a decision in another queue may just
have filled someone. A drain skips cases another transaction is writing instead of
waiting for them. SQLite has one writer at a time, so there nothing is locked and the
count is the truth already.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ombuds.conversations.models import ACTIVE_STATUSES, Case
from ombuds.conversations.services import update_case

from .. import events
from ..decisions import Candidate, Decision, decide
from ..events import ROUTING
from ..models import PRIORITY_RANK, AgentProfile, Queue, QueueEntry, Strategy
from ..rules import CaseFacts, first_fitting, uses_tags
from ..selectors import BACKLOG_ORDER, Pool, active_rules, online_pool
from ..skills import normalize_code, required_by

log = logging.getLogger(__name__)

# One drain hands out at most this many cases per queue and transaction; a longer
# backlog continues in the next batch. It looks at most SCAN_LIMIT waiting cases (in
# backlog order), locking them LOCK_CHUNK at a time.
DRAIN_BATCH = 50
SCAN_LIMIT = 1000
LOCK_CHUNK = 50

_routing_writes: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "routing_writes", default=False
)


@contextlib.contextmanager
def routing_writes() -> Iterator[None]:
    """Marks the case changes routing itself makes, so its listener does not react to
    its own assignments."""
    token = _routing_writes.set(True)
    try:
        yield
    finally:
        _routing_writes.reset(token)


def is_routing_write() -> bool:
    return _routing_writes.get()


@dataclass(frozen=True)
class Outcome:
    """What routing did with one case: gave it to `agent`, or left it waiting."""

    case: Case
    queue: Queue
    decision: Decision
    agent: Candidate | None

    @property
    def assigned(self) -> bool:
        return self.agent is not None


def facts_of(case: Case, *, with_tags: bool) -> CaseFacts:
    tags = frozenset()
    if with_tags:
        tags = frozenset(normalize_code(t) for t in case.tags.values_list("name", flat=True))
    return CaseFacts(
        channel=case.channel,
        language=case.language,
        topic=case.topic,
        priority=case.priority,
        is_vip=bool(case.requester.is_vip),
        is_public_post=case.is_public_post,
        tags=tags,
        team_id=case.team_id,
    )


def lock_queue(queue_id: int) -> Queue | None:
    return (
        Queue.objects.select_for_update(of=("self",))
        .select_related("team")
        .filter(pk=queue_id, is_active=True)
        .first()
    )


def assign(
    case: Case,
    *,
    queue: Queue,
    pool: Pool,
    decision: Decision,
    agent: Candidate,
    previous: Candidate | None = None,
    waiting_since: datetime | None = None,
    waiting: bool = True,
) -> Case:
    with routing_writes():
        case = update_case(
            case=case, actor=ROUTING, assignee=pool.users[agent.user_id], team=queue.team
        )
        # Stamped after the assignment, so the timeline reads "what" before "why".
        now = timezone.now()
        events.record_assigned(
            case,
            queue=queue,
            decision=decision,
            agent=agent,
            previous=previous,
            waiting_since=waiting_since,
            at=now,
        )
    AgentProfile.objects.filter(pk=agent.profile_id).update(last_assigned_at=now)
    if queue.strategy == Strategy.ROUND_ROBIN:
        Queue.objects.filter(pk=queue.pk).update(last_assignee_id=agent.user_id)
        queue.last_assignee_id = agent.user_id
    if waiting:
        QueueEntry.objects.filter(case_id=case.pk).delete()
    return case


def _enqueue(case: Case, *, queue: Queue, decision: Decision, new: bool = False) -> None:
    now = timezone.now()
    fields = {
        "workspace_id": case.workspace_id,
        "queue": queue,
        "pressing": bool(case.requester.is_vip or case.is_public_post),
        "priority_rank": PRIORITY_RANK.get(case.priority, 1),
        "waiting_since": now,
    }
    if new:
        entry, created = QueueEntry.objects.create(case=case, **fields), True
    else:
        entry, created = QueueEntry.objects.get_or_create(case=case, defaults=fields)
    moved = not created and entry.queue_id != queue.pk
    if moved:
        entry.queue = queue
        entry.waiting_since = now
        entry.save(update_fields=["queue", "waiting_since"])
    with routing_writes():
        if case.team_id != queue.team_id:
            case = update_case(case=case, actor=ROUTING, team=queue.team)
        if created or moved:
            events.record_queued(case, queue=queue, decision=decision, at=now)


def _decide(case: Case, queue: Queue, pool: Pool) -> Decision:
    return decide(
        pool.candidates,
        required=required_by(queue, language=case.language, channel=case.channel, topic=case.topic),
        strategy=queue.strategy,
        last_assignee_id=queue.last_assignee_id,
    )


# No savepoint of its own: routing runs inside the transaction that opened or re-opened
# the case, and a failure there rolls that whole change back (ADR 0005) anyway.
@transaction.atomic(savepoint=False)
def route_case(*, case: Case, new: bool = False) -> Outcome | None:
    """Give a new (or re-opened, unassigned) case to the person its queue's strategy
    picks, or leave it in that queue's backlog when nobody can take it now. None when no
    queue takes the case. Call inside the transaction that opened the case; `new` says
    it was opened just now, so it cannot be waiting in a backlog yet."""
    rules = active_rules(workspace_id=case.workspace_id)
    if not rules:
        return None
    rule = first_fitting(rules, facts_of(case, with_tags=uses_tags(rules)))
    if rule is None:
        return None
    queue = lock_queue(rule.pk)
    if queue is None:
        return None
    pool = online_pool(queue=queue, lock=True)
    decision = _decide(case, queue, pool)
    agent = decision.chosen
    if agent is None:
        _enqueue(case, queue=queue, decision=decision, new=new)
        return Outcome(case=case, queue=queue, decision=decision, agent=None)
    case = assign(case, queue=queue, pool=pool, decision=decision, agent=agent, waiting=not new)
    return Outcome(case=case, queue=queue, decision=decision, agent=agent)


def lock_cases(case_ids: list[int]) -> dict[int, Case]:
    # Cases another transaction is writing right now are skipped, not waited for: the
    # writer may be about to queue on a lock this drain holds. The next drain takes them.
    return {
        c.pk: c
        for c in Case.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("requester", "team")
        .filter(pk__in=case_ids)
    }


def drain_queue(*, queue_id: int, limit: int = DRAIN_BATCH) -> list[Outcome]:
    """Hand out up to `limit` cases of a queue's backlog to whoever has room, in backlog
    order: VIP requesters and public posts first, then by priority, then the longest
    waiting. A case nobody online can take (a language nobody speaks) is passed over,
    not blocking the rest; at most SCAN_LIMIT waiting cases are looked at per call."""
    with transaction.atomic():
        queue = lock_queue(queue_id)
        if queue is None:
            return []
        # Holding every candidate's row, this drain's counts stay true to the end.
        pool = online_pool(queue=queue, lock=True)
        if not pool.with_room():
            return []
        entries = list(
            QueueEntry.objects.filter(queue=queue)
            .order_by(*BACKLOG_ORDER)
            .values_list("case_id", "waiting_since")[:SCAN_LIMIT]
        )
        live = {c.user_id: c for c in pool.candidates}
        outcomes: list[Outcome] = []
        for start in range(0, len(entries), LOCK_CHUNK):
            chunk = entries[start : start + LOCK_CHUNK]
            cases = lock_cases([case_id for case_id, _ in chunk])
            for case_id, waiting_since in chunk:
                case = cases.get(case_id)
                if case is None:
                    continue
                if case.assignee_id is not None or case.status not in ACTIVE_STATUSES:
                    QueueEntry.objects.filter(case_id=case_id).delete()  # taken, or done
                    continue
                decision = decide(
                    live.values(),
                    required=required_by(
                        queue, language=case.language, channel=case.channel, topic=case.topic
                    ),
                    strategy=queue.strategy,
                    last_assignee_id=queue.last_assignee_id,
                )
                agent = decision.chosen
                if agent is None:
                    continue
                case = assign(
                    case,
                    queue=queue,
                    pool=pool,
                    decision=decision,
                    agent=agent,
                    waiting_since=waiting_since,
                )
                live[agent.user_id] = agent.with_load(agent.load + 1)
                outcomes.append(Outcome(case=case, queue=queue, decision=decision, agent=agent))
                if len(outcomes) >= limit or not any(c.has_room for c in live.values()):
                    return outcomes
        return outcomes


def queues_served_by(*, workspace_id: int, user_id: int) -> list[int]:
    """Active queues of the teams this person is in that have a backlog, in rule order."""
    return list(
        Queue.objects.filter(
            workspace_id=workspace_id, is_active=True, team__members=user_id, entries__isnull=False
        )
        .order_by("position", "pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def drain_for_agent(*, workspace_id: int, user_id: int, batches: int = 10) -> list[Outcome]:
    """Someone became free (came online, closed a case, got more capacity): drain the
    backlogs of the queues they serve, first queue first."""
    outcomes: list[Outcome] = []
    for queue_id in queues_served_by(workspace_id=workspace_id, user_id=user_id):
        for _ in range(batches):
            batch = drain_queue(queue_id=queue_id)
            outcomes += batch
            if len(batch) < DRAIN_BATCH:
                break
    return outcomes
