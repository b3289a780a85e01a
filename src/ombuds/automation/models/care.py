"""Proactive care: what the desk does when the marketplace reports an order problem, and
the "keep in the loop" updates while it lasts."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.conversations.models import Case
from ombuds.core.models import ChoiceLabels, Workspace
from ombuds.marketplace.models import Order

from .macros import Macro


class Problem(models.TextChoices):
    """What the buyer has a problem with; one case per order and problem."""

    SHIPMENT = "shipment", _("Shipment problem")
    TRANSFER = "transfer", _("Transfer overdue")
    EVENT = "event", _("Event changed")


class CarePlan(ChoiceLabels, models.Model):
    """For one order event type: tell the buyer with `macro`, on the case for the order's
    problem, and update them every `follow_up_hours` with `follow_up_macro` while the case
    waits."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="care_plans")
    event_type = models.CharField(max_length=64)
    problem = models.CharField(max_length=10, choices=Problem.choices)
    macro = models.ForeignKey(Macro, on_delete=models.PROTECT, related_name="+")
    follow_up_macro = models.ForeignKey(
        Macro, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    follow_up_hours = models.PositiveIntegerField(default=24)
    priority = models.CharField(max_length=8, default="normal")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["event_type"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "event_type"], name="care_plan_once"),
        ]


class CareFollowUp(models.Model):
    """The case that carries one order problem, and when its next update is due. The row
    stays as the link (one case per order and problem); `next_update_at` is cleared when
    the case resolves."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    problem = models.CharField(max_length=10, choices=Problem.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="care_follow_ups")
    plan = models.ForeignKey(CarePlan, on_delete=models.SET_NULL, null=True, related_name="+")
    last_event_type = models.CharField(max_length=64)
    notices_sent = models.PositiveIntegerField(default=0)
    updates_sent = models.PositiveIntegerField(default=0)
    next_update_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "problem"], name="care_follow_up_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_update_at"],
                name="care_update_due",
                condition=models.Q(next_update_at__isnull=False),
            ),
        ]


class SweepMark(models.Model):
    """How far a sweep over time has read (transfer deadlines passed up to `reached`), so
    each run reads only the deadlines that passed since the last one."""

    name = models.CharField(max_length=50, unique=True)
    reached = models.DateTimeField()
