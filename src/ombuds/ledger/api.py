"""Moving money through the API: refunds, credits, seller debits, rebookings, reversals,
payouts and approval decisions; the order's money and the ledger's accounts.

Every money POST needs an `Idempotency-Key`. The API layer replays a retry's first
answer for a day (core.idempotency); the ledger keeps the key for good, so a retry after
that, or of the same key from the desk, is still the same money action, and the key
with another request is refused (409). An action above the caller's authority answers
202 with the approval request it became.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from ombuds.accounts.api_auth import BearerToken, can_read_cases, can_write_marketplace
from ombuds.accounts.models import Membership
from ombuds.accounts.roles import DECIDE_APPROVALS, MOVE_MONEY, READ_MONEY_REPORTS
from ombuds.conversations.selectors import case_by_reference
from ombuds.core.errors import ApplicationError
from ombuds.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from ombuds.core.money import Money
from ombuds.marketplace.selectors import order_with_details, party_by_external_id
from ombuds.policies.models import Reason

from . import reports
from .authority import MoneyActor
from .models import ApprovalStatus, Outcome
from .schemas import (
    AccountDetailOut,
    AccountOut,
    ApprovalOut,
    CostReportOut,
    CreditIn,
    DecisionIn,
    MoneyActionOut,
    OrderMoneyOut,
    PayoutIn,
    PreviewIn,
    PreviewOut,
    RebookingIn,
    RefundIn,
    ReversalIn,
    SellerDebitIn,
    SellerRateOut,
    TransactionDetailOut,
    TransactionOut,
)
from .selectors import (
    account_balances,
    account_by_id,
    approval_by_id,
    approvals,
    entries_of_account,
    order_money,
    preview_ledger_effect,
    transaction_by_id,
    transactions_of_order,
)
from .services import (
    MoneyResult,
    credit_buyer,
    debit_seller,
    decide_approval,
    pay_rebooking,
    refund_buyer,
    reverse_transaction,
    settle_refund,
)

can_move_money = BearerToken(MOVE_MONEY)
can_decide = BearerToken(DECIDE_APPROVALS)
can_read_reports = BearerToken(READ_MONEY_REPORTS)
MONEY_ANSWERS = {201: MoneyActionOut, 202: MoneyActionOut}

router = Router(tags=["ledger"], auth=can_read_cases)


def _key(request: HttpRequest) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        raise ApplicationError(
            "idempotency_key_required",
            f"Moving money needs an {IDEMPOTENCY_HEADER} header.",
            status=422,
        )
    return key


def _actor(request: HttpRequest) -> MoneyActor:
    return MoneyActor.member(request.auth)


def _order(member: Membership, external_id: str):
    return order_with_details(workspace=member.workspace, external_id=external_id)


def _case(member: Membership, reference: str | None):
    return case_by_reference(workspace=member.workspace, reference=reference) if reference else None


def _body(result: MoneyResult) -> dict[str, Any]:
    action = result.action
    return {
        "idempotency_key": action.key,
        "status": action.status,
        "kind": action.kind,
        "amount": action.amount,
        "currency": action.currency,
        "transaction": result.transaction,
        "approval": result.approval,
    }


def _answer(result: MoneyResult):
    return Status(202 if result.status == "awaiting_approval" else 201, _body(result))


# --- money actions --------------------------------------------------------------------------


@router.post("/ledger/orders/{external_id}/refunds", auth=can_move_money, response=MONEY_ANSWERS)
def post_refund(request: HttpRequest, external_id: str, payload: RefundIn):
    """Refund the order's buyer, charged to the seller, the platform or the carrier
    (`bearer`), or to whoever the fault rules say for the `cause`."""
    member = request.auth
    return _answer(
        refund_buyer(
            workspace=member.workspace,
            actor=_actor(request),
            order=_order(member, external_id),
            amount=Money(payload.amount, payload.currency),
            bearer=payload.bearer or "",
            cause=payload.cause,
            reason=payload.reason,
            outcome=payload.outcome or "",
            case=_case(member, payload.case),
            note=payload.note,
            idempotency_key=_key(request),
        )
    )


@router.post("/ledger/orders/{external_id}/credits", auth=can_move_money, response=MONEY_ANSWERS)
def post_order_credit(request: HttpRequest, external_id: str, payload: CreditIn):
    """Give the order's buyer store credit; held to the order's compensation budget."""
    member = request.auth
    return _answer(
        credit_buyer(
            workspace=member.workspace,
            actor=_actor(request),
            order=_order(member, external_id),
            amount=Money(payload.amount, payload.currency),
            bearer=payload.bearer or "",
            cause=payload.cause,
            reason=payload.reason,
            outcome=payload.outcome or "",
            case=_case(member, payload.case),
            note=payload.note,
            idempotency_key=_key(request),
        )
    )


@router.post("/ledger/parties/{external_id}/credits", auth=can_move_money, response=MONEY_ANSWERS)
def post_party_credit(request: HttpRequest, external_id: str, payload: CreditIn):
    """Give a buyer store credit outside any order (a goodwill gesture)."""
    member = request.auth
    return _answer(
        credit_buyer(
            workspace=member.workspace,
            actor=_actor(request),
            buyer=party_by_external_id(workspace=member.workspace, external_id=external_id),
            amount=Money(payload.amount, payload.currency),
            bearer=payload.bearer or "",
            cause=payload.cause,
            reason=payload.reason,
            outcome=payload.outcome or Outcome.GOODWILL,
            case=_case(member, payload.case),
            note=payload.note,
            idempotency_key=_key(request),
        )
    )


@router.post(
    "/ledger/orders/{external_id}/seller-debits", auth=can_move_money, response=MONEY_ANSWERS
)
def post_seller_debit(request: HttpRequest, external_id: str, payload: SellerDebitIn):
    """Charge the order's seller for a cost the platform fronted."""
    member = request.auth
    return _answer(
        debit_seller(
            workspace=member.workspace,
            actor=_actor(request),
            order=_order(member, external_id),
            amount=Money(payload.amount, payload.currency),
            reason=payload.reason,
            case=_case(member, payload.case),
            note=payload.note,
            idempotency_key=_key(request),
        )
    )


