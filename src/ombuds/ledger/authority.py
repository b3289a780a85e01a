"""Who may move how much: a role's authority limit from the policy, the order's
resolution budget, and who an approval above them goes to."""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.accounts.models import Membership, Role, User
from ombuds.accounts.roles import DECIDE_APPROVALS, MOVE_MONEY, role_allows
from ombuds.conversations.events import Actor
from ombuds.core.errors import ApplicationError, PermissionDenied
from ombuds.core.money import Money
from ombuds.marketplace.models import Order
from ombuds.policies.document import Policy
from ombuds.policies.models import ActionKind, BudgetKind

# Who an approval may go to, lowest first: it goes to the first whose limit covers it.
APPROVER_ROLES = (Role.SUPERVISOR, Role.FINANCE, Role.ADMIN)
# Resolutions held to a budget of the order besides the actor's own limit.
BUDGETS = {ActionKind.REBOOKING: BudgetKind.REBOOKING, ActionKind.CREDIT: BudgetKind.COMPENSATION}


@dataclass(frozen=True)
class MoneyActor:
    """Who moves money: a member acting in their role, or the system acting by policy
    (a lost chargeback, a deadline that decides), which no limit holds back."""

    user: User | None = None
    role: str | None = None
    label: str = ""

    @classmethod
    def member(cls, membership: Membership) -> MoneyActor:
        return cls(user=membership.user, role=membership.role)

    @classmethod
    def system(cls, label: str) -> MoneyActor:
        return cls(label=label)

    @property
    def is_system(self) -> bool:
        return self.user is None

    def on_case(self) -> Actor:
        return Actor(user=self.user, label=self.label)

    def __str__(self) -> str:
        return str(self.user) if self.user is not None else self.label or "system"


@dataclass(frozen=True)
class AuthorityCheck:
    allowed: bool
    hold_reason: str = ""  # "over_limit" or "over_budget" when not allowed
    limit: int | None = None  # the actor's limit for this action and currency; None: none
    budget: Money | None = None  # the order's budget for this kind of resolution
    routed_to: str | None = None  # the role the approval goes to


def budget_for(policy: Policy, kind: str, order: Order | None) -> Money | None:
    if order is None or kind not in BUDGETS:
        return None
    return policy.budget(BUDGETS[kind], Money(order.total, order.currency))


def route(policy: Policy, kind: str, amount: Money) -> str:
    """The lowest approver role whose limit covers the amount. When none does, finance:
    its members see the request and can raise the policy's limit."""
    for role in APPROVER_ROLES:
        if policy.covers(role=role, action=kind, amount=amount):
            return role
    return Role.FINANCE


def check_authority(
    *, policy: Policy, actor: MoneyActor, kind: str, amount: Money, order: Order | None
) -> AuthorityCheck:
    """May this actor move this amount now, or does it need approval (and whose)?"""
    if actor.is_system:
        return AuthorityCheck(allowed=True)
    if not role_allows(actor.role, MOVE_MONEY):
        raise PermissionDenied("Your role may not move money.")
    limit = policy.limit(role=actor.role, action=kind, currency=amount.currency)
    budget = budget_for(policy, kind, order)
    over_limit = limit is not None and amount.amount > limit
    over_budget = budget is not None and amount.amount > budget.amount
    if not (over_limit or over_budget):
        return AuthorityCheck(allowed=True, limit=limit, budget=budget)
    return AuthorityCheck(
        allowed=False,
        hold_reason="over_limit" if over_limit else "over_budget",
        limit=limit,
        budget=budget,
        routed_to=route(policy, kind, amount),
    )


def check_may_decide(
    *, policy: Policy, actor: MoneyActor, kind: str, amount: Money, requested_by_id: int | None
) -> None:
    """Refuse a decision by someone who may not make it: without the approving
    permission, the requester themselves, or a limit below the amount."""
    if actor.is_system or not role_allows(actor.role, DECIDE_APPROVALS):
        raise PermissionDenied("Your role may not decide approvals.")
    if requested_by_id is not None and actor.user.pk == requested_by_id:
        raise ApplicationError(
            "own_request", "You cannot decide your own request; a colleague must.", status=403
        )
    if not policy.covers(role=actor.role, action=kind, amount=amount):
        limit = policy.limit(role=actor.role, action=kind, currency=amount.currency)
        raise ApplicationError(
            "approval_above_limit",
            "This amount is above your own limit; someone with a higher limit must decide.",
            details={"limit": limit, "amount": amount.amount, "currency": amount.currency},
            status=403,
        )
