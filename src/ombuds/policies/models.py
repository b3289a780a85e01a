"""Commerce policy: the rules a workspace resolves problems by, kept as numbered versions.

A version is never changed once written: an edit writes the next version, and every
decision and money movement names the version it was made under.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.core.models import Workspace


class Bearer(models.TextChoices):
    """Who can be at fault, and who can bear the cost of putting it right."""

    SELLER = "seller", _("Seller")
    BUYER = "buyer", _("Buyer")
    CARRIER = "carrier", _("Carrier")
    PLATFORM = "platform", _("Platform")


class ReturnBy(models.TextChoices):
    SELLER = "seller", _("Seller arranges the return")
    BUYER = "buyer", _("Buyer arranges the return")
    NONE = "none", _("Nothing is returned")


class Cause(models.TextChoices):
    """What went wrong, as the desk established it: the finding fault rules key on."""

    SELLER_ERROR = "seller_error", _("Seller error")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    WRONG_ITEM = "wrong_item", _("Wrong item sent")
    SELLER_CANCELLED = "seller_cancelled", _("Seller cancelled or backed out")
    TRANSFER_NOT_MADE = "transfer_not_made", _("Booking not transferred in time")
    WRONG_ADDRESS = "wrong_address", _("Buyer gave a wrong address")
    WRONG_SIZE = "wrong_size", _("Buyer ordered the wrong size")
    CHANGED_MIND = "changed_mind", _("Buyer changed their mind")
    CARRIER_LOSS = "carrier_loss", _("Lost by the carrier")
    CARRIER_DAMAGE = "carrier_damage", _("Damaged in transit")
    CARRIER_DELAY = "carrier_delay", _("Delayed by the carrier")
    PLATFORM_ERROR = "platform_error", _("Platform error")
    DUPLICATE_CHARGE = "duplicate_charge", _("Charged twice")


# Whose error each cause is. Fixed: a policy decides who bears the cost, not whose
# fault a lost parcel is.
AT_FAULT: dict[str, str] = {
    Cause.SELLER_ERROR: Bearer.SELLER,
    Cause.NOT_AS_DESCRIBED: Bearer.SELLER,
    Cause.WRONG_ITEM: Bearer.SELLER,
    Cause.SELLER_CANCELLED: Bearer.SELLER,
    Cause.TRANSFER_NOT_MADE: Bearer.SELLER,
    Cause.WRONG_ADDRESS: Bearer.BUYER,
    Cause.WRONG_SIZE: Bearer.BUYER,
    Cause.CHANGED_MIND: Bearer.BUYER,
    Cause.CARRIER_LOSS: Bearer.CARRIER,
    Cause.CARRIER_DAMAGE: Bearer.CARRIER,
    Cause.CARRIER_DELAY: Bearer.CARRIER,
    Cause.PLATFORM_ERROR: Bearer.PLATFORM,
    Cause.DUPLICATE_CHARGE: Bearer.PLATFORM,
}


class Reason(models.TextChoices):
    """Why a buyer asks for money back: the dispute reason codes. Money movements carry
    one, so the cost of resolutions can be reported by reason."""

    NOT_RECEIVED = "not_received", _("Not received")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    DAMAGED = "damaged", _("Damaged")
    LATE_DELIVERY = "late_delivery", _("Late delivery")
    SELLER_CANCELLED = "seller_cancelled", _("Seller cancelled or backed out")
    TICKET_LATE = "ticket_not_delivered_in_time", _("Ticket not delivered in time")
    TICKET_INVALID = "ticket_invalid_at_entry", _("Ticket invalid at entry")
    EVENT_CANCELLED = "event_cancelled", _("Event cancelled or postponed")
    BOOKING_NOT_HONOURED = "booking_not_honoured", _("Booking not honoured on arrival")
    TRANSFER_REFUSED = "transfer_refused", _("Name change or transfer refused")
    DUPLICATE_CHARGE = "duplicate_charge", _("Duplicate charge")
    UNRECOGNISED_CHARGE = "unrecognised_charge", _("Unrecognised charge")
    INCORRECT_AMOUNT = "incorrect_amount", _("Incorrect amount")
    PAID_BY_OTHER_MEANS = "paid_by_other_means", _("Paid by other means")
    SUBSCRIPTION_CHARGED = "subscription_still_charged", _("Cancelled subscription still charged")
    REFUND_NOT_RECEIVED = "refund_not_received", _("Refund not received")
    OTHER = "other", _("Other")


class ActionKind(models.TextChoices):
    """The money actions an authority limit applies to."""

    REFUND = "refund", _("Refund")
    CREDIT = "credit", _("Store credit")
    SELLER_DEBIT = "seller_debit", _("Seller debit")
    REBOOKING = "rebooking", _("Rebooking")
    REVERSAL = "reversal", _("Reversal")


class BudgetKind(models.TextChoices):
    REBOOKING = "rebooking", _("Rebooking budget")
    COMPENSATION = "compensation", _("Compensation budget")


class PolicyVersion(models.Model):
    """One numbered, unchangeable edition of a workspace's commerce policy."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="policy_versions"
    )
    number = models.PositiveIntegerField()
    document = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="policy_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.workspace} policy v{self.number}"
