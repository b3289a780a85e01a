"""SLA policies, the clocks they start on cases, and a workspace's service targets.

A policy is chosen for a case by its conditions (first active match in order) and sets
business-time targets per metric. A clock is one row per case and metric while it runs
or is paused; its `due_at` and `warn_at` are indexed so the sweep reads only what is due
(docs/adr/0011).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.accounts.models import Team
from ombuds.conversations.models import Case, Status
from ombuds.core.models import BusinessCalendar, ChoiceLabels, Workspace


class Metric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")
    FOLLOW_UP = "follow_up", _("Third-party follow-up")


class CustomerTier(models.TextChoices):
    ANY = "any", _("Any customer")
    VIP = "vip", _("VIP customers")
    STANDARD = "standard", _("Other customers")


class DisputeCondition(models.TextChoices):
    ANY = "any", _("Disputes and other cases")
    DISPUTE = "dispute", _("Disputes only")
    OTHER = "other", _("No disputes")


class Notify(models.TextChoices):
    NOBODY = "", _("Nobody")
    ASSIGNEE = "assignee", _("The assignee")
    SUPERVISORS = "supervisors", _("Supervisors")
    BOTH = "both", _("The assignee and supervisors")


# While the desk waits on someone else, its own clocks stand still. On hold is the desk's
# own waiting, so it does not pause by default.
DEFAULT_PAUSE_STATUSES = [Status.PENDING_CUSTOMER, Status.PENDING_THIRD_PARTY]
PAUSABLE_STATUSES = (Status.PENDING_CUSTOMER, Status.PENDING_THIRD_PARTY, Status.ON_HOLD)
# A year of business time: longer targets are a typo.
MAX_TARGET_MINUTES = 366 * 24 * 60


def default_pause_statuses() -> list[str]:
    return list(DEFAULT_PAUSE_STATUSES)


def _target_field(label: str, help_text: str):
    return models.PositiveIntegerField(
        label,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)],
        help_text=help_text,
    )


class SlaPolicy(ChoiceLabels, models.Model):
    """Targets for the cases that meet its conditions; empty conditions match every case."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sla_policies")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    customer_tier = models.CharField(
        _("customers"), max_length=10, choices=CustomerTier.choices, default=CustomerTier.ANY
    )
    dispute = models.CharField(
        _("disputes"), max_length=10, choices=DisputeCondition.choices, default=DisputeCondition.ANY
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sla_policies",
        verbose_name=_("calendar"),
        help_text=_("Empty: the case's team calendar, else the workspace default."),
    )
    first_response_minutes = _target_field(
        _("first response"), _("Business minutes until the first reply to the customer.")
    )
    next_response_minutes = _target_field(
        _("next response"), _("Business minutes to answer each later customer message.")
    )
    resolution_minutes = _target_field(
        _("resolution"), _("Business minutes from opening until the case is solved.")
    )
    follow_up_minutes = _target_field(
        _("third-party follow-up"),
        _("While pending a third party: business minutes between internal follow-ups."),
    )
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at (% of target)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    pause_statuses = models.JSONField(_("pause in"), default=default_pause_statuses, blank=True)
    warning_notify = models.CharField(
        _("on warning, notify"), max_length=12, choices=Notify.choices, blank=True
    )
    warning_raise_priority = models.BooleanField(_("on warning, raise priority"), default=False)
    warning_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on warning, move to team"),
    )
    breach_notify = models.CharField(
        _("on breach, notify"), max_length=12, choices=Notify.choices, blank=True
    )
    breach_raise_priority = models.BooleanField(_("on breach, raise priority"), default=False)
    breach_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on breach, move to team"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "SLA policies"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="sla_policy_name_once"),
        ]

    def __str__(self) -> str:
        return self.name

    def target(self, metric: str) -> timedelta | None:
        minutes = getattr(self, f"{metric}_minutes")
        return None if minutes is None else timedelta(minutes=minutes)

    def pauses_in(self, status: str) -> bool:
        return status in (self.pause_statuses or [])


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (ClockState.RUNNING, ClockState.PAUSED)


class Outcome(models.TextChoices):
    NONE = "", _("Not decided")
    ACHIEVED = "achieved", _("Achieved")
    BREACHED = "breached", _("Breached")


class SlaClock(ChoiceLabels, models.Model):
    """One metric of one case against its target, in business time.

    `elapsed` is the business time used up to `running_since` (while running) or in
    total (once paused or stopped). While running, `due_at` is when the target runs out
    and `warn_at` when the warning share does (until the warning is given).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="sla_clocks", db_index=False
    )
    metric = models.CharField(max_length=16, choices=Metric.choices)
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="clocks"
    )
    policy_name = models.CharField(max_length=100)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=10, choices=ClockState.choices)
    target = models.DurationField()
    warn_after = models.DurationField()
    elapsed = models.DurationField(default=timedelta)
    started_at = models.DateTimeField()
    running_since = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    # Who answered for the outcome, for the compliance report: the team and agent of the
    # case when it breached, or whoever met it.
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "metric"],
                condition=models.Q(state__in=OPEN_STATES),
                name="sla_one_open_clock",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "state"], name="sla_clock_case"),
            # The sweep's two range scans: only unbreached running clocks carry a due_at
            # in this index, only unwarned ones a warn_at.
            models.Index(
                fields=["due_at"],
                name="sla_clock_due",
                condition=models.Q(breached_at__isnull=True, due_at__isnull=False),
            ),
            models.Index(
                fields=["warn_at"], name="sla_clock_warn", condition=models.Q(warn_at__isnull=False)
            ),
            models.Index(fields=["workspace", "outcome_at"], name="sla_clock_outcomes"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} of case {self.case_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ServiceTargets(models.Model):
    """A workspace's targets beyond the SLA policies: the CSAT share it aims for."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="service_targets"
    )
    csat_target_percent = models.PositiveSmallIntegerField(
        _("CSAT target (%)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Share of survey answers rating the service good or very good."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
