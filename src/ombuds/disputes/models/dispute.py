"""A dispute between a buyer and a seller about one order, and its event table."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.conversations.models import Case
from ombuds.core.models import ChoiceLabels, Workspace
from ombuds.marketplace.models import Order, Party

PREFIX = "DSP"


class Reason(models.TextChoices):
    """Why a buyer disputes an order."""

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


class State(models.TextChoices):
    AWAITING_CONTACT = "awaiting_contact", _("Buyer contacting the seller")
    AWAITING_SELLER = "awaiting_seller", _("Awaiting the seller")
    OFFER_PENDING = "offer_pending", _("Offer awaiting the buyer")
    CONTESTED = "contested", _("Contested by the seller")
    IN_MEDIATION = "in_mediation", _("In mediation")
    DECIDED = "decided", _("Decided")
    UNDER_APPEAL = "under_appeal", _("Under appeal")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


FINAL_STATES = frozenset({State.RESOLVED, State.CLOSED, State.WITHDRAWN})
OPEN_STATES = frozenset(set(State.values) - FINAL_STATES)
# Before the platform steps in: the buyer and the seller sort it out between them.
BETWEEN_PARTIES = frozenset(
    {State.AWAITING_CONTACT, State.AWAITING_SELLER, State.OFFER_PENDING, State.CONTESTED}
)


class Role(models.TextChoices):
    """Who acts on a dispute."""

    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    AGENT = "agent", _("Platform")
    SYSTEM = "system", _("System")


class DesiredOutcome(models.TextChoices):
    FULL_REFUND = "full_refund", _("A full refund")
    PARTIAL_REFUND = "partial_refund", _("A partial refund")
    REPLACEMENT = "replacement", _("A replacement")
    RETURN_AND_REFUND = "return_and_refund", _("Return it for a refund")
    REBOOKING = "rebooking", _("A new booking")
    OTHER = "other", _("Something else")


class Ending(models.TextChoices):
    """How a dispute that is over came to its end (empty while it runs)."""

    SELLER_ACCEPTED = "seller_accepted", _("The seller accepted")
    OFFER_ACCEPTED = "offer_accepted", _("The buyer accepted an offer")
    DECIDED = "decided", _("Decided by the platform")
    APPEAL_DECIDED = "appeal_decided", _("Decided on appeal")
    RESCUED = "rescued", _("Sorted out by the platform")
    LAPSED = "lapsed", _("The buyer did not answer in time")
    WITHDRAWN = "withdrawn", _("Withdrawn by the buyer")


class Dispute(ChoiceLabels, models.Model):
    """A buyer's claim about an order, worked between buyer, seller and platform.

    Every deadline is a column of its own; `next_due_at` is the one the sweep acts on
    next (None while nothing is due, or while a chargeback freezes the dispute)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="disputes")
    number = models.PositiveBigIntegerField()
    reference = models.CharField(max_length=24)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="disputes")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="disputes")
    buyer = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="disputes_opened")
    seller = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="disputes_received"
    )
    reason = models.CharField(max_length=32, choices=Reason.choices)
    description = models.TextField()
    desired_outcome = models.CharField(max_length=20, choices=DesiredOutcome.choices)
    amount = models.BigIntegerField(help_text=_("Minor units; never above the order total"))
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=20, choices=State.choices)
    ending = models.CharField(max_length=20, choices=Ending.choices, blank=True)
    language = models.CharField(max_length=8, blank=True)
    # A chargeback at the payment provider freezes the dispute until it is over.
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_reason = models.CharField(max_length=300, blank=True)
    contact_due_at = models.DateTimeField(null=True, blank=True)
    seller_due_at = models.DateTimeField(null=True, blank=True)
    buyer_due_at = models.DateTimeField(null=True, blank=True)
    appeal_due_at = models.DateTimeField(null=True, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    seller_responded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    opened_by_label = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="dispute_number_once"),
            models.UniqueConstraint(
                fields=["workspace", "reference"], name="dispute_reference_once"
            ),
            models.UniqueConstraint(
                fields=["workspace", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="dispute_key_once",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="dispute_amount_gte_0"),
        ]
        indexes = [
            # The sweep reads only what is due; nothing else is ever scanned.
            models.Index(
                fields=["next_due_at"],
                name="dispute_due",
                condition=models.Q(next_due_at__isnull=False),
            ),
            models.Index(fields=["workspace", "-updated_at", "-id"], name="dispute_list"),
            models.Index(
                fields=["workspace", "state", "-updated_at", "-id"], name="dispute_list_state"
            ),
            models.Index(fields=["workspace", "next_due_at"], name="dispute_list_deadline"),
            models.Index(fields=["workspace", "reason"], name="dispute_reason"),
            models.Index(fields=["workspace", "seller", "created_at"], name="dispute_seller"),
            # The seller portal's list, newest activity first.
            models.Index(
                fields=["workspace", "seller", "-updated_at", "-id"], name="dispute_seller_list"
            ),
            models.Index(fields=["workspace", "buyer", "-updated_at"], name="dispute_buyer"),
            models.Index(fields=["workspace", "order"], name="dispute_order"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def latest_decision(self):
        """The decision in force: the last decision or review of its appeal, or None."""
        return self.decisions.order_by("-created_at", "-pk").first()

    def deadline(self):
        """The deadline that matters now, as people read it (frozen or not)."""
        return {
            State.AWAITING_CONTACT: self.contact_due_at,
            State.AWAITING_SELLER: self.seller_due_at,
            State.OFFER_PENDING: self.buyer_due_at,
            State.CONTESTED: self.buyer_due_at,
            State.DECIDED: self.appeal_due_at,
        }.get(self.state)


class DisputeEvent(models.Model):
    """Append-only record of a dispute's transitions: who, when, from which state to which."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor_role = models.CharField(max_length=8, choices=Role.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_party = models.ForeignKey(
        Party, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["dispute", "created_at"], name="dispute_event_time")]
