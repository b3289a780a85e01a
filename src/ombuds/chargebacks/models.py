"""PSP chargebacks: the provider's connection, its raw webhook events, the chargeback
itself, the evidence submitted once, and the calls made to the provider (an outbox).

A chargeback is the card network's process, run by the payment provider between the
buyer's bank and the platform; Ombuds follows it, links it to the order's case and
answers it, but never moves its state itself (ADR 0040).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ombuds.accounts.models import Team
from ombuds.conversations.models import Case
from ombuds.core.models import ChoiceLabels, Workspace
from ombuds.marketplace.models import Order, Payment

from .sealing import SealedTextField
from .states import STRIPE, ChargebackState


class PspConnection(ChoiceLabels, models.Model):
    """A workspace's account at a payment provider: the keys its webhooks are verified
    with and its API is called with. Secrets are sealed at rest and never shown again."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="psp_connections"
    )
    # "stripe", or the name another provider's webhooks arrive under (/psp/<ws>/<name>/).
    provider = models.SlugField(max_length=30)
    name = models.CharField(max_length=100)
    # The provider's id of the platform account (Stripe: acct_…), when known.
    account_id = models.CharField(max_length=100, blank=True)
    secret_key = SealedTextField(blank=True)
    webhook_secret = SealedTextField(blank=True)
    # A Stripe Connect platform: refunds the seller bears reverse the seller's transfer
    # and give back the platform's application fee.
    connect_enabled = models.BooleanField(default=False)
    # Where the provider's API is reached; empty for the provider's own. Tests and
    # sandboxes point it elsewhere.
    api_base_url = models.URLField(blank=True)
    # Who works this provider's chargebacks; empty: a team named Finance or Escalations.
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "provider"], name="psp_connection_once"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_stripe(self) -> bool:
        return self.provider == STRIPE

    @property
    def livemode(self) -> bool:
        """Whether the key moves real money (sk_live_ / rk_live_)."""
        return "_live_" in (self.secret_key or "")[:8]


class EventStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be processed")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    REJECTED = "rejected", _("Rejected")


