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
