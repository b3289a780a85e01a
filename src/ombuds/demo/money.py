"""The desk's money in the demo: refunds and credits agents made on cases still being
worked, compensation on cases already solved, one refund a supervisor approved, one
paid out by the PSP, and one refund still waiting for approval.

Everything goes through the ledger's services, under the workspace's default policy, by
the case's own agent or the supervisor. Like the stories, each step is then moved back
to a moment inside its case's life, so the timeline still runs forward and the cost
report has months to show. The cases are picked in case-number order, so a load with
the same seed makes the same movements.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from ombuds.accounts.models import Membership, User
from ombuds.conversations.models import ACTIVE_STATUSES, Case, CaseEvent, Status
from ombuds.core.models import Workspace
from ombuds.core.money import Money
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.models import ApprovalRequest, MoneyAction, Transaction
from ombuds.ledger.selectors import order_money
from ombuds.ledger.services import (
    MoneyResult,
    credit_buyer,
    decide_approval,
    refund_buyer,
    settle_refund,
)
from ombuds.ledger.tallies import rebuild_cost_tallies

WORKED = [s for s in ACTIVE_STATUSES if s != Status.NEW]
FINISHED = [Status.SOLVED, Status.CLOSED]
AGENT_REFUND_LIMIT = 10000  # the default policy's, so agents' refunds stay within it
EACH = 3  # cases per kind of movement
PSP = MoneyActor.system("psp")


class DemoMoney:
    def __init__(self, workspace: Workspace, supervisor: User):
        self.workspace = workspace
        self.began = timezone.now()
        self._members = {
            m.user_id: m
            for m in Membership.objects.filter(workspace=workspace).select_related("user")
        }
        self.supervisor = MoneyActor.member(self._members[supervisor.pk])

    def actor(self, user: User | None) -> MoneyActor:
        return MoneyActor.member(self._members[user.pk]) if user else self.supervisor

    def cases(self, tag: str, statuses, *, more: Q | None = None, limit: int = EACH) -> list[Case]:
        found = (
            Case.objects.filter(
                workspace=self.workspace, tags__name=tag, status__in=statuses, order__isnull=False
            )
            .filter(more or Q())
            .select_related("order", "assignee")
            .order_by("number")
        )
        picked = []
        for case in found:
            if order_money(workspace=self.workspace, order=case.order).refundable.amount > 0:
                picked.append(case)
            if len(picked) == limit:
                break
        return picked

    def room(self, case: Case) -> int:
        return order_money(workspace=self.workspace, order=case.order).refundable.amount

    def at(self, case: Case, share: float = 0.8) -> datetime:
        """A moment late in the case's life, before its last step."""
        return case.created_at + (case.updated_at - case.created_at) * share

    def stamp(self, case: Case, at: datetime) -> None:
        """Move what the step just wrote on this case back to `at`."""
        recent = {"created_at__gte": self.began}
        CaseEvent.objects.filter(case=case, **recent).update(created_at=at)
        Transaction.objects.filter(case=case, **recent).update(created_at=at)
        MoneyAction.objects.filter(case=case, **recent).update(created_at=at)
        ApprovalRequest.objects.filter(case=case, **recent).update(created_at=at)
        ApprovalRequest.objects.filter(case=case, decided_at__gte=self.began).update(decided_at=at)

    def step(self, case: Case, move: Callable[[], MoneyResult], share: float = 0.8):
        result = move()
        self.stamp(case, self.at(case, share))
        return result

    # --- the movements ---------------------------------------------------------------

    def refund(self, case: Case, *, cents: int, cause: str, reason: str, by: MoneyActor, note=""):
        order = case.order
        result = self.step(
            case,
            lambda: refund_buyer(
                workspace=self.workspace,
                actor=by,
                order=order,
                amount=Money(cents, order.currency),
                cause=cause,
                reason=reason,
                case=case,
                note=note,
                idempotency_key=f"demo-{case.reference}-refund",
            ),
        )
        return result

    def credit(self, case: Case, *, cents: int, reason: str, outcome: str, note: str):
        order = case.order
        result = self.step(
            case,
            lambda: credit_buyer(
                workspace=self.workspace,
                actor=self.actor(case.assignee),
                order=order,
                amount=Money(cents, order.currency),
                bearer="platform",
                reason=reason,
                outcome=outcome,
                case=case,
                note=note,
                idempotency_key=f"demo-{case.reference}-credit",
            ),
            share=0.9,
        )
        return result


