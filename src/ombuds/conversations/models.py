"""Cases (tickets), their messages, attachments, participants and timeline."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.accounts.models import Team
from ombuds.core.models import ChoiceLabels, Workspace
from ombuds.marketplace.models import Order, Party


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING_CUSTOMER = "pending_customer", _("Pending customer")
    PENDING_THIRD_PARTY = "pending_third_party", _("Pending third party")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (
    Status.NEW,
    Status.OPEN,
    Status.PENDING_CUSTOMER,
    Status.PENDING_THIRD_PARTY,
    Status.ON_HOLD,
)
PENDING_STATUSES = (Status.PENDING_CUSTOMER, Status.PENDING_THIRD_PARTY, Status.ON_HOLD)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEB = "web", _("Web form")
    CHAT = "chat", _("Live chat")
    WHATSAPP = "whatsapp", _("WhatsApp")
    MESSENGER = "messenger", _("Messenger")
    TELEGRAM = "telegram", _("Telegram")
    X = "x", _("X")
    PHONE = "phone", _("Phone")
    API = "api", _("API")


class Tag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="tag_once")]

    def __str__(self) -> str:
        return self.name


class Case(ChoiceLabels, models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="cases")
    number = models.PositiveBigIntegerField()
    reference = models.CharField(max_length=24)
    subject = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(max_length=8, blank=True)
    topic = models.CharField(max_length=40, blank=True)
    requester = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="cases")
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="cases")
    created_at = models.DateTimeField(db_index=False)
    updated_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    is_public_post = models.BooleanField(
        default=False,
        help_text=_("Started from a public post (a mention on social media): reputation risk"),
    )
    # The earliest deadline among the case's running SLA clocks, kept by the sla app so
    # the inbox can sort and filter by it without a join.
    sla_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="case_number_once"),
            models.UniqueConstraint(fields=["workspace", "reference"], name="case_reference_once"),
        ]
        indexes = [
            # The inbox reads newest-first within a workspace, narrowed by its view.
            models.Index(fields=["workspace", "-updated_at", "-id"], name="case_inbox_all"),
            models.Index(
                fields=["workspace", "status", "-updated_at", "-id"], name="case_inbox_status"
            ),
            models.Index(
                fields=["workspace", "assignee", "-updated_at", "-id"], name="case_inbox_assignee"
            ),
            models.Index(
                fields=["workspace", "team", "-updated_at", "-id"], name="case_inbox_team"
            ),
            models.Index(fields=["workspace", "sla_due_at", "id"], name="case_inbox_sla_due"),
            models.Index(fields=["workspace", "requester"], name="case_requester"),
            models.Index(fields=["workspace", "order"], name="case_order"),
            # The inbox's view counts read only active cases: a covering index lets them
            # count the working set without touching the table, however many closed cases
            # pile up. (A partial index would be smaller, but SQLite cannot match it to a
            # query whose statuses arrive as bound parameters.)
            models.Index(
                fields=["workspace", "status", "assignee", "team"], name="case_view_counts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ParticipantRole(models.TextChoices):
    REQUESTER = "requester", _("Requester")
    SELLER = "seller", _("Seller")
    THIRD_PARTY = "third_party", _("Third party")
    CC = "cc", _("Copied")


class CaseParticipant(ChoiceLabels, models.Model):
    """Someone besides the requester who takes part in the case: the seller, a hotel…"""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=12, choices=ParticipantRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "party"], name="participant_once"),
        ]
        indexes = [models.Index(fields=["party"])]


class MessageKind(models.TextChoices):
    INBOUND = "inbound", _("From customer")
    OUTBOUND = "outbound", _("Reply")
    NOTE = "note", _("Internal note")
    CALL = "call", _("Phone call")


class Message(ChoiceLabels, models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_party = models.ForeignKey(
        Party, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body_text = models.TextField()
    body_html = models.TextField(blank=True, help_text=_("Sanitized before it is stored"))
    language = models.CharField(max_length=8, blank=True)
    # The channel's own id for this message (an email's Message-ID, a WhatsApp wamid…):
    # how a reply on that channel finds the message it answers.
    external_id = models.CharField(max_length=255, blank=True)
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    # What only some channels have: a call's duration and recording, a location, the URL
    # of a public post, the addresses an email was copied to.
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["case", "created_at"]),
            models.Index(fields=["workspace", "external_id"], name="message_external_id"),
        ]

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.NOTE


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is ours; the customer's file name is kept only as data.
    return f"{instance.workspace_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(ChoiceLabels, models.Model):
    """Outbox row: an outbound message still to be sent (or sent, or given up on)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=255, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Receipts from channels that report them (WhatsApp, Messenger): when the message
    # reached the customer's device, and when they opened it.
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="delivery_due", condition=models.Q(status="queued")
            ),
            # A receipt names the provider's id for the message it is about.
            models.Index(fields=["workspace", "provider_id"], name="delivery_provider_id"),
        ]


class CaseEvent(models.Model):
    """Append-only timeline of a case: who changed what, when, from what to what."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_party = models.ForeignKey(
        Party, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["case", "created_at"])]
