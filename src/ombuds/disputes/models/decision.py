"""What the platform decided on a dispute, and what a review of its appeal made of it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.core.models import ChoiceLabels, Workspace

from .dispute import Dispute


class Outcome(models.TextChoices):
    """What a decision gives the buyer."""

    FULL_REFUND = "full_refund", _("Full refund")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    CREDIT = "credit", _("Store credit")
    REPLACEMENT = "replacement", _("Replacement")
    REBOOKING = "rebooking", _("Rebooking")
    NO_REFUND = "no_refund", _("No refund (for the seller)")


# The ledger action each outcome that pays the buyer takes; the others move no money.
MONEY_OUTCOMES: dict[str, str] = {
    Outcome.FULL_REFUND: "refund",
    Outcome.PARTIAL_REFUND: "refund",
    Outcome.CREDIT: "credit",
    Outcome.REBOOKING: "rebooking",
}


class DecisionKind(models.TextChoices):
    DECISION = "decision", _("Decision")
    APPEAL_REVIEW = "appeal_review", _("Review of the appeal")


class Verdict(models.TextChoices):
    UPHOLD = "uphold", _("Upheld")
    REVISE = "revise", _("Revised")


class MoneyStatus(models.TextChoices):
    """Where the decision's money stands."""

    NONE = "none", _("No money moves")
    EXECUTED = "executed", _("Moved")
    AWAITING_APPROVAL = "awaiting_approval", _("Waiting for approval")
    REFUSED = "refused", _("Refused at approval")


class Decision(ChoiceLabels, models.Model):
    """An agent's decision with its written reasons, or the review of its appeal.

    Written once: a revision on appeal is a row of its own that names the decision it
    revises. `transactions` lists the ledger movements it made (a revision's reversal
    first); `approval` is the request its money waits on above the agent's authority."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=16, choices=DecisionKind.choices)
    verdict = models.CharField(max_length=8, choices=Verdict.choices, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    amount = models.BigIntegerField(null=True, blank=True, help_text=_("Minor units"))
    currency = models.CharField(max_length=3)
    bearer = models.CharField(max_length=10)
    statement = models.TextField()
    rule = models.CharField(max_length=64, blank=True)
    policy_number = models.PositiveIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_label = models.CharField(max_length=100, blank=True)
    revises = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="revisions"
    )
    money_status = models.CharField(
        max_length=20, choices=MoneyStatus.choices, default=MoneyStatus.NONE
    )
    transactions = models.JSONField(default=list, blank=True)
    approval = models.ForeignKey(
        "ledger.ApprovalRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    evidence_locked = models.PositiveIntegerField(default=0)
    idempotency_key = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="decision_key_once",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="decision_amount_gt_0",
            ),
        ]
        indexes = [
            models.Index(fields=["dispute", "created_at"], name="decision_time"),
            models.Index(fields=["approval"], name="decision_approval"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.outcome}"
