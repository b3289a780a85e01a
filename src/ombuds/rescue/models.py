"""The rescue ladder of a failed booking, and each step taken on it.

A resold ticket, hotel room or flight that fails (the seller backs out, the name change
is refused, the booking is not honoured on arrival) is rescued in a fixed order: make
the original work, propose alternatives, rebook within budget, refund, compensate. The
ladder keeps the budgets it started with, so a policy changed midway does not move them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.conversations.models import Case
from ombuds.core.models import ChoiceLabels, Workspace
from ombuds.marketplace.models import Order


class Trigger(models.TextChoices):
    TRANSFER_REFUSED = "transfer_refused", _("Name change or transfer refused")
    SELLER_BACKED_OUT = "seller_backed_out", _("Seller backed out")
    NOT_HONOURED = "not_honoured", _("Booking not honoured on arrival")


class LadderStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Buyer has a booking")
    ENDED = "ended", _("Ended with money back")


class StepKind(models.IntegerChoices):
    ORIGINAL = 1, _("Make the original booking work")
    ALTERNATIVES = 2, _("Propose alternatives")
    REBOOK = 3, _("Rebook within budget")
    REFUND = 4, _("Refund")
    CREDIT = 5, _("Compensation credit")


class StepStatus(models.TextChoices):
    OPEN = "open", _("Under way")
    AWAITING_APPROVAL = "awaiting_approval", _("Waiting for approval")
    DONE = "done", _("Done")
    FAILED = "failed", _("Did not work")


class Ladder(ChoiceLabels, models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rescue_ladders")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="rescue_ladders")
    reason = models.CharField(max_length=20, choices=Trigger.choices)
    status = models.CharField(
        max_length=10, choices=LadderStatus.choices, default=LadderStatus.RUNNING
    )
    step = models.PositiveSmallIntegerField(default=StepKind.ORIGINAL)
    currency = models.CharField(max_length=3)
    rebooking_budget = models.BigIntegerField(help_text=_("Minor units"))
    compensation_budget = models.BigIntegerField(help_text=_("Minor units"))
    policy_number = models.PositiveIntegerField(default=0)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "order"],
                condition=models.Q(status="running"),
                name="rescue_one_running_ladder",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "status"], name="rescue_status")]

    def __str__(self) -> str:
        return f"ladder {self.pk} on {self.case_id}"

    @property
    def is_running(self) -> bool:
        return self.status == LadderStatus.RUNNING


class Step(ChoiceLabels, models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(choices=StepKind.choices)
    status = models.CharField(max_length=20, choices=StepStatus.choices, default=StepStatus.OPEN)
    cost = models.BigIntegerField(default=0, help_text=_("Minor units"))
    # [{"label", "supplier", "amount", "over_budget"}]: what step 2 offered the buyer.
    options = models.JSONField(default=list, blank=True)
    chosen = models.PositiveSmallIntegerField(null=True, blank=True)
    # The alternative the buyer said they prefer, from the portal: the agent still books.
    buyer_choice = models.PositiveSmallIntegerField(null=True, blank=True)
    buyer_chose_at = models.DateTimeField(null=True, blank=True)
    money_action = models.ForeignKey(
        "ledger.MoneyAction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task_ids = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ladder", "number"], name="rescue_step_once"),
        ]
        ordering = ["ladder", "number"]

    def __str__(self) -> str:
        return f"step {self.number} of {self.ladder_id}"