def move_demo_money(*, workspace: Workspace, supervisor: User) -> dict[str, int]:
    """The demo desk's refunds, credits and approvals; see the module's docstring."""
    money = DemoMoney(workspace, supervisor)

    # Parcels the courier lost: a full refund the carrier bears, by the supervisor.
    for case in money.cases("lost", WORKED):
        money.refund(
            case,
            cents=money.room(case),
            cause="carrier_loss",
            reason="not_received",
            by=money.supervisor,
            note="Courier confirmed the parcel lost; claim filed.",
        )
    # Damaged on the way: a quarter back, by the case's agent, claimed from the carrier.
    for case in money.cases("damaged", WORKED):
        money.refund(
            case,
            cents=min(money.room(case) // 4, AGENT_REFUND_LIMIT),
            cause="carrier_damage",
            reason="damaged",
            by=money.actor(case.assignee),
            note="Partial refund for the damage; buyer keeps the item.",
        )
    # A seller who did not transfer the tickets pays for it.
    for case in money.cases("transfer-failed", WORKED, more=Q(order__kind="event_ticket")):
        money.refund(
            case,
            cents=min(money.room(case), 50000),
            cause="transfer_not_made",
            reason="ticket_not_delivered_in_time",
            by=money.supervisor,
            note="Seller did not transfer before the deadline.",
        )
    # Late parcels and postponed events, already solved: a small compensation credit.
    for tag, reason in (("late", "late_delivery"), ("postponed", "event_cancelled")):
        for case in money.cases(tag, FINISHED):
            money.credit(
                case,
                cents=min(750, case.order.total // 10),
                reason=reason,
                outcome="compensation",
                note="Sorry for the wait.",
            )

    # A seller cancelled: the agent asks for more than they may refund; the supervisor
    # approves it, and later the PSP pays it out.
    cancelled = money.cases(
        "seller-cancelled", WORKED, more=Q(order__total__gt=AGENT_REFUND_LIMIT), limit=1
    )
    for case in cancelled:
        asked = money.refund(
            case,
            cents=min(money.room(case), 50000),
            cause="seller_cancelled",
            reason="seller_cancelled",
            by=money.actor(case.assignee),
            note="Seller backed out two days before the event.",
        )
        if asked.approval is not None:
            decided = money.step(
                case,
                lambda asked=asked: decide_approval(
                    workspace=workspace,
                    approval=asked.approval,
                    actor=money.supervisor,
                    approve=True,
                    note="Seller cancelled; the buyer gets everything back.",
                ),
                share=0.85,
            )
            money.step(
                case,
                lambda tx=decided.transaction: settle_refund(
                    workspace=workspace, refund=tx, actor=PSP, psp_reference="re_demo_1"
                ),
                share=0.9,
            )

    # A hotel booking the seller never transferred: the agent's full refund waits for
    # the supervisor in the approvals queue.
    for case in money.cases(
        "transfer-failed",
        WORKED,
        more=Q(order__kind="hotel", order__total__gt=AGENT_REFUND_LIMIT) & ~Q(assignee=None),
        limit=1,
    ):
        money.refund(
            case,
            cents=money.room(case),
            cause="transfer_not_made",
            reason="booking_not_honoured",
            by=money.actor(case.assignee),
            note="Hotel has no booking under the buyer's name; seller unreachable.",
        )
    # The movements were moved back into their cases' past: count their cost again in
    # the months they now belong to.
    rebuild_cost_tallies(workspace=workspace)
    moved = Transaction.objects.filter(workspace=workspace)
    return {
        "refunds": moved.filter(kind="refund").count(),
        "credits": moved.filter(kind="credit").count(),
        "approvals_pending": ApprovalRequest.objects.filter(
            workspace=workspace, status="pending"
        ).count(),
    }
