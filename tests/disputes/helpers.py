"""Shared steps of the decision tests: a dispute in mediation and what the books say."""

from __future__ import annotations

from django.db.models import Sum

from ombuds.core.models import WebhookEndpoint
from ombuds.disputes.services.responses import escalate_dispute
from ombuds.ledger.models import RefundAllocation, Transaction
from ombuds.ledger.selectors import unbalanced_transactions
from ombuds.marketplace.models import Payment


def in_mediation(dispute, agent):
    escalate_dispute(dispute=dispute, actor=agent)
    dispute.refresh_from_db()
    return dispute


def movements(dispute, kind=None):
    rows = Transaction.objects.filter(order=dispute.order).exclude(kind="capture")
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("pk"))


def refunded(dispute) -> int:
    """What the desk refunded on the dispute's order and has not undone."""
    return (
        RefundAllocation.objects.filter(payment__order=dispute.order, released=False).aggregate(
            t=Sum("amount")
        )["t"]
        or 0
    )


def books_straight(workspace) -> None:
    assert unbalanced_transactions(workspace=workspace) == []
    for payment in Payment.objects.filter(workspace=workspace):
        live = RefundAllocation.objects.filter(payment=payment, released=False)
        assert (live.aggregate(t=Sum("amount"))["t"] or 0) <= payment.captured_amount


def endpoint(workspace):
    return WebhookEndpoint.objects.create(
        workspace=workspace, name="marketplace", url="https://shop.example/hooks", secret="s3"
    )


def told(dispute) -> str:
    """Everything the buyer and the seller were told on the dispute's case."""
    return "\n".join(dispute.case.messages.order_by("pk").values_list("body_text", flat=True))
