"""Coordination tasks: work a case needs from a third party (a courier's trace, a hotel's
confirmation), with its owner, deadline, outcome and email thread."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.conversations.models import Case, Message
from ombuds.core.models import ChoiceLabels, Workspace
from ombuds.marketplace.models import Party


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for reply")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.WAITING)


class CoordinationTask(ChoiceLabels, models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="coordination_tasks")
    number = models.PositiveIntegerField()
    reference = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="coordination_tasks"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordination_tasks",
    )
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    outcome = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="task_number_once"),
            models.UniqueConstraint(fields=["workspace", "reference"], name="task_reference_once"),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "due_at"], name="task_due"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES


class TaskMessage(models.Model):
    """A message of the task's thread: an email to the third party, or its reply."""

    task = models.ForeignKey(CoordinationTask, on_delete=models.CASCADE, related_name="links")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="task_link")

    class Meta:
        ordering = ["message__created_at", "pk"]
