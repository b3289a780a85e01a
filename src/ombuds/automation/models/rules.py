"""Triggers (react to what happens on a case) and time rules (react to time passing)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.conversations.models import Case, Status
from ombuds.core.models import ChoiceLabels, Workspace


class TriggerEvent(models.TextChoices):
    CASE_CREATED = "case.created", _("Case created")
    CASE_UPDATED = "case.updated", _("Case updated")
    MESSAGE_RECEIVED = "message.received", _("Message received")
    ORDER_EVENT = "order.event", _("Order event")
    SLA_WARNING = "sla.warning", _("SLA warning")
    SLA_BREACHED = "sla.breached", _("SLA breached")
    APPROVAL_REQUESTED = "approval.requested", _("Approval requested")


class Trigger(models.Model):
    """When one of `events` happens on a case and every condition holds, run the actions
    in order. Conditions and actions are checked by `automation.rules.schema` on save."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="triggers")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    events = models.JSONField(default=list)
    conditions = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # Rules the desk ships (escalations): a stable key, so installing again updates
    # nothing an admin changed and never duplicates.
    builtin_key = models.CharField(max_length=50, blank=True)
    fire_count = models.PositiveIntegerField(default=0)
    last_fired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="trigger_name_once"),
            models.UniqueConstraint(
                fields=["workspace", "builtin_key"],
                name="trigger_builtin_once",
                condition=~models.Q(builtin_key=""),
            ),
        ]
        indexes = [models.Index(fields=["workspace", "is_active", "position"])]

    def __str__(self) -> str:
        return self.name


class TimeRule(ChoiceLabels, models.Model):
    """When a case has waited `hours` in `status` (and the conditions hold), run the
    actions: a reminder after 3 days pending customer, solved after 7."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="time_rules")
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=Status.choices)
    hours = models.PositiveIntegerField()
    conditions = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    fire_count = models.PositiveIntegerField(default=0)
    last_fired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "hours", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="time_rule_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class DueAction(models.Model):
    """One time rule armed for one case: due at `since + hours`. Rows exist only while the
    case waits in the rule's status, so the sweep reads what is due, not every case."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="due_actions")
    rule = models.ForeignKey(TimeRule, on_delete=models.CASCADE, related_name="due_actions")
    since = models.DateTimeField(help_text=_("When the case entered the rule's status"))
    due_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "rule"], name="due_action_once"),
        ]
        indexes = [models.Index(fields=["due_at"], name="due_action_due")]
