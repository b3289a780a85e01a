"""What API clients send to move money and what they get back. Amounts are JSON integers
in minor units with an ISO 4217 currency; 12.5 or "1250" are refused, never rounded."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt

from ombuds.conversations.schemas import Who, who
from ombuds.marketplace.schemas import Input
from ombuds.policies.models import Cause, Reason

from .models import Outcome, Transaction
from .requests import CHARGEABLE, MAX_NOTE
from .selectors import entries_of

Amount = StrictInt
Bearer = Literal[tuple(str(b) for b in CHARGEABLE)]  # type: ignore[valid-type]


class MoneyIn(Input):
    amount: Amount = Field(gt=0, le=2**62, description="Minor units, more than zero")
    currency: str = Field(min_length=3, max_length=3, description="The order's currency")
    reason: Reason
    case: str | None = Field(None, max_length=24, description="A case reference to record it on")
    note: str = Field("", max_length=MAX_NOTE)


class RefundIn(MoneyIn):
    bearer: Bearer | None = Field(None, description="Who bears it; or name the `cause`")
    cause: Cause | None = Field(None, description="What went wrong: the fault rules decide")
    outcome: Outcome | None = None


class CreditIn(MoneyIn):
    bearer: Bearer | None = None
    cause: Cause | None = None
    outcome: Outcome | None = None


class SellerDebitIn(MoneyIn):
    pass


class RebookingIn(MoneyIn):
    bearer: Bearer | None = None
    cause: Cause | None = None


class ReversalIn(Input):
    note: str = Field("", max_length=MAX_NOTE)


class PayoutIn(Input):
    psp_reference: str = Field("", max_length=100, description="The PSP's id of the refund")


class DecisionIn(Input):
    approve: StrictBool
    note: str = Field("", max_length=2000, description="Required when rejecting")


class PreviewIn(Input):
    kind: Literal["refund", "credit", "seller_debit", "rebooking"]
    amount: Amount = Field(gt=0, le=2**62)
    currency: str = Field(min_length=3, max_length=3)
    bearer: Bearer | None = None
    cause: Cause | None = None
    reason: Reason = Reason.OTHER


class TransactionOut(Schema):
    id: int
    kind: str
    amount: int
    currency: str
    cost: int = Field(description="What it adds to the cost of resolutions (minor units)")
    order: str | None = Field(description="The order's external id")
    case: str | None = Field(description="The case's reference")
    bearer: str
    reason: str
    outcome: str
    fault_rule: str
    policy_version: int | None
    memo: str
    actor: Who
    reverses: int | None
    created_at: datetime

    @staticmethod
    def resolve_order(tx: Transaction) -> str | None:
        return tx.order.external_id if tx.order_id else None

    @staticmethod
    def resolve_case(tx: Transaction) -> str | None:
        return tx.case.reference if tx.case_id else None

    @staticmethod
    def resolve_policy_version(tx: Transaction) -> int | None:
        return tx.policy_version.number if tx.policy_version_id else None

    @staticmethod
    def resolve_actor(tx: Transaction) -> dict[str, Any]:
        return who(tx.actor_user, None, tx.actor_label)

    @staticmethod
    def resolve_reverses(tx: Transaction) -> int | None:
        return tx.reverses_id


class EntryOut(Schema):
    account: int
    account_kind: str
    amount: int = Field(description="Positive debits, negative credits")
    currency: str

    @staticmethod
    def resolve_account(entry) -> int:
        return entry.account_id

    @staticmethod
    def resolve_account_kind(entry) -> str:
        return entry.account.kind


class TransactionDetailOut(TransactionOut):
    entries: list[EntryOut]

    @staticmethod
    def resolve_entries(tx: Transaction) -> list:
        return entries_of(tx)


class ApprovalOut(Schema):
    id: int
    status: str
    kind: str
    amount: int
    currency: str
    case: str | None
    order: str | None
    requested_by: Who
    justification: str
    hold_reason: str = Field(description="over_limit or over_budget")
    requester_limit: int | None
    budget: int | None
    routed_to: str = Field(description="The role whose limit covers it")
    decided_by: Who | None
    decided_at: datetime | None
    decision_note: str
    created_at: datetime

    @staticmethod
    def resolve_case(approval) -> str | None:
        return approval.case.reference if approval.case_id else None

    @staticmethod
    def resolve_order(approval) -> str | None:
        return approval.order.external_id if approval.order_id else None

    @staticmethod
    def resolve_requested_by(approval) -> dict[str, Any]:
        return who(approval.requested_by, None, approval.action.actor_label)

    @staticmethod
    def resolve_decided_by(approval) -> dict[str, Any] | None:
        return who(approval.decided_by, None) if approval.decided_by_id else None


class MoneyActionOut(Schema):
    """A money action's result: executed (with its transaction), awaiting approval
    (with the approval request) or rejected."""

    idempotency_key: str
    status: Literal["executed", "awaiting_approval", "rejected"]
    kind: str
    amount: int
    currency: str
    transaction: TransactionOut | None
    approval: ApprovalOut | None


class OrderMoneyOut(Schema):
    currency: str
    total: int
    captured: int
    refunded_reported: int = Field(description="What the payments report as paid back")
    refunds_pending: int = Field(description="Desk refunds the PSP has not paid out yet")
    refundable: int
    refunded_by_desk: int
    credits: int
    seller_debits: int
    rebookings: int
    cost: int


class AccountOut(Schema):
    id: int
    kind: str
    party: str | None = Field(description="The seller's or buyer's external id")
    carrier: str
    balances: dict[str, int] = Field(description="Per currency: debits minus credits")


class AccountDetailOut(AccountOut):
    entries: list[dict[str, Any]]


class PreviewLegOut(Schema):
    account_kind: str
    account: str
    amount: int
    currency: str


class PreviewOut(Schema):
    can_execute: bool
    needs_approval: bool
    routed_to: str | None
    bearer: str
    fault_rule: str | None
    policy_version: int
    refundable: int | None
    legs: list[PreviewLegOut]
    problems: list[dict[str, str]]


class CostRowOut(Schema):
    key: str
    label: str
    currency: str
    cost: int
    resolutions: int


class CostReportOut(Schema):
    since: datetime
    until: datetime
    by_reason: list[CostRowOut]
    by_outcome: list[CostRowOut]
    by_seller: list[CostRowOut]
    by_month: list[CostRowOut]


class SellerRateOut(Schema):
    seller: str
    name: str
    orders: int
    resolutions: int = Field(description="Refunds, credits and rebookings in the period")
    rate: float = Field(description="Resolutions per order sold")
    costs: dict[str, int]
    borne_by_seller: dict[str, int]
