"""Writes about the people routing gives cases to: presence, capacity and skills.

What a change frees up runs after it commits (a drain when someone comes online or gets
more room, a hand-over when someone goes offline): decided on committed rows, in its own
transactions, so it never holds the agent's row while it waits for a queue's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ombuds.accounts.models import Membership
from ombuds.core.errors import ApplicationError, PermissionDenied

from ..models import MAX_CAPACITY, AgentProfile, AgentSkill, Presence
from ..selectors import may_manage_routing, may_take_cases
from ..skills import Skill, skill_set
from .assignment import Outcome, drain_for_agent
from .handover import Handover, hand_over_cases, retry_hand_overs

log = logging.getLogger(__name__)


@dataclass
class PresenceChange:
    """A presence switch and, once it has committed, what it set in motion."""

    profile: AgentProfile
    before: str
    after: str
    handover: Handover | None = None
    drained: list[Outcome] | None = None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _profile_for_update(membership: Membership) -> AgentProfile:
    profile, _ = AgentProfile.objects.select_for_update().get_or_create(
        membership=membership,
        defaults={
            "workspace_id": membership.workspace_id,
            "user_id": membership.user_id,
            "presence_changed_at": timezone.now(),
        },
    )
    return profile


def set_presence(*, membership: Membership, presence: str) -> PresenceChange:
    """An agent says whether they take cases now. Online drains the backlogs they serve;
    offline hands their active cases to others (those nobody can take stay, saying why);
    away keeps their cases but brings no new ones."""
    if presence not in Presence.values:
        raise ApplicationError(
            "unknown_presence",
            f"{presence!r} is not a presence.",
            details={"allowed": Presence.values},
            status=422,
        )
    if not may_take_cases(membership):
        raise PermissionDenied(f"The {membership.role} role takes no cases.")
    with transaction.atomic():
        profile = _profile_for_update(membership)
        change = PresenceChange(profile=profile, before=profile.presence, after=presence)
        if not change.changed:
            return change
        profile.presence = presence
        profile.presence_changed_at = timezone.now()
        profile.hand_over = presence == Presence.OFFLINE
        profile.save(update_fields=["presence", "presence_changed_at", "hand_over", "updated_at"])
        workspace_id, user_id = membership.workspace_id, membership.user_id
        if presence == Presence.ONLINE:

            def drain() -> None:
                change.drained = drain_for_agent(workspace_id=workspace_id, user_id=user_id)
                retry_hand_overs(workspace_id=workspace_id)

            transaction.on_commit(drain, robust=True)
        elif presence == Presence.OFFLINE:

            def hand_over() -> None:
                change.handover = hand_over_cases(workspace_id=workspace_id, user_id=user_id)

            transaction.on_commit(hand_over, robust=True)
    return change


def _check_manager(by: Membership, workspace_id: int) -> None:
    if by.workspace_id != workspace_id or not may_manage_routing(by):
        raise PermissionDenied("Only supervisors and admins set skills and capacity.")


def configure_agent(
    *, membership: Membership, by: Membership, capacity: int, skills: Iterable[Skill]
) -> AgentProfile:
    """A supervisor sets how many active cases someone may hold and what they handle.
    More room or new skills drain the backlogs they serve once this commits."""
    _check_manager(by, membership.workspace_id)
    if not may_take_cases(membership):
        raise ApplicationError(
            "not_routable",
            f"The {membership.role} role takes no cases; give them an agent role first.",
            status=422,
        )
    if not isinstance(capacity, int) or not 0 <= capacity <= MAX_CAPACITY:
        raise ApplicationError(
            "invalid_capacity",
            f"Capacity is a whole number from 0 to {MAX_CAPACITY}.",
            details={"field": "capacity", "value": capacity},
            status=422,
        )
    wanted = set(skill_set((s.kind, s.code) for s in skills))
    with transaction.atomic():
        profile = _profile_for_update(membership)
        have = {
            Skill(kind, code): pk
            for pk, kind, code in profile.skills.values_list("pk", "kind", "code")
        }
        gone = [pk for s, pk in have.items() if s not in wanted]
        added = sorted(wanted - set(have))
        if gone:
            AgentSkill.objects.filter(pk__in=gone).delete()
        AgentSkill.objects.bulk_create(
            AgentSkill(workspace_id=profile.workspace_id, profile=profile, kind=s.kind, code=s.code)
            for s in added
        )
        more_room = capacity > profile.capacity
        if capacity != profile.capacity:
            profile.capacity = capacity
            profile.save(update_fields=["capacity", "updated_at"])
        if profile.presence == Presence.ONLINE and (more_room or added):
            workspace_id, user_id = profile.workspace_id, profile.user_id
            transaction.on_commit(
                lambda: drain_for_agent(workspace_id=workspace_id, user_id=user_id), robust=True
            )
    return profile
