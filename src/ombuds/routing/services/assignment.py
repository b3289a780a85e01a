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
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ombuds.conversations.models import ACTIVE_STATUSES, Case, CaseEvent
from ombuds.conversations.services import update_case

from .. import events
from ..decisions import Candidate, Decision, decide
from ..events import ROUTING
from ..models import PRIORITY_RANK, AgentProfile, Presence, Queue, QueueEntry, Strategy
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
# An offline agent's cases are handed over at most this many per run.
HANDOVER_LIMIT = 500

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


@dataclass
class Handover:
    """The cases of an agent who went offline: moved to someone, or kept (and why)."""

    moved: list[tuple[Case, Candidate]] = field(default_factory=list)
    kept: list[tuple[Case, str]] = field(default_factory=list)
    skipped: bool = False  # the agent was no longer offline


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


def _lock_queue(queue_id: int) -> Queue | None:
    return (
        Queue.objects.select_for_update(of=("self",))
        .select_related("team")
        .filter(pk=queue_id, is_active=True)
        .first()
    )


def _assign(
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
    queue = _lock_queue(rule.pk)
    if queue is None:
        return None
    pool = online_pool(queue=queue, lock=True)
    decision = _decide(case, queue, pool)
    agent = decision.chosen
    if agent is None:
        _enqueue(case, queue=queue, decision=decision, new=new)
        return Outcome(case=case, queue=queue, decision=decision, agent=None)
    case = _assign(case, queue=queue, pool=pool, decision=decision, agent=agent, waiting=not new)
    return Outcome(case=case, queue=queue, decision=decision, agent=agent)


def _locked_cases(case_ids: list[int]) -> dict[int, Case]:
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
        queue = _lock_queue(queue_id)
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
            cases = _locked_cases([case_id for case_id, _ in chunk])
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
                case = _assign(
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


def _holder(profile: AgentProfile) -> Candidate:
    return Candidate(
        user_id=profile.user_id,
        name=profile.user.display_name,
        capacity=profile.capacity,
        load=0,
        profile_id=profile.pk,
    )


def hand_over_cases(*, workspace_id: int, user_id: int) -> Handover:
    """An agent went offline: give their active cases to others through the queues that
    would take them now. Cases nobody can take stay with the agent, each with a timeline
    row saying why (once per time they go offline)."""
    profile = (
        AgentProfile.objects.select_related("user")
        .filter(workspace_id=workspace_id, user_id=user_id)
        .first()
    )
    if profile is None or profile.presence != Presence.OFFLINE:
        return Handover(skipped=True)
    holder = _holder(profile)
    held = list(
        Case.objects.filter(
            workspace_id=workspace_id, assignee_id=user_id, status__in=ACTIVE_STATUSES
        )
        .select_related("requester", "team")
        .order_by("created_at", "pk")[:HANDOVER_LIMIT]
    )
    held.sort(key=_backlog_key)
    rules = active_rules(workspace_id=workspace_id)
    with_tags = uses_tags(rules)
    by_queue: dict[int, list[Case]] = {}
    result = Handover()
    unrouted = []
    for case in held:
        rule = first_fitting(rules, facts_of(case, with_tags=with_tags))
        if rule is None:
            unrouted.append(case)
        else:
            by_queue.setdefault(rule.pk, []).append(case)
    told = set(
        CaseEvent.objects.filter(
            case_id__in=[c.pk for c in held],
            kind=events.KEPT,
            created_at__gte=profile.presence_changed_at,
        ).values_list("case_id", flat=True)
    )
    for case in unrouted:
        result.kept.append((case, "no_queue"))
        if case.pk not in told:
            with transaction.atomic(), routing_writes():
                events.record_kept(case, holder=holder, queue=None, decision=None)
    for queue_id, cases in by_queue.items():
        _hand_over_in_queue(queue_id, cases, holder=holder, told=told, result=result)
    if len(result.moved) == len(held) < HANDOVER_LIMIT:
        AgentProfile.objects.filter(pk=profile.pk, presence=Presence.OFFLINE).update(
            hand_over=False
        )
    return result


def _hand_over_in_queue(
    queue_id: int, cases: list[Case], *, holder: Candidate, told: set[int], result: Handover
) -> None:
    with transaction.atomic():
        queue = _lock_queue(queue_id)
        if queue is None:
            result.kept += [(case, "no_queue") for case in cases]
            return
        pool = online_pool(queue=queue, exclude_user_ids=(holder.user_id,), lock=True)
        locked = _locked_cases([c.pk for c in cases])
        live = {c.user_id: c for c in pool.candidates}
        for case in cases:
            current = locked.get(case.pk)
            if current is None or current.assignee_id != holder.user_id:
                continue  # being written right now, or someone took it meanwhile
            if current.status not in ACTIVE_STATUSES:
                continue
            decision = decide(
                live.values(),
                required=required_by(
                    queue, language=current.language, channel=current.channel, topic=current.topic
                ),
                strategy=queue.strategy,
                last_assignee_id=queue.last_assignee_id,
            )
            agent = decision.chosen
            if agent is None:
                result.kept.append((current, decision.why_nobody()))
                if current.pk not in told:
                    with routing_writes():
                        events.record_kept(current, holder=holder, queue=queue, decision=decision)
                continue
            moved = _assign(
                current,
                queue=queue,
                pool=pool,
                decision=decision,
                agent=agent,
                previous=holder,
                waiting=False,
            )
            live[agent.user_id] = agent.with_load(agent.load + 1)
            result.moved.append((moved, agent))


def _backlog_key(case: Case):
    pressing = bool(case.requester.is_vip or case.is_public_post)
    return (not pressing, -PRIORITY_RANK.get(case.priority, 1), case.created_at, case.pk)


def retry_hand_overs(*, workspace_id: int) -> Handover:
    """Someone came online: try again to hand over the cases offline colleagues still
    hold (they stayed because nobody could take them)."""
    total = Handover()
    for user_id in AgentProfile.objects.filter(
        workspace_id=workspace_id, presence=Presence.OFFLINE, hand_over=True
    ).values_list("user_id", flat=True):
        done = hand_over_cases(workspace_id=workspace_id, user_id=user_id)
        total.moved += done.moved
        total.kept += done.kept
    return total


def sweep() -> dict[str, int]:
    """The periodic safety net: drain every backlog someone could take from, and retry
    the hand-over of offline agents who still hold cases. A lost wake-up only delays."""
    drained = 0
    for queue_id in (
        Queue.objects.filter(is_active=True, entries__isnull=False)
        .order_by("workspace_id", "position", "pk")
        .values_list("pk", flat=True)
        .distinct()
    ):
        drained += len(drain_queue(queue_id=queue_id))
    moved = 0
    for workspace_id, user_id in AgentProfile.objects.filter(
        presence=Presence.OFFLINE, hand_over=True
    ).values_list("workspace_id", "user_id"):
        moved += len(hand_over_cases(workspace_id=workspace_id, user_id=user_id).moved)
    return {"drained": drained, "moved": moved}
