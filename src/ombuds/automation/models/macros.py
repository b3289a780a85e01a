"""Macros: the desk's approved answers, per language, versioned, counted."""

from django.conf import settings
from django.db import models

from ombuds.conversations.models import Case, Message
from ombuds.core.models import Workspace


class Macro(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="macros")
    name = models.CharField(max_length=100)
    # A stable key for the macros the desk ships (proactive notices, reminders).
    key = models.SlugField(max_length=50, blank=True)
    is_active = models.BooleanField(default=True)
    current = models.ForeignKey(
        "MacroVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    usage_count = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="macro_name_once"),
            models.UniqueConstraint(
                fields=["workspace", "key"], name="macro_key_once", condition=~models.Q(key="")
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MacroVersion(models.Model):
    """What a macro said at one point. Editing adds a version; old ones stay, so a sent
    reply can always show the words it was made from."""

    macro = models.ForeignKey(Macro, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["macro", "number"], name="macro_version_once"),
        ]


class MacroTranslation(models.Model):
    version = models.ForeignKey(MacroVersion, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=8)
    body = models.TextField()

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["version", "language"], name="macro_text_once"),
        ]


class MacroUse(models.Model):
    """A reply made from a macro: which version, in which language, by whom."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    macro = models.ForeignKey(Macro, on_delete=models.CASCADE, related_name="uses")
    version = models.ForeignKey(MacroVersion, on_delete=models.CASCADE, related_name="uses")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="macro_uses")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="macro_use")
    language = models.CharField(max_length=8)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    used_by_label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["macro", "version"])]
