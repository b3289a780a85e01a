"""Stripe chargebacks in the demo: one that needs a response within days, one the
platform lost and one it won, months ago.

The workspace is connected to Stripe with test keys, and each chargeback arrives as
Stripe's own webhook events would: stored raw and processed by the same pipeline, so
the case, its timeline, the ledger and the marketplace's webhooks are what production
makes. Nothing calls Stripe. The orders are picked in external-id order among paid goods
orders with no open case, so the same seed gives the same chargebacks; each step is
then moved back to when it happened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from ombuds.accounts.models import Membership
from ombuds.chargebacks.connections import ConnectionInput, connect_psp
from ombuds.chargebacks.models import Chargeback, PspEvent
from ombuds.chargebacks.receiving import accept_event, process_event
from ombuds.conversations.events import Actor
from ombuds.conversations.models import ACTIVE_STATUSES, Case, CaseEvent, Message, Status
from ombuds.conversations.services import update_case
from ombuds.core.models import Workspace
from ombuds.ledger.models import Transaction
from ombuds.marketplace.models import Order, Payment, PaymentStatus

DEMO_SECRET_KEY = "sk_test_51DemoOmbudsResaleNotARealKey0000"
DEMO_WEBHOOK_SECRET = "whsec_demoOmbudsResale000000000000"


@dataclass(frozen=True)
class Plan:
    reason: str
    opened_days_ago: int
    events: tuple[tuple[str, str, int], ...]  # (event type, status, days after opening)
    due_in_days: int  # from opening
    balance: tuple[str, ...] = ()  # "withdrawal", "reinstatement" listed on the dispute


PLANS = (
    Plan(
        "product_not_received",
        opened_days_ago=3,
        due_in_days=7,
        events=(
            ("charge.dispute.created", "needs_response", 0),
            ("charge.dispute.funds_withdrawn", "needs_response", 0),
        ),
        balance=("withdrawal",),
    ),
    Plan(
        "fraudulent",
        opened_days_ago=75,
        due_in_days=8,
        events=(
            ("charge.dispute.created", "needs_response", 0),
            ("charge.dispute.funds_withdrawn", "needs_response", 0),
            ("charge.dispute.closed", "lost", 40),
        ),
        balance=("withdrawal",),
    ),
    Plan(
        "product_unacceptable",
        opened_days_ago=60,
        due_in_days=8,
        events=(
            ("charge.dispute.created", "needs_response", 0),
            ("charge.dispute.updated", "under_review", 5),
            ("charge.dispute.closed", "won", 30),
            ("charge.dispute.funds_reinstated", "won", 30),
        ),
        balance=("withdrawal", "reinstatement"),
    ),
)


def _payments(workspace: Workspace, count: int) -> list[Payment]:
    active = Case.objects.filter(order=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    orders = (
        Order.objects.filter(workspace=workspace, kind="goods", seller__isnull=False)
        .annotate(busy=Exists(active))
        .filter(busy=False)
        .order_by("external_id")
    )
    picked = []
    for order in orders:
        payments = list(order.payments.all())
        if len(payments) == 1 and payments[0].status == PaymentStatus.CAPTURED:
            picked.append(payments[0])
        if len(picked) == count:
            break
    return picked


def _unix(at: datetime) -> int:
    return int(at.timestamp())


def _dispute(n: int, plan: Plan, payment: Payment, status: str, opened: datetime) -> dict:
    movements = []
    if "withdrawal" in plan.balance:
        movements.append(
            {
                "id": f"txn_demo{n}w",
                "object": "balance_transaction",
                "amount": -payment.captured_amount,
                "fee": 1500,
                "currency": "eur",
            }
        )
    if "reinstatement" in plan.balance and status == "won":
        movements.append(
            {
                "id": f"txn_demo{n}r",
                "object": "balance_transaction",
                "amount": payment.captured_amount,
                "fee": 0,
                "currency": "eur",
            }
        )
    submitted = status in ("under_review", "won")
    return {
        "id": f"du_demo{n}",
        "object": "dispute",
        "amount": payment.captured_amount,
        "balance_transactions": movements,
        "charge": payment.external_id,
        "created": _unix(opened),
        "currency": payment.currency.lower(),
        "evidence_details": {
            "due_by": _unix(opened + timedelta(days=plan.due_in_days)),
            "has_evidence": submitted,
            "past_due": False,
            "submission_count": 1 if submitted else 0,
        },
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": None,
        "payment_method_details": {"card": {"brand": "visa", "network_reason_code": "13.1"}},
        "reason": plan.reason,
        "status": status,
    }


def _redate(case: Case, began: datetime, at: datetime) -> None:
    CaseEvent.objects.filter(case=case, created_at__gte=began).update(created_at=at)
    Message.objects.filter(case=case, created_at__gte=began).update(created_at=at)
    # The cost tallies follow: the money demo rebuilds them from the movements after this.
    Transaction.objects.filter(case=case, created_at__gte=began).update(created_at=at)


def file_chargebacks(workspace: Workspace, *, now: datetime | None = None) -> list[Chargeback]:
    """Connect the demo workspace to Stripe and let three disputes arrive."""
    now = now or timezone.now()
    admin = Membership.objects.filter(workspace=workspace, role="admin").select_related("user")
    connection = connect_psp(
        workspace=workspace,
        by=admin.first().user,
        spec=ConnectionInput(
            provider="stripe",
            name="Stripe",
            account_id="acct_1DemoOmbudsResale",
            secret_key=DEMO_SECRET_KEY,
            webhook_secret=DEMO_WEBHOOK_SECRET,
        ),
    )
    made = []
    for n, (payment, plan) in enumerate(
        zip(_payments(workspace, len(PLANS)), PLANS, strict=False), start=1
    ):
        Payment.objects.filter(pk=payment.pk).update(provider="Stripe", method="card")
        opened = now - timedelta(days=plan.opened_days_ago)
        for step, (kind, status, after_days) in enumerate(plan.events, start=1):
            began = timezone.now()
            at = opened + timedelta(days=after_days, minutes=step)
            event = {
                "id": f"evt_demo{n}_{step}",
                "object": "event",
                "api_version": "2026-10-28.endive",
                "created": _unix(at),
                "data": {"object": _dispute(n, plan, payment, status, opened)},
                "livemode": False,
                "pending_webhooks": 0,
                "type": kind,
            }
            stored, _created = accept_event(connection=connection, raw=json.dumps(event).encode())
            process_event(stored.pk)
            PspEvent.objects.filter(pk=stored.pk).update(received_at=at, processed_at=at)
            chargeback = Chargeback.objects.get(
                workspace=workspace, provider_dispute_id=f"du_demo{n}"
            )
            _redate(chargeback.case, began, at)
            if status in ("won", "lost") and chargeback.case.status != Status.SOLVED:
                began = timezone.now()
                update_case(
                    case=chargeback.case, actor=Actor.system("Stripe"), status=Status.SOLVED
                )
                _redate(chargeback.case, began, at)
        chargeback = Chargeback.objects.get(workspace=workspace, provider_dispute_id=f"du_demo{n}")
        first = opened + timedelta(minutes=1)
        last = CaseEvent.objects.filter(case=chargeback.case).order_by("-created_at")[0].created_at
        Case.objects.filter(pk=chargeback.case_id).update(
            created_at=first,
            updated_at=last,
            solved_at=last if chargeback.case.status == Status.SOLVED else None,
        )
        Chargeback.objects.filter(pk=chargeback.pk).update(created_at=first)
        made.append(chargeback)
    return made
