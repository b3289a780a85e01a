"""Money actions, payouts, and the approvals queue with its decisions."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Status

from ombuds.accounts.api_auth import can_write_marketplace
from ombuds.core.money import Money
from ombuds.marketplace.selectors import party_by_external_id

from ..authority import MoneyActor
from ..models import ApprovalStatus, Outcome
from ..schemas import (
    ApprovalOut,
    CreditIn,
    DecisionIn,
    MoneyActionOut,
    PayoutIn,
    RebookingIn,
    RefundIn,
    ReversalIn,
    SellerDebitIn,
    TransactionOut,
)
from ..selectors import (
    approval_by_id,
    approvals,
    transaction_by_id,
)
from ..services import (
    credit_buyer,
    debit_seller,
    decide_approval,
    pay_rebooking,
    refund_buyer,
    reverse_transaction,
    settle_refund,
)
from .common import (
    MONEY_ANSWERS,
    actor_of,
    can_decide,
    can_move_money,
    case_of,
    idempotency_key_of,
    money_answer,
    money_body,
    order_of,
    router,
)

# --- money actions --------------------------------------------------------------------------


@router.post("/ledger/orders/{external_id}/refunds", auth=can_move_money, response=MONEY_ANSWERS)
def post_refund(request: HttpRequest, external_id: str, payload: RefundIn):
    """Refund the order's buyer, charged to the seller, the platform or the carrier
    (`bearer`), or to whoever the fault rules say for the `cause`."""
    member = request.auth
    return money_answer(
        refund_buyer(
            workspace=member.workspace,
            actor=actor_of(request),
            order=order_of(member, external_id),
            amount=Money(payload.amount, payload.currency),
            bearer=payload.bearer or "",
            cause=payload.cause,
            reason=payload.reason,
            outcome=payload.outcome or "",
            case=case_of(member, payload.case),
            note=payload.note,
            idempotency_key=idempotency_key_of(request),
        )
    )


@router.post("/ledger/orders/{external_id}/credits", auth=can_move_money, response=MONEY_ANSWERS)
def post_order_credit(request: HttpRequest, external_id: str, payload: CreditIn):
    """Give the order's buyer store credit; held to the order's compensation budget."""
    member = request.auth
    return money_answer(
        credit_buyer(
            workspace=member.workspace,
            actor=actor_of(request),
            order=order_of(member, external_id),
            amount=Money(payload.amount, payload.currency),
            bearer=payload.bearer or "",
            cause=payload.cause,
            reason=payload.reason,
            outcome=payload.outcome or "",
            case=case_of(member, payload.case),
            note=payload.note,
            idempotency_key=idempotency_key_of(request),
        )
    )


@router.post("/ledger/parties/{external_id}/credits", auth=can_move_money, response=MONEY_ANSWERS)
def post_party_credit(request: HttpRequest, external_id: str, payload: CreditIn):
    """Give a buyer store credit outside any order (a goodwill gesture)."""
    member = request.auth
    return money_answer(
        credit_buyer(
            workspace=member.workspace,
            actor=actor_of(request),
            buyer=party_by_external_id(workspace=member.workspace, external_id=external_id),
            amount=Money(payload.amount, payload.currency),
            bearer=payload.bearer or "",
            cause=payload.cause,
            reason=payload.reason,
            outcome=payload.outcome or Outcome.GOODWILL,
            case=case_of(member, payload.case),
            note=payload.note,
            idempotency_key=idempotency_key_of(request),
        )
    )


@router.post(
    "/ledger/orders/{external_id}/seller-debits", auth=can_move_money, response=MONEY_ANSWERS
)
def post_seller_debit(request: HttpRequest, external_id: str, payload: SellerDebitIn):
    """Charge the order's seller for a cost the platform fronted."""
    member = request.auth
    return money_answer(
        debit_seller(
            workspace=member.workspace,
            actor=actor_of(request),
            order=order_of(member, external_id),
            amount=Money(payload.amount, payload.currency),
            reason=payload.reason,
            case=case_of(member, payload.case),
            note=payload.note,
            idempotency_key=idempotency_key_of(request),
        )
    )


@router.post("/ledger/orders/{external_id}/rebookings", auth=can_move_money, response=MONEY_ANSWERS)
def post_rebooking(request: HttpRequest, external_id: str, payload: RebookingIn):
    """Book what a replacement booking cost; above the order's budget it needs approval."""
    member = request.auth
    return money_answer(
        pay_rebooking(
            workspace=member.workspace,
            actor=actor_of(request),
            order=order_of(member, external_id),
            amount=Money(payload.amount, payload.currency),
            bearer=payload.bearer or "",
            cause=payload.cause,
            reason=payload.reason,
            case=case_of(member, payload.case),
            note=payload.note,
            idempotency_key=idempotency_key_of(request),
        )
    )


@router.post("/ledger/transactions/{tx_id}/reversal", auth=can_move_money, response=MONEY_ANSWERS)
def post_reversal(request: HttpRequest, tx_id: int, payload: ReversalIn):
    """Undo a refund not yet paid out, a credit, a seller debit or a rebooking."""
    member = request.auth
    return money_answer(
        reverse_transaction(
            workspace=member.workspace,
            actor=actor_of(request),
            transaction=transaction_by_id(workspace=member.workspace, pk=tx_id),
            note=payload.note,
            idempotency_key=idempotency_key_of(request),
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
        actor=actor_of(request),
        approve=payload.approve,
        note=payload.note,
    )
    return money_body(result)
