"""Who can take which case: agents' skills, presence and capacity; teams' queues and their
backlogs of cases waiting for someone."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.accounts.models import Membership, Team
from ombuds.conversations.models import Case
from ombuds.core.models import ChoiceLabels, Workspace

MAX_CAPACITY = 200
DEFAULT_CAPACITY = 8


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class Strategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class SkillKind(models.TextChoices):
    """The kinds of skill routing knows how to ask for; the codes within a kind are free
    (a language code, a channel, any topic or dispute reason a workspace uses)."""

    LANGUAGE = "language", _("Language")
    CHANNEL = "channel", _("Channel")
    TOPIC = "topic", _("Topic")


class Condition(models.TextChoices):
    """How a queue treats a yes/no fact of a case (a VIP requester, a public post)."""

    ANY = "any", _("Either")
    ONLY = "only", _("Only")
    EXCLUDE = "exclude", _("Never")


class AgentProfile(ChoiceLabels, models.Model):
    """One member's part in routing within a workspace: whether they take cases right now,
    how many active cases they can hold, and (through AgentSkill) what they can handle."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="agent_profile"
    )
    # The membership's user, kept on the row so loads (cases by assignee) join without it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profiles"
    )
    presence = models.CharField(max_length=8, choices=Presence.choices, default=Presence.OFFLINE)
    presence_changed_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField(
        default=DEFAULT_CAPACITY,
        validators=[MaxValueValidator(MAX_CAPACITY)],
        help_text=_("Most active cases routing gives this person; 0 takes none."),
    )
    # Least loaded breaks ties by who waited longest for a case.
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    # Went offline with cases still to hand over: the periodic sweep keeps trying.
    hand_over = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="agent_profile_once"),
        ]
        indexes = [models.Index(fields=["workspace", "presence"], name="agent_presence")]

    def __str__(self) -> str:
        return f"{self.user} ({self.presence})"


class AgentSkill(ChoiceLabels, models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="skills")
    kind = models.CharField(max_length=10, choices=SkillKind.choices)
    code = models.CharField(max_length=40)

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "kind", "code"], name="agent_skill_once"),
        ]
        indexes = [models.Index(fields=["workspace", "kind", "code"], name="agent_skill_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class Queue(ChoiceLabels, models.Model):
    """A team's queue, and the routing rule that fills it: active queues are tried in
    `position` order and the first whose conditions fit a case takes it. An empty list
    condition accepts every value."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="queues")
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    strategy = models.CharField(
        max_length=12, choices=Strategy.choices, default=Strategy.LEAST_LOADED
    )
    # Which cases enter: each list holds the accepted values (any of them), empty is "all".
    channels = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)
    priorities = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    vip = models.CharField(max_length=8, choices=Condition.choices, default=Condition.ANY)
    public_post = models.CharField(max_length=8, choices=Condition.choices, default=Condition.ANY)
    # Which skills an agent needs, taken from the case.
    match_language = models.BooleanField(default=True)
    match_channel = models.BooleanField(default=False)
    match_topic = models.BooleanField(default=False)
    # Round robin's pointer: the next turn goes to the first agent after this one.
    last_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="queue_name_once"),
        ]
        indexes = [models.Index(fields=["workspace", "is_active", "position"], name="queue_rules")]

    def __str__(self) -> str:
        return self.name


PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2, "urgent": 3}


class QueueEntry(models.Model):
    """A case waiting in a queue's backlog because nobody could take it yet. The row goes
    when someone does."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="entries")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="queue_entry")
    # A VIP requester or a public post: reputation at stake, served before the rest.
    pressing = models.BooleanField(default=False)
    priority_rank = models.PositiveSmallIntegerField(default=PRIORITY_RANK["normal"])
    waiting_since = models.DateTimeField()

    class Meta:
        verbose_name_plural = "queue entries"
        indexes = [
            # The drain reads a queue's backlog in exactly this order.
            models.Index(
                fields=["queue", "-pressing", "-priority_rank", "waiting_since", "id"],
                name="backlog_order",
            ),
        ]
