"""Handing over the cases of an agent who went offline, through the queues that would
take them now. What nobody can take stays with the agent, saying why once per time they
go offline; the profile's hand-over flag keeps trying (the next person online, the
periodic sweep). Locks as in assignment.py: queue, then profiles, then cases."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from ombuds.conversations.models import ACTIVE_STATUSES, Case, CaseEvent

from .. import events
from ..decisions import Candidate, decide
from ..models import PRIORITY_RANK, AgentProfile, Presence
from ..rules import first_fitting, uses_tags
from ..selectors import active_rules, online_pool
from ..skills import required_by
from .assignment import assign, facts_of, lock_cases, lock_queue, routing_writes

# An offline agent's cases are handed over at most this many per run.
HANDOVER_LIMIT = 500


@dataclass
class Handover:
    """The cases of an agent who went offline: moved to someone, or kept (and why)."""

    moved: list[tuple[Case, Candidate]] = field(default_factory=list)
    kept: list[tuple[Case, str]] = field(default_factory=list)
    skipped: bool = False  # the agent was no longer offline


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
        queue = lock_queue(queue_id)
        if queue is None:
            result.kept += [(case, "no_queue") for case in cases]
            return
        pool = online_pool(queue=queue, exclude_user_ids=(holder.user_id,), lock=True)
        locked = lock_cases([c.pk for c in cases])
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
            moved = assign(
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
