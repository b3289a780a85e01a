"""What the ledger's API operations share: the router, who may call them, and turning
a money action's result into an answer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from ombuds.accounts.api_auth import BearerToken, can_read_cases
from ombuds.accounts.models import Membership
from ombuds.accounts.roles import DECIDE_APPROVALS, MOVE_MONEY, READ_MONEY_REPORTS
from ombuds.conversations.selectors import case_by_reference
from ombuds.core.errors import ApplicationError
from ombuds.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from ombuds.marketplace.selectors import order_with_details

from ..authority import MoneyActor
from ..schemas import MoneyActionOut
from ..services import MoneyResult

can_move_money = BearerToken(MOVE_MONEY)
can_decide = BearerToken(DECIDE_APPROVALS)
can_read_reports = BearerToken(READ_MONEY_REPORTS)
MONEY_ANSWERS = {201: MoneyActionOut, 202: MoneyActionOut}

router = Router(tags=["ledger"], auth=can_read_cases)


def idempotency_key_of(request: HttpRequest) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        raise ApplicationError(
            "idempotency_key_required",
            f"Moving money needs an {IDEMPOTENCY_HEADER} header.",
            status=422,
        )
    return key


def actor_of(request: HttpRequest) -> MoneyActor:
    return MoneyActor.member(request.auth)


def order_of(member: Membership, external_id: str):
    return order_with_details(workspace=member.workspace, external_id=external_id)


def case_of(member: Membership, reference: str | None):
    return case_by_reference(workspace=member.workspace, reference=reference) if reference else None


def money_body(result: MoneyResult) -> dict[str, Any]:
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


def money_answer(result: MoneyResult):
    return Status(202 if result.status == "awaiting_approval" else 201, money_body(result))
