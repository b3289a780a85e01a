"""Builders for routing scenarios: agents with skills, presence and capacity in a team,
and queues. Every write goes through the routing services."""

from __future__ import annotations

from ombuds.accounts.models import Membership, Team, User
from ombuds.accounts.services import add_member, create_team
from ombuds.core.models import Workspace
from ombuds.routing.models import Presence, Queue
from ombuds.routing.services import QueueSpec, configure_agent, create_queue, set_presence
from ombuds.routing.skills import Skill

SUPERVISOR_EMAIL = "lead@routing.test"


def supervisor(ws: Workspace) -> Membership:
    return add_member(workspace=ws, email=f"lead@{ws.slug}.test", role="supervisor", name="Lead")


def agent(
    ws: Workspace,
    name: str,
    *,
    team: Team | None = None,
    languages: tuple[str, ...] = ("en",),
    channels: tuple[str, ...] = (),
    topics: tuple[str, ...] = (),
    capacity: int = 5,
    presence: str = Presence.ONLINE,
    role: str = "agent",
) -> User:
    membership = add_member(
        workspace=ws, email=f"{name.lower()}@{ws.slug}.test", role=role, name=name
    )
    if team is not None:
        team.members.add(membership.user)
    skills = [Skill("language", c) for c in languages]
    skills += [Skill("channel", c) for c in channels]
    skills += [Skill("topic", c) for c in topics]
    configure_agent(membership=membership, by=supervisor(ws), capacity=capacity, skills=skills)
    if presence != Presence.OFFLINE:
        set_presence(membership=membership, presence=presence)
    return membership.user


def team(ws: Workspace, name: str = "Support") -> Team:
    return create_team(workspace=ws, name=name)


def queue(ws: Workspace, name: str, *, team: Team, **fields) -> Queue:
    return create_queue(by=supervisor(ws), spec=QueueSpec(name=name, team=team, **fields))


def membership(ws: Workspace, user: User) -> Membership:
    return Membership.objects.get(workspace=ws, user=user)
