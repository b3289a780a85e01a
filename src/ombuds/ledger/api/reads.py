"""An order's money, movements, accounts, the preview of an action and the reports."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query

from ombuds.core.money import Money
from ombuds.policies.models import Reason

from .. import reports
from ..models import Outcome
from ..schemas import (
    AccountDetailOut,
    AccountOut,
    CostReportOut,
    OrderMoneyOut,
    PreviewIn,
    PreviewOut,
    SellerRateOut,
    TransactionDetailOut,
    TransactionOut,
)
from ..selectors import (
    account_balances,
    account_by_id,
    entries_of_account,
    order_money,
    preview_ledger_effect,
    transaction_by_id,
    transactions_of_order,
)
from .common import (
    actor_of,
    can_move_money,
    can_read_reports,
    order_of,
    router,
)

# --- reads ----------------------------------------------------------------------------------


@router.get("/ledger/orders/{external_id}/money", response=OrderMoneyOut)
def get_order_money(request: HttpRequest, external_id: str):
    """Captured, refunded, credited and debited so far, and what can still be refunded."""
    member = request.auth
    money = order_money(workspace=member.workspace, order=order_of(member, external_id))
    return {
        "currency": money.total.currency,
        "total": money.total.amount,
        "captured": money.captured.amount,
        "refunded_reported": money.refunded_reported.amount,
        "refunds_pending": money.refunds_pending.amount,
        "refundable": money.refundable.amount,
        "refunded_by_desk": money.refunded_by_desk.amount,
        "credits": money.credits.amount,
        "seller_debits": money.seller_debits.amount,
        "rebookings": money.rebookings.amount,
        "cost": money.cost.amount,
    }


@router.get("/ledger/orders/{external_id}/transactions", response=list[TransactionOut])
def list_order_transactions(request: HttpRequest, external_id: str):
    """The order's movements, newest first."""
    member = request.auth
    return transactions_of_order(workspace=member.workspace, order=order_of(member, external_id))


@router.get("/ledger/transactions/{tx_id}", response=TransactionDetailOut)
def get_transaction(request: HttpRequest, tx_id: int):
    """A movement with its entries."""
    return transaction_by_id(workspace=request.auth.workspace, pk=tx_id)


def _account(balance) -> dict[str, Any]:
    account = balance.account
    return {
        "id": account.pk,
        "kind": account.kind,
        "party": account.party.external_id if account.party_id else None,
        "carrier": account.carrier,
        "balances": balance.balances,
    }


@router.get("/ledger/accounts", auth=can_read_reports, response=list[AccountOut])
def list_accounts(request: HttpRequest):
    """Every account of the workspace with its balance per currency."""
    return [_account(b) for b in account_balances(workspace=request.auth.workspace)]


@router.get("/ledger/accounts/{account_id}", auth=can_read_reports, response=AccountDetailOut)
def get_account(request: HttpRequest, account_id: int):
    """An account, its balance and its latest entries."""
    balance = account_by_id(workspace=request.auth.workspace, pk=account_id)
    entries = [
        {
            "transaction": e.transaction_id,
            "kind": e.transaction.kind,
            "amount": e.amount,
            "currency": e.currency,
            "created_at": e.transaction.created_at.isoformat(),
        }
        for e in entries_of_account(account=balance.account)
    ]
    return {**_account(balance), "entries": entries}


@router.post("/ledger/orders/{external_id}/preview", auth=can_move_money, response=PreviewOut)
def post_preview(request: HttpRequest, external_id: str, payload: PreviewIn):
    """The entries a money action would write and whether you could do it now; nothing
    is written."""
    member = request.auth
    preview = preview_ledger_effect(
        workspace=member.workspace,
        kind=payload.kind,
        amount=Money(payload.amount, payload.currency),
        order=order_of(member, external_id),
        bearer=payload.bearer or "",
        cause=payload.cause,
        reason=payload.reason,
        actor=actor_of(request),
    )
    authority = preview.authority
    return {
        "can_execute": preview.can_execute,
        "needs_approval": authority is not None and not authority.allowed,
        "routed_to": authority.routed_to if authority else None,
        "bearer": preview.bearer,
        "fault_rule": preview.attribution.rule if preview.attribution else None,
        "policy_version": preview.policy_number,
        "refundable": preview.refundable.amount if preview.refundable else None,
        "legs": [
            {
                "account_kind": leg.account_kind,
                "account": leg.label,
                "amount": leg.amount.amount,
                "currency": leg.amount.currency,
            }
            for leg in preview.legs
        ],
        "problems": preview.problems,
    }


def _window(workspace, months: int):
    return reports.last_months(workspace, months, timezone.now())


def _labelled(rows, labels) -> list[dict[str, Any]]:
    return [{**row.__dict__, "label": str(labels(row.key))} for row in rows]


@router.get("/ledger/reports/costs", auth=can_read_reports, response=CostReportOut)
def get_cost_report(request: HttpRequest, months: int = Query(6, ge=1, le=36)):
    """What resolutions cost over the last months: by reason, outcome, seller, month."""
    since, until = _window(request.auth.workspace, months)
    report = reports.cost_report(workspace=request.auth.workspace, since=since, until=until)
    reasons, outcomes = dict(Reason.choices), dict(Outcome.choices)
    return {
        "since": since,
        "until": until,
        "by_reason": _labelled(report.by_reason, lambda k: reasons.get(k, k)),
        "by_outcome": _labelled(report.by_outcome, lambda k: outcomes.get(k, k)),
        "by_seller": _labelled(
            report.by_seller, lambda k: getattr(report.sellers.get(int(k)), "name", k)
        ),
        "by_month": _labelled(report.by_month, lambda k: k),
    }


@router.get("/ledger/reports/sellers", auth=can_read_reports, response=list[SellerRateOut])
def get_seller_rates(request: HttpRequest, months: int = Query(6, ge=1, le=36)):
    """Each seller's refunds, credits and rebookings per order sold, and their cost."""
    since, until = _window(request.auth.workspace, months)
    rates = reports.seller_rates(workspace=request.auth.workspace, since=since, until=until)
    return [
        {
            "seller": r.seller.external_id or str(r.seller.pk),
            "name": r.seller.name,
            "orders": r.orders,
            "resolutions": r.resolutions,
            "rate": round(r.rate, 4),
            "costs": r.costs,
            "borne_by_seller": r.borne,
        }
        for r in rates
    ]
