"""Routing for integrations and the agents' own tools: set one's presence, see the
queues with their backlogs and the people who work them.

Reads need cases.read; setting a presence needs cases.write (only people who work
cases take them). A queue of another workspace answers 404.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from ombuds.accounts.api_auth import can_read_cases, can_write_cases
from ombuds.accounts.models import Membership
from ombuds.core.errors import NotFound

from .schemas import AgentOut, BacklogEntryOut, PresenceIn, PresenceOut, QueueOut
from .selectors import backlog_of, queue_of, routing_overview, standing_of
from .services import set_presence

router = Router(tags=["routing"], auth=can_read_cases)


def _standing(member: Membership) -> dict:
    standing = standing_of(workspace=member.workspace, user=member.user)
    return {
        "presence": standing.presence,
        "changed_at": standing.changed_at,
        "capacity": standing.capacity,
        "active": standing.active,
        "hand_over_pending": standing.hand_over_pending,
    }


@router.get("/routing/presence", response=PresenceOut)
def get_presence(request: HttpRequest):
    """The caller's presence, capacity and active cases."""
    return _standing(request.auth)


@router.put("/routing/presence", auth=can_write_cases, response=PresenceOut)
def put_presence(request: HttpRequest, payload: PresenceIn):
    """Go online (the backlogs you serve drain to you), away (keep your cases, get no
    new ones) or offline (your active cases are handed to colleagues after this
    commits; those nobody can take stay with you and say so on their timeline)."""
    member: Membership = request.auth
    set_presence(membership=member, presence=payload.presence)
    return _standing(member)


@router.get("/routing/queues", response=list[QueueOut])
def list_queues(request: HttpRequest):
    """The workspace's queues in rule order, with their backlogs and who is online."""
    overview = routing_overview(workspace=request.auth.workspace, include_inactive=True)
    return [
        {
            "id": row.queue.pk,
            "name": row.queue.name,
            "team": row.queue.team.name,
            "position": row.queue.position,
            "strategy": row.queue.strategy,
            "is_active": row.queue.is_active,
            "backlog": row.backlog,
            "pressing": row.pressing,
            "oldest_waiting_since": row.oldest,
            "agents_online": row.online,
            "free_slots": row.free_slots,
        }
        for row in overview.queues
    ]


@router.get("/routing/queues/{queue_id}/backlog", response=list[BacklogEntryOut])
def list_backlog(request: HttpRequest, queue_id: int):
    """The cases waiting in a queue, in the order they will be handed out (at most 50)."""
    queue = queue_of(workspace=request.auth.workspace, queue_id=queue_id)
    if queue is None:
        raise NotFound("queue", queue_id)
    return [
        {
            "reference": entry.case.reference,
            "subject": entry.case.subject,
            "priority": entry.case.priority,
            "pressing": entry.pressing,
            "waiting_since": entry.waiting_since,
        }
        for entry in backlog_of(queue=queue)
    ]


@router.get("/routing/agents", response=list[AgentOut])
def list_agents(request: HttpRequest):
    """Everyone who works cases: presence, capacity, active cases, skills and teams."""
    overview = routing_overview(workspace=request.auth.workspace)
    return [
        {
            "id": row.user.pk,
            "name": row.user.display_name,
            "role": row.membership.role,
            "presence": row.presence,
            "capacity": row.capacity,
            "active": row.load,
            "skills": [str(s) for s in row.skills],
            "teams": [t.name for t in row.teams],
        }
        for row in overview.agents
    ]
