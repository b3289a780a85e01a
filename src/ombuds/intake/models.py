"""What the channels bring in, kept as it came, and how each channel is connected.

An `InboundMessage` is written (raw bytes, channel, external id) before anything is
acknowledged to the sender or deleted from a server; processing then turns it into a
message on a case. The row is the truth: a crash leaves it pending and it is processed
again, and the unique external id makes a second delivery of the same payload a no-op.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.conversations.models import Case, Channel, Message
from ombuds.core.models import ChoiceLabels, Workspace
from ombuds.marketplace.models import Party


class InboundStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be processed")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    REJECTED = "rejected", _("Rejected")


class InboundMessage(ChoiceLabels, models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # The channel's id for the payload: Message-ID (or a digest of the bytes when an email
    # has none), a WhatsApp wamid, a Telegram update id…
    external_id = models.CharField(max_length=255)
    source = models.CharField(
        max_length=100, blank=True, help_text=_("Where it came from: a mailbox, a webhook, a file")
    )
    content_type = models.CharField(max_length=100, default="message/rfc822")
    raw = models.BinaryField()
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=InboundStatus.choices, default=InboundStatus.PENDING
    )
    # Why it was ignored or rejected ("bounce", "auto_reply", "too_large"…), for people.
    outcome = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True)
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound"
    )
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "channel", "external_id"], name="inbound_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["received_at"],
                name="inbound_pending",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"


class ChannelAccount(ChoiceLabels, models.Model):
    """A workspace's connection to a messaging platform or provider: a WhatsApp number, a
    Facebook page, a Telegram bot, an X account, a telephony provider, a mail provider's
    inbound webhook. Secrets stay out of every page and log."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    name = models.CharField(max_length=100)
    # The platform's id for the account (phone number id, page id, bot id…): how a
    # webhook that serves many accounts finds the workspace.
    account_id = models.CharField(max_length=100)
    # Where replies are sent; configurable so tests and sandboxes can point elsewhere.
    api_base_url = models.URLField(blank=True)
    access_token = models.CharField(max_length=500, blank=True)
    # Verifies what the platform sends: app secret (HMAC), webhook verify token, bot
    # secret token, provider signing key.
    signing_secret = models.CharField(max_length=500, blank=True)
    verify_token = models.CharField(max_length=200, blank=True)
    settings = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    # What an admin setting up the platform side needs to see: did a webhook arrive, and
    # what went wrong last (a wrong signature, an unknown account).
    last_webhook_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "account_id"], name="channel_account_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.name}"


class Mailbox(models.Model):
    """An IMAP mailbox Ombuds fetches a workspace's email from."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="mailboxes")
    address = models.EmailField(help_text=_("The address customers write to"))
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    use_ssl = models.BooleanField(default=True)
    starttls = models.BooleanField(default=False)
    username = models.CharField(max_length=255)
    password = models.CharField(max_length=500)
    folder = models.CharField(max_length=255, default="INBOX")
    # After a message is stored it is flagged \\Seen (or deleted, or moved here).
    archive_folder = models.CharField(max_length=255, blank=True)
    delete_after_fetch = models.BooleanField(default=False)
    uid_validity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A failing server is retried later each time (`retry_at`), and shows on its page.
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    # Who is fetching it now, and until when: two workers never fetch one mailbox at
    # once, and a worker that dies lets go when its lease runs out (docs/adr/0012).
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return self.address


class ChatStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an agent")
    ACTIVE = "active", _("In conversation")
    OFFLINE = "offline", _("Continued by email")
    ENDED = "ended", _("Ended")


class ChatSession(ChoiceLabels, models.Model):
    """A visitor's live chat from the widget; its transcript is the case's messages."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    # Random and unguessable: the widget holds it, and it is all a visitor can prove.
    token = models.CharField(max_length=64, unique=True)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True)
    party = models.ForeignKey(Party, on_delete=models.SET_NULL, null=True, blank=True)
    status = models.CharField(max_length=10, choices=ChatStatus.choices, default=ChatStatus.WAITING)
    visitor_name = models.CharField(max_length=200, blank=True)
    visitor_email = models.EmailField(blank=True)
    page_url = models.URLField(max_length=1000, blank=True)
    language = models.CharField(max_length=8, blank=True)
    agent_last_read_at = models.DateTimeField(null=True, blank=True)
    visitor_last_read_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    # The last message or sign of life from either side: the idle sweep ends a chat
    # nobody has touched for a while.
    last_activity_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "status"]),
            models.Index(fields=["status", "last_activity_at"], name="chat_idle"),
        ]


class ConnectionKind(models.TextChoices):
    VISITOR = "visitor", _("Visitor")
    AGENT = "agent", _("Agent")
    VIEWER = "viewer", _("Viewer")


class ChatConnection(models.Model):
    """One open live socket: a visitor's widget on a chat, or a desk page of a member.

    Rows are presence: an agent's row says someone can answer chats now, a visitor's says
    a reply reaches them live. Each socket refreshes `seen_at` with its heartbeats, so a
    row left behind by a crashed process stops counting once it goes stale."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    channel_name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=8, choices=ConnectionKind.choices)
    session = models.ForeignKey(
        ChatSession, on_delete=models.CASCADE, null=True, blank=True, related_name="connections"
    )
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    connected_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "kind", "seen_at"], name="chat_presence"),
            models.Index(fields=["session", "seen_at"], name="chat_visitor_presence"),
            models.Index(fields=["seen_at"], name="chat_connection_stale"),
        ]


class PartyMerge(models.Model):
    """An agent's decision that two parties are one person, with what it moved, so it can
    be undone exactly."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    kept = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="merges_kept")
    merged = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="merges_absorbed")
    merged_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Ids of the rows re-pointed at `kept` and the fields copied onto it.
    moved = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["workspace", "kept"]), models.Index(fields=["merged"])]


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Not sent")


class SenderNotice(ChoiceLabels, models.Model):
    """The one message a sender gets back when what they sent was refused (an attachment
    too large, too many files): written with the refusal, delivered by the worker."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    # One notice per refused payload, however often it is processed again.
    inbound = models.OneToOneField(InboundMessage, on_delete=models.CASCADE, related_name="notice")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    reason = models.CharField(max_length=40)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=NoticeStatus.choices)
    # Why it was not sent (an automatic reply, a bounce, the per-sender limit), for people.
    note = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "recipient", "created_at"], name="notice_recipient"),
            models.Index(
                fields=["next_attempt_at"], name="notice_due", condition=models.Q(status="queued")
            ),
        ]
