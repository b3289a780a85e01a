"""Reads of the ledger, always within one workspace, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum

from ombuds.conversations.models import Case
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.core.models import Workspace
from ombuds.core.money import Money
from ombuds.marketplace.models import Order, Party, Payment
from ombuds.policies.fault import FaultAttribution, attribute_fault
from ombuds.policies.models import ActionKind
from ombuds.policies.selectors import current_policy

from .authority import AuthorityCheck, MoneyActor, check_authority
from .legs import action_legs, reversal_legs
from .models import (
    Account,
    AccountKind,
    ApprovalRequest,
    ApprovalStatus,
    Entry,
    Transaction,
    TransactionKind,
)
from .requests import ActionRequest, check_request, tidy
from .room import rooms

# --- an order's money ---------------------------------------------------------------------


@dataclass(frozen=True)
class OrderMoney:
    """What the order's money panel shows, in the order's currency."""

    total: Money
    captured: Money
    refunded_reported: Money  # what the payments say was paid back
    refunds_pending: Money  # desk refunds the PSP has not paid out yet
    refundable: Money
    refunded_by_desk: Money  # desk refunds, net of reversals (paid out or not)
    credits: Money
    seller_debits: Money
    rebookings: Money
    cost: Money  # what resolutions cost on this order so far


def order_money(*, workspace: Workspace, order: Order) -> OrderMoney:
    """Captured, refunded, credited and debited so far on one order: three queries."""
    if order.workspace_id != workspace.pk:
        raise NotFound("order", order.pk)
    currency = order.currency
    payments = list(Payment.objects.filter(order=order))
    payment_rooms = rooms(payments)
    net: dict[str, int] = defaultdict(int)
    cost = 0
    rows = (
        Transaction.objects.filter(workspace=workspace, order=order)
        .values("kind", "reverses__kind")
        .annotate(total=Sum("amount"), spent=Sum("cost"))
    )
    for row in rows:
        cost += row["spent"] or 0
        if row["kind"] == TransactionKind.REVERSAL:
            net[row["reverses__kind"]] -= row["total"]
        else:
            net[row["kind"]] += row["total"]

    def money(amount: int) -> Money:
        return Money(amount, currency)

    return OrderMoney(
        total=money(order.total),
        captured=money(sum(p.captured_amount for p in payments)),
        refunded_reported=money(sum(p.refunded_amount for p in payments)),
        refunds_pending=money(sum(r.pending for r in payment_rooms)),
        refundable=money(sum(r.room for r in payment_rooms)),
        refunded_by_desk=money(net[TransactionKind.REFUND]),
        credits=money(net[TransactionKind.CREDIT]),
        seller_debits=money(net[TransactionKind.SELLER_DEBIT]),
        rebookings=money(net[TransactionKind.REBOOKING]),
        cost=money(cost),
    )


def transactions_of_order(
    *, workspace: Workspace, order: Order, limit: int = 100
) -> list[Transaction]:
    """The order's movements, newest first, with who made them: one query."""
    return list(
        Transaction.objects.filter(workspace=workspace, order=order)
        .select_related("actor_user", "case", "reverses", "reversal", "policy_version")
        .order_by("-created_at", "-pk")[:limit]
    )


def transaction_by_id(*, workspace: Workspace, pk: int) -> Transaction:
    tx = (
        Transaction.objects.filter(workspace=workspace, pk=pk)
        .select_related("order", "case", "actor_user", "policy_version")
        .first()
    )
    if tx is None:
        raise NotFound("transaction", pk)
    return tx


def entries_of(tx: Transaction) -> list[Entry]:
    return list(tx.entries.select_related("account__party").order_by("pk"))


# --- accounts -----------------------------------------------------------------------------


@dataclass
class AccountBalance:
    account: Account
    balances: dict[str, int] = field(default_factory=dict)  # currency -> debits − credits


def account_balances(*, workspace: Workspace, kind: str | None = None) -> list[AccountBalance]:
    """Every account with its balance per currency: two queries."""
    accounts = Account.objects.filter(workspace=workspace).select_related("party")
    if kind is not None:
        accounts = accounts.filter(kind=kind)
    found = {a.pk: AccountBalance(a) for a in accounts.order_by("kind", "key")}
    sums = (
        Entry.objects.filter(workspace=workspace, account_id__in=list(found))
        .values("account_id", "currency")
        .annotate(total=Sum("amount"))
    )
    for row in sums:
        found[row["account_id"]].balances[row["currency"]] = row["total"]
    return list(found.values())


def account_by_id(*, workspace: Workspace, pk: int) -> AccountBalance:
    account = Account.objects.filter(workspace=workspace, pk=pk).select_related("party").first()
    if account is None:
        raise NotFound("account", pk)
    balance = AccountBalance(account)
    for row in account.entries.values("currency").annotate(total=Sum("amount")):
        balance.balances[row["currency"]] = row["total"]
    return balance


def entries_of_account(*, account: Account, limit: int = 100) -> list[Entry]:
    return list(
        account.entries.select_related("transaction").order_by("-transaction__created_at", "-pk")[
            :limit
        ]
    )


def credit_balance(*, workspace: Workspace, buyer: Party) -> dict[str, int]:
    """Store credit a buyer holds, per currency (positive: owed to them)."""
    rows = (
        Entry.objects.filter(
            workspace=workspace,
            account__kind=AccountKind.CREDITS_OUTSTANDING,
            account__party=buyer,
        )
        .values("currency")
        .annotate(total=Sum("amount"))
    )
    return {row["currency"]: -row["total"] for row in rows if row["total"]}


