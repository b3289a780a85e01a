"""Timeline rows: one function writes every event, so each carries actor and time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.marketplace.models import Party

from .models import Case, CaseEvent, Message


@dataclass(frozen=True)
class Actor:
    """Who did it: an agent, a customer or a system (the marketplace API, the scheduler)."""

    user: User | None = None
    party: Party | None = None
    label: str = ""

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(label=label)

    def __str__(self) -> str:
        return str(self.user or self.party or self.label or "system")


def record(
    case: Case,
    kind: str,
    actor: Actor,
    *,
    before: Any = None,
    after: Any = None,
    data: dict | None = None,
    message: Message | None = None,
    at=None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        workspace_id=case.workspace_id,
        case=case,
        kind=kind,
        actor_user=actor.user,
        actor_party=actor.party,
        actor_label=actor.label or str(actor),
        before=before,
        after=after,
        data=data or {},
        message=message,
        created_at=at or timezone.now(),
    )
