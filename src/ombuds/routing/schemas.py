"""What API clients send about routing, and what they get back."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema

from ombuds.marketplace.schemas import Input

from .models import Presence, Strategy


class PresenceIn(Input):
    presence: Presence


class PresenceOut(Schema):
    presence: Presence
    changed_at: datetime | None
    capacity: int
    active: int
    hand_over_pending: bool


class QueueOut(Schema):
    id: int
    name: str
    team: str
    position: int
    strategy: Strategy
    is_active: bool
    backlog: int
    pressing: int
    oldest_waiting_since: datetime | None
    agents_online: int
    free_slots: int


class BacklogEntryOut(Schema):
    reference: str
    subject: str
    priority: str
    pressing: bool
    waiting_since: datetime


class AgentOut(Schema):
    id: int
    name: str
    role: str
    presence: Presence
    capacity: int
    active: int
    skills: list[str]
    teams: list[str]