def unbalanced_transactions(*, workspace: Workspace | None = None) -> list[dict]:
    """Transactions whose entries do not sum to zero in some currency. Always empty:
    the services refuse to write one, PostgreSQL refuses to commit one; this is the
    check that proves it on SQLite too."""
    entries = (
        Entry.objects.all() if workspace is None else Entry.objects.filter(workspace=workspace)
    )
    return list(
        entries.values("transaction_id", "currency")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .order_by("transaction_id")
    )


# --- approvals ----------------------------------------------------------------------------


def approvals(
    *, workspace: Workspace, status: str | None = ApprovalStatus.PENDING, limit: int = 100
) -> list[ApprovalRequest]:
    """Approval requests, oldest waiting first (newest decided first): one query."""
    rows = ApprovalRequest.objects.filter(workspace=workspace).select_related(
        "requested_by", "decided_by", "case", "order", "action__transaction"
    )
    if status is not None:
        rows = rows.filter(status=status)
    order = ("created_at", "pk") if status == ApprovalStatus.PENDING else ("-created_at", "-pk")
    return list(rows.order_by(*order)[:limit])


def approval_by_id(*, workspace: Workspace, pk: int) -> ApprovalRequest:
    approval = (
        ApprovalRequest.objects.filter(workspace=workspace, pk=pk)
        .select_related("requested_by", "decided_by", "case", "order", "action__transaction")
        .first()
    )
    if approval is None:
        raise NotFound("approval", pk)
    return approval


def pending_approvals_count(*, workspace: Workspace) -> int:
    return ApprovalRequest.objects.filter(
        workspace=workspace, status=ApprovalStatus.PENDING
    ).count()


def approvals_of_case(*, case: Case, limit: int = 20) -> list[ApprovalRequest]:
    return list(
        ApprovalRequest.objects.filter(workspace_id=case.workspace_id, case=case)
        .select_related("requested_by", "decided_by")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- preview ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewLeg:
    account_kind: str
    party: Party | None
    carrier: str
    amount: Money  # positive: debit

    @property
    def label(self) -> str:
        name = str(AccountKind(self.account_kind).label)
        owner = self.party.name if self.party is not None else self.carrier
        return f"{name} · {owner}" if owner else name


@dataclass(frozen=True)
class LedgerPreview:
    """What a money action would write, and whether it could: nothing is stored."""

    kind: str
    amount: Money
    legs: list[PreviewLeg]
    bearer: str
    authority: AuthorityCheck | None  # None when no actor was given
    attribution: FaultAttribution | None
    refundable: Money | None  # refunds only
    policy_number: int
    problems: list[dict]  # {"code", "message"} of each refusal the action would meet

    @property
    def can_execute(self) -> bool:
        return not self.problems and (self.authority is None or self.authority.allowed)


def preview_ledger_effect(
    *,
    workspace: Workspace,
    kind: str,
    amount: Money,
    order: Order | None = None,
    bearer: str = "",
    cause: str | None = None,
    reason: str = "other",
    buyer: Party | None = None,
    reverses: Transaction | None = None,
    actor: MoneyActor | None = None,
) -> LedgerPreview:
    """The entries a decision would write, whether it is within the actor's authority
    and what the fault rules say, without writing anything. For the mediation view's
    'what this decision does to the money'."""
    policy = current_policy(workspace)
    problems: list[dict] = []
    legs: list[PreviewLeg] = []
    attribution = None
    refundable = None
    authority = None
    req = ActionRequest(
        kind=kind,
        amount=amount,
        order=order,
        buyer=buyer,
        bearer=bearer,
        reason=reason,
        cause=cause,
        reverses=reverses,
    )
    try:
        req = check_request(workspace, tidy(req))
        if cause is not None:
            attribution = attribute_fault(policy=policy, cause=cause, order=order)
            bearer = bearer or attribution.ledger_bearer or ""
        if kind == ActionKind.REFUND:
            refundable = Money(
                sum(r.room for r in rooms(list(order.payments.all()))), order.currency
            )
            if amount.amount > refundable.amount:
                problems.append(
                    {
                        "code": "refund_exceeds_capture",
                        "message": "A refund cannot exceed what was captured minus what "
                        "was already refunded.",
                    }
                )
        if kind == ActionKind.REVERSAL:
            raw = reversal_legs(reverses)
        elif not bearer and kind in (ActionKind.REFUND, ActionKind.CREDIT, ActionKind.REBOOKING):
            raise ApplicationError(
                "buyer_bears_cost", "Under the fault rules the buyer bears this."
            )
        else:
            raw = action_legs(
                kind=kind, amount=amount, bearer=bearer, order=order, buyer_id=req.buyer_id
            )
        owners = {leg.account.party_id for leg in raw} - {None}
        parties = Party.objects.in_bulk(owners) if owners else {}
        legs = [
            PreviewLeg(
                leg.account.kind,
                parties.get(leg.account.party_id),
                leg.account.carrier,
                Money(leg.amount, leg.currency),
            )
            for leg in raw
        ]
        if actor is not None:
            authority = check_authority(
                policy=policy, actor=actor, kind=kind, amount=amount, order=order
            )
    except ApplicationError as refusal:
        problems.append({"code": refusal.code, "message": refusal.message})
    return LedgerPreview(
        kind=kind,
        amount=amount,
        legs=legs,
        bearer=bearer,
        authority=authority,
        attribution=attribution,
        refundable=refundable,
        policy_number=policy.number,
        problems=problems,
    )