class PspEvent(ChoiceLabels, models.Model):
    """A webhook event as the provider sent it, stored before it is acknowledged and
    processed once by the provider's event id (ADR 0041)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    connection = models.ForeignKey(PspConnection, on_delete=models.CASCADE, related_name="events")
    provider = models.SlugField(max_length=30)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    raw = models.BinaryField()
    status = models.CharField(
        max_length=10, choices=EventStatus.choices, default=EventStatus.PENDING
    )
    # Why it was ignored or rejected (unknown_charge, stale, other_account…), for people.
    outcome = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    chargeback = models.ForeignKey(
        "Chargeback", on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    occurred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "provider", "event_id"], name="psp_event_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["received_at"],
                name="psp_event_pending",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"


class FundsStatus(models.TextChoices):
    NONE = "none", _("Not withdrawn")
    # In context: a dispute can be "withdrawn" too, which in Dutch is another word.
    WITHDRAWN = "withdrawn", pgettext_lazy("chargeback funds", "Withdrawn")
    REINSTATED = "reinstated", _("Reinstated")


class SubmissionStatus(models.TextChoices):
    NONE = "none", _("Not submitted")
    SENDING = "sending", _("Being sent")
    SUBMITTED = "submitted", _("Submitted")
    REFUSED = "refused", _("Refused by the provider")


class Chargeback(ChoiceLabels, models.Model):
    """A buyer's bank disputes a payment through the provider: the provider's state, its
    evidence deadline and single submission, and the case it is worked on."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="chargebacks")
    connection = models.ForeignKey(
        PspConnection, on_delete=models.PROTECT, related_name="chargebacks"
    )
    provider = models.SlugField(max_length=30)
    provider_dispute_id = models.CharField(max_length=100)
    charge_id = models.CharField(max_length=100)
    payment_intent_id = models.CharField(max_length=100, blank=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="chargebacks")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="chargebacks")
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="chargebacks"
    )
    amount = models.BigIntegerField(help_text=_("Minor units"))
    currency = models.CharField(max_length=3)
    # As the provider gives it: fraudulent, product_not_received, duplicate…
    reason = models.CharField(max_length=60, blank=True)
    network_reason_code = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=24, choices=ChargebackState.choices)
    is_charge_refundable = models.BooleanField(default=False)
    evidence_due_by = models.DateTimeField(null=True, blank=True)
    # When the desk is warned that the deadline comes near (ADR 0041); set once warned.
    due_warning_at = models.DateTimeField(null=True, blank=True)
    due_warned_at = models.DateTimeField(null=True, blank=True)
    submission_status = models.CharField(
        max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.NONE
    )
    evidence_submitted_at = models.DateTimeField(null=True, blank=True)
    # The provider's own count, from its reports: Stripe allows one submission.
    provider_submission_count = models.PositiveSmallIntegerField(default=0)
    funds = models.CharField(max_length=10, choices=FundsStatus.choices, default=FundsStatus.NONE)
    # The report the stored state came from (ADR 0041): a report that ranks lower is
    # recorded on its raw event but changes nothing here.
    observed_at = models.DateTimeField()
    observed_event_id = models.CharField(max_length=255, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # Whether this chargeback holds the buyer–seller disputes of its order frozen.
    disputes_frozen = models.BooleanField(default=False)
    # The provider's object as last reported (evidence_details, balance transactions…).
    provider_object = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "provider", "provider_dispute_id"], name="chargeback_once"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="chargeback_amount_gte_0"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-opened_at", "-id"], name="chargeback_list"),
            models.Index(fields=["workspace", "state", "evidence_due_by"], name="chargeback_due"),
            models.Index(fields=["payment", "state"], name="chargeback_payment"),
            models.Index(fields=["case"], name="chargeback_case"),
            # The deadline sweep reads only warnings not yet given.
            models.Index(
                fields=["due_warning_at"],
                name="chargeback_due_warning",
                condition=models.Q(due_warned_at__isnull=True, due_warning_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_dispute_id}"

    @property
    def is_open(self) -> bool:
        from .states import OPEN_STATES

        return self.state in OPEN_STATES


class EvidenceSubmission(ChoiceLabels, models.Model):
    """The evidence sent to the provider, exactly as previewed: text fields and files.
    At most one is being sent or has been accepted per chargeback (Stripe takes one)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    chargeback = models.ForeignKey(Chargeback, on_delete=models.CASCADE, related_name="submissions")
    status = models.CharField(max_length=10, choices=SubmissionStatus.choices)
    fields = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    refusal = models.TextField(blank=True)
    created_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # The single-submission rule, held by the database as well as by the service.
            models.UniqueConstraint(
                fields=["chargeback"],
                condition=models.Q(status__in=["sending", "submitted"]),
                name="evidence_submitted_once",
            ),
        ]


class EvidenceDocument(models.Model):
    """One file of a submission, kept as it was previewed until the provider has it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    submission = models.ForeignKey(
        EvidenceSubmission, on_delete=models.CASCADE, related_name="documents"
    )
    field = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    # receipt, customer_communication, refund_policy, or attachment:<id>
    source = models.CharField(max_length=40)
    content_type = models.CharField(max_length=40)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    provider_file_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "field"], name="evidence_field_once"),
        ]


class CallKind(models.TextChoices):
    SUBMIT_EVIDENCE = "submit_evidence", _("Evidence submission")
    REFUND = "refund", _("Refund")
    TRANSFER_REVERSAL = "transfer_reversal", _("Transfer reversal")


class CallStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SUCCEEDED = "succeeded", _("Done")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")


class PspCall(ChoiceLabels, models.Model):
    """Outbox row of one call to the provider's API, written in the transaction of the
    change that needs it and made after commit, retried with back-off (ADR 0042)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    connection = models.ForeignKey(PspConnection, on_delete=models.CASCADE, related_name="calls")
    kind = models.CharField(max_length=20, choices=CallKind.choices)
    # Sent as the Idempotency-Key on every attempt: the provider does it once.
    idempotency_key = models.CharField(max_length=255)
    params = models.JSONField(default=dict)
    chargeback = models.ForeignKey(
        Chargeback, on_delete=models.CASCADE, null=True, blank=True, related_name="calls"
    )
    submission = models.ForeignKey(
        EvidenceSubmission, on_delete=models.CASCADE, null=True, blank=True, related_name="calls"
    )
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True)
    # The ledger movement the call carries out (a refund's transaction id).
    ledger_transaction_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=CallStatus.choices, default=CallStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    # The provider's id of what the call made: re_…, trr_…, du_….
    provider_ref = models.CharField(max_length=100, blank=True)
    response = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "idempotency_key"], name="psp_call_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="psp_call_due", condition=models.Q(status="queued")
            ),
            models.Index(fields=["workspace", "provider_ref"], name="psp_call_ref"),
            models.Index(fields=["ledger_transaction_id"], name="psp_call_ledger"),
        ]
