"""Notifications to desk staff: a row in the desk header, and an email."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.conversations.models import Case
from ombuds.core.models import ChoiceLabels, Workspace


class EmailStatus(models.TextChoices):
    NONE = "none", _("No email")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(ChoiceLabels, models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    by_label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=8, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_due_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "workspace", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["user", "workspace"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True),
            ),
            models.Index(
                fields=["email_due_at"],
                name="notification_email_due",
                condition=models.Q(email_status="queued"),
            ),
        ]