@router.post("/ledger/orders/{external_id}/rebookings", auth=can_move_money, response=MONEY_ANSWERS)
def post_rebooking(request: HttpRequest, external_id: str, payload: RebookingIn):
    """Book what a replacement booking cost; above the order's budget it needs approval."""
    member = request.auth
    return _answer(
        pay_rebooking(
            workspace=member.workspace,
            actor=_actor(request),
            order=_order(member, external_id),
            amount=Money(payload.amount, payload.currency),
            bearer=payload.bearer or "",
            cause=payload.cause,
            reason=payload.reason,
            case=_case(member, payload.case),
            note=payload.note,
            idempotency_key=_key(request),
        )
    )


@router.post("/ledger/transactions/{tx_id}/reversal", auth=can_move_money, response=MONEY_ANSWERS)
def post_reversal(request: HttpRequest, tx_id: int, payload: ReversalIn):
    """Undo a refund not yet paid out, a credit, a seller debit or a rebooking."""
    member = request.auth
    return _answer(
        reverse_transaction(
            workspace=member.workspace,
            actor=_actor(request),
            transaction=transaction_by_id(workspace=member.workspace, pk=tx_id),
            note=payload.note,
            idempotency_key=_key(request),
        )
    )


@router.post(
    "/ledger/transactions/{tx_id}/payout",
    auth=can_write_marketplace,
    response={201: TransactionOut},
)
def post_payout(request: HttpRequest, tx_id: int, payload: PayoutIn):
    """The platform or PSP paid a desk refund out to the buyer (once; again is a no-op)."""
    member = request.auth
    payout = settle_refund(
        workspace=member.workspace,
        refund=transaction_by_id(workspace=member.workspace, pk=tx_id),
        actor=MoneyActor(user=member.user, role=member.role),
        psp_reference=payload.psp_reference,
    )
    return Status(201, transaction_by_id(workspace=member.workspace, pk=payout.pk))


# --- approvals ------------------------------------------------------------------------------


@router.get("/ledger/approvals", response=list[ApprovalOut])
def list_approvals(
    request: HttpRequest,
    status: ApprovalStatus | None = ApprovalStatus.PENDING,
    limit: int = Query(100, ge=1, le=500),
):
    """Approval requests; waiting ones by default, oldest first."""
    return approvals(workspace=request.auth.workspace, status=status, limit=limit)


@router.get("/ledger/approvals/{approval_id}", response=ApprovalOut)
def get_approval(request: HttpRequest, approval_id: int):
    return approval_by_id(workspace=request.auth.workspace, pk=approval_id)


@router.post("/ledger/approvals/{approval_id}/decision", auth=can_decide, response=MoneyActionOut)
def post_decision(request: HttpRequest, approval_id: int, payload: DecisionIn):
    """Approve (the action executes with its original key) or reject (with a note)."""
    member = request.auth
    result = decide_approval(
        workspace=member.workspace,
        approval=approval_by_id(workspace=member.workspace, pk=approval_id),
        actor=_actor(request),
        approve=payload.approve,
        note=payload.note,
    )
    return _body(result)


# --- reads ----------------------------------------------------------------------------------


@router.get("/ledger/orders/{external_id}/money", response=OrderMoneyOut)
def get_order_money(request: HttpRequest, external_id: str):
    """Captured, refunded, credited and debited so far, and what can still be refunded."""
    member = request.auth
    money = order_money(workspace=member.workspace, order=_order(member, external_id))
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
    return transactions_of_order(workspace=member.workspace, order=_order(member, external_id))


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
        order=_order(member, external_id),
        bearer=payload.bearer or "",
        cause=payload.cause,
        reason=payload.reason,
        actor=_actor(request),
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
