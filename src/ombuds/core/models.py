"""The shared kernel's tables: the tenant itself, counters, idempotency records, business
calendars."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from .business_time import WEEKDAYS


class ChoiceLabels:
    """`get_FOO_display()` without translating every choice of the field on each call.

    Django's version builds a dict of all choices per call, and hashing a lazy label
    translates it; on a 50-row inbox that was 150 calls of ~150 µs. Here the labels are
    collected once per field and only the one shown is translated. Mix in before
    models.Model."""

    def _get_FIELD_display(self, field):
        labels = field.__dict__.get("_ombuds_labels")
        if labels is None:
            labels = field._ombuds_labels = dict(field.flatchoices)
        value = getattr(self, field.attname)
        return force_str(labels.get(value, value), strings_only=True)


class Workspace(models.Model):
    """A tenant: one marketplace (or one brand of it) with its own cases, people and settings."""

    slug = models.SlugField(unique=True, max_length=50)
    name = models.CharField(max_length=200)
    case_prefix = models.CharField(
        max_length=8,
        default="CASE",
        validators=[RegexValidator(r"^[A-Z][A-Z0-9]{1,7}$", _("2-8 capitals or digits"))],
        help_text=_("Case references read PREFIX-1042."),
    )
    timezone = models.CharField(max_length=64, default="Europe/Amsterdam")
    default_language = models.CharField(max_length=8, default="en")
    languages = models.JSONField(default=list, help_text=_("Language codes the desk answers in."))
    support_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """A named, gap-tolerant sequence (case numbers per workspace, and later dispute numbers)."""

    scope = models.CharField(max_length=100, unique=True)
    value = models.BigIntegerField(default=0)


class IdempotencyRecord(models.Model):
    """The first answer to a POST that carried an Idempotency-Key, returned again on a retry."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="idempotency_key_once"),
        ]


def office_week() -> dict[str, str]:
    """Monday to Friday, 09:00-17:00: what a new workspace's calendar starts with."""
    return {day: ("09:00-17:00" if i < 5 else "") for i, day in enumerate(WEEKDAYS)}


class BusinessCalendar(models.Model):
    """When a desk is open: its timezone, weekly hours, public holidays and closures.
    SLA clocks and dispute deadlines count only open time on it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="calendars")
    name = models.CharField(_("name"), max_length=100)
    timezone = models.CharField(_("timezone"), max_length=64)
    weekly_hours = models.JSONField(
        _("weekly hours"),
        default=office_week,
        help_text=_("Per weekday (mon…sun) the opening hours, as '09:00-12:00, 13:00-17:00'."),
    )
    holiday_country = models.CharField(_("public holidays of"), max_length=8, blank=True)
    holiday_subdivision = models.CharField(_("region"), max_length=10, blank=True)
    is_default = models.BooleanField(_("workspace default"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every change to the calendar or its closures: the computed value is
    # cached per process under (id, updated_at).
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="calendar_name_once"),
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(is_default=True),
                name="one_default_calendar",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CalendarClosure(models.Model):
    """Days (or hours) a calendar is closed besides its weekly hours and holidays: a
    company outing, a system migration. Without times it closes whole days; with times
    it closes from `starts_on` at `from_time` to `ends_on` at `until_time`, local time."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closures"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    from_time = models.TimeField(_("from time"), null=True, blank=True)
    until_time = models.TimeField(_("until time"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "from_time", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="closure_in_order"
            ),
        ]

    @property
    def is_whole_days(self) -> bool:
        return self.from_time is None and self.until_time is None


class WebhookEndpoint(models.Model):
    """Where the workspace's own systems want to hear from the desk: a URL, the secret that
    signs each call, and the events it takes (empty: every event)."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200)
    events = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="webhook_endpoint_name_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def takes(self, event: str) -> bool:
        return not self.events or event in self.events


class WebhookStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """Outbox row of one signed call to one endpoint. Written in the transaction of the
    change it reports; sent after commit, retried with back-off, kept when it fails."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=64)
    # What the call is about ("case:42"), so a failure can be shown where it matters.
    subject = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=8, choices=WebhookStatus.choices, default=WebhookStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "idempotency_key"], name="webhook_delivery_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="webhook_due", condition=models.Q(status="queued")
            ),
            models.Index(fields=["workspace", "status", "-created_at"], name="webhook_by_status"),
        ]
