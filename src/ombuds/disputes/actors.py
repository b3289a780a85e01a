"""Who acts on a dispute: the buyer, the seller, an agent of the platform, or the system
(the deadline sweep, a chargeback). One value carries it to the table, the timeline and
the ledger."""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.accounts.models import Membership, User
from ombuds.conversations.events import Actor
from ombuds.ledger.authority import MoneyActor
from ombuds.marketplace.models import Party

from .models import Role


@dataclass(frozen=True)
class DisputeActor:
    role: str
    party: Party | None = None
    user: User | None = None
    member_role: str | None = None  # the agent's role in the workspace (authority limits)
    label: str = ""

    @classmethod
    def buyer(cls, party: Party, *, label: str = "") -> DisputeActor:
        return cls(Role.BUYER, party=party, label=label)

    @classmethod
    def seller(cls, party: Party, *, label: str = "") -> DisputeActor:
        return cls(Role.SELLER, party=party, label=label)

    @classmethod
    def agent(cls, membership: Membership) -> DisputeActor:
        return cls(Role.AGENT, user=membership.user, member_role=membership.role)

    @classmethod
    def system(cls, label: str) -> DisputeActor:
        return cls(Role.SYSTEM, label=label)

    @classmethod
    def from_any(cls, actor) -> DisputeActor:
        """A dispute actor from what another app holds: a case `Actor`, or a money
        actor (a user with a `role`): an agent when it names a user, the system when not."""
        if isinstance(actor, DisputeActor):
            return actor
        if isinstance(actor, Actor):
            if actor.user is not None:
                return cls(Role.AGENT, user=actor.user, label=actor.label)
            return cls.system(actor.label or "system")
        if hasattr(actor, "user") and hasattr(actor, "role"):
            if actor.user is not None:
                return cls(Role.AGENT, user=actor.user, member_role=actor.role)
            return cls.system(getattr(actor, "label", "") or "system")
        raise TypeError(f"not an actor: {actor!r}")

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    def on_case(self) -> Actor:
        """The same person on the case timeline."""
        return Actor(user=self.user, party=self.party, label=self.label)

    def __str__(self) -> str:
        if self.user is not None:
            return self.user.display_name
        if self.party is not None:
            return str(self.party)
        return self.label or "system"


def money_actor(actor: DisputeActor) -> MoneyActor:
    """Who the ledger sees moving a dispute's money: an agent in their role (held to
    its limits), otherwise the dispute process itself, acting on what a party agreed to."""
    if actor.role == Role.AGENT and actor.user is not None:
        return MoneyActor(user=actor.user, role=actor.member_role, label=actor.label)
    return MoneyActor.system(f"disputes ({actor.role})")
