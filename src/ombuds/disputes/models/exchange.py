"""What the parties put on a dispute: offers, messages of the three-party thread, evidence."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.core.models import ChoiceLabels, Workspace
from ombuds.marketplace.models import Party

from .dispute import Dispute, Role


class Visibility(models.TextChoices):
    """Who besides the platform sees a message or a piece of evidence."""

    PARTIES = "parties", _("Buyer, seller and platform")
    BUYER = "buyer", _("Buyer and platform")
    SELLER = "seller", _("Seller and platform")
    INTERNAL = "internal", _("Platform only")


# Which visibilities each audience may read; the platform reads everything.
READABLE_BY: dict[str, frozenset[str]] = {
    Role.BUYER: frozenset({Visibility.PARTIES, Visibility.BUYER}),
    Role.SELLER: frozenset({Visibility.PARTIES, Visibility.SELLER}),
    Role.AGENT: frozenset(Visibility.values),
    Role.SYSTEM: frozenset(Visibility.values),
}
# What each author may choose: a party writes to everyone or to the platform alone.
WRITABLE_BY: dict[str, frozenset[str]] = {
    Role.BUYER: frozenset({Visibility.PARTIES, Visibility.BUYER}),
    Role.SELLER: frozenset({Visibility.PARTIES, Visibility.SELLER}),
    Role.AGENT: frozenset(Visibility.values),
    Role.SYSTEM: frozenset(Visibility.values),
}


class OfferKind(models.TextChoices):
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    REPLACEMENT = "replacement", _("Replacement")
    RETURN_AND_REFUND = "return_and_refund", _("Return and refund")
    REBOOKING = "rebooking", _("Rebooking")
    CREDIT = "credit", _("Store credit")


# Kinds that name an amount of money; a replacement costs the buyer nothing and names none.
OFFERS_WITH_AMOUNT = frozenset(
    {OfferKind.PARTIAL_REFUND, OfferKind.RETURN_AND_REFUND, OfferKind.REBOOKING, OfferKind.CREDIT}
)


class OfferBearer(models.TextChoices):
    SELLER = "seller", _("Seller")
    PLATFORM = "platform", _("Platform")


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the buyer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    SUPERSEDED = "superseded", _("Replaced by a newer offer")
    LAPSED = "lapsed", _("Lapsed")


class Offer(ChoiceLabels, models.Model):
    """A resolution the seller (or the platform, in mediation) proposes to the buyer."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="offers")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=OfferKind.choices)
    amount = models.BigIntegerField(null=True, blank=True, help_text=_("Minor units"))
    currency = models.CharField(max_length=3)
    note = models.TextField(blank=True)
    # Who pays for it if accepted: the seller for their own offers; the platform may
    # propose a settlement it pays for itself.
    bearer = models.CharField(
        max_length=10, choices=OfferBearer.choices, default=OfferBearer.SELLER
    )
    status = models.CharField(
        max_length=12, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    made_by_role = models.CharField(max_length=8, choices=Role.choices)
    made_by_party = models.ForeignKey(
        Party, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    made_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "number"], name="offer_number_once"),
            models.UniqueConstraint(
                fields=["workspace", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="offer_key_once",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="offer_amount_gt_0",
            ),
        ]


class DisputeMessage(ChoiceLabels, models.Model):
    """One message of the three-party thread, with who may read it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages")
    author_role = models.CharField(max_length=8, choices=Role.choices)
    author_party = models.ForeignKey(
        Party, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(max_length=100, blank=True)
    body = models.TextField()
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["dispute", "created_at"], name="dispute_message_time")]


class EvidenceKind(models.TextChoices):
    STATEMENT = "statement", _("Statement")
    FILE = "file", _("File")
    TRACKING = "tracking", _("Tracking record")
    TRANSFER = "transfer", _("Transfer record")


class LockedFor(models.TextChoices):
    DECISION = "decision", _("A decision")
    PSP = "psp", _("The payment provider")


def evidence_path(instance: "Evidence", filename: str) -> str:
    # Content-addressed like message attachments; the party's file name is only data.
    return f"{instance.workspace_id}/evidence/{instance.sha256[:2]}/{instance.sha256}"


class Evidence(ChoiceLabels, models.Model):
    """A file or statement a party submits, or a record read from the order's data (a
    shipment's tracking, a booking's transfer). Once it was put before a decision or the
    payment provider it is locked: it stays exactly as it was judged."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    submitted_by_role = models.CharField(max_length=8, choices=Role.choices)
    submitted_by_party = models.ForeignKey(
        Party, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    # Facts read from the order (carrier, tracking number, transfer status…), as shown.
    facts = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to=evidence_path, max_length=200, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_for = models.CharField(max_length=10, choices=LockedFor.choices, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(fields=["dispute", "number"], name="evidence_number_once"),
        ]

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None
