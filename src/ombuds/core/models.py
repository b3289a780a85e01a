"""The shared kernel's tables: the tenant itself, counters, idempotency records."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _


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
