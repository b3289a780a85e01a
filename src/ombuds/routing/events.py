"""Routing's rows on the case timeline: why a case went to someone, why it waits, why it
stayed with an agent who went offline. One function per event; each stores the facts
(queue, strategy, loads, skills, who was considered) so the desk can say it in the
reader's language and the API can show the English `reason`."""

from __future__ import annotations

from datetime import datetime

from ombuds.conversations import events
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case, CaseEvent

from .decisions import Candidate, Decision, candidate_summary, nobody_text, reason_text
from .models import Queue

ROUTING = Actor.system("routing")

ASSIGNED = "routing.assigned"
QUEUED = "routing.queued"
KEPT = "routing.kept"


def _queue(queue: Queue | None) -> dict | None:
    if queue is None:
        return None
    return {"id": queue.pk, "name": queue.name, "team": queue.team.name}


def _person(user_id: int, name: str) -> dict:
    return {"id": user_id, "name": name}


def record_assigned(
    case: Case,
    *,
    queue: Queue,
    decision: Decision,
    agent: Candidate,
    previous: Candidate | None = None,
    waiting_since: datetime | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    waited = None
    if waiting_since is not None and at is not None:
        waited = max(0, int((at - waiting_since).total_seconds()))
    return events.record(
        case,
        ASSIGNED,
        ROUTING,
        before=_person(previous.user_id, previous.name) if previous else None,
        after=_person(agent.user_id, agent.name),
        data={
            "queue": _queue(queue),
            "strategy": decision.strategy,
            "reason": reason_text(decision, agent),
            "load": agent.load,
            "capacity": agent.capacity,
            "skills": [str(s) for s in decision.required],
            "online": len(decision.considered),
            "eligible": len(decision.ranked),
            "candidates": candidate_summary(decision),
            "waited_seconds": waited,
            "handover": previous is not None,
        },
        at=at,
    )


def record_queued(
    case: Case, *, queue: Queue, decision: Decision, at: datetime | None = None
) -> CaseEvent:
    return events.record(
        case,
        QUEUED,
        ROUTING,
        data={
            "queue": _queue(queue),
            "strategy": decision.strategy,
            "why": decision.why_nobody(),
            "reason": nobody_text(decision),
            "skills": [str(s) for s in decision.required],
            "online": len(decision.considered),
            "candidates": candidate_summary(decision),
        },
        at=at,
    )


def record_kept(
    case: Case,
    *,
    holder: Candidate,
    queue: Queue | None,
    decision: Decision | None,
    at: datetime | None = None,
) -> CaseEvent:
    """The holder went offline and nobody could take the case over."""
    why = decision.why_nobody() if decision is not None else "no_queue"
    return events.record(
        case,
        KEPT,
        ROUTING,
        before=_person(holder.user_id, holder.name),
        data={
            "queue": _queue(queue),
            "why": why,
            "reason": nobody_text(decision) if decision else "no queue takes this case",
            "skills": [str(s) for s in decision.required] if decision else [],
            "online": len(decision.considered) if decision else 0,
            "candidates": candidate_summary(decision) if decision else [],
        },
        at=at,
    )
