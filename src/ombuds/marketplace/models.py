"""The read model the marketplace feeds: parties, orders, payments, bookings, shipments."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.core.models import ChoiceLabels, Workspace


class PartyKind(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    THIRD_PARTY = "third_party", _("Third party")


class Party(ChoiceLabels, models.Model):
    """A person or business outside the desk: buyer (or prospect), seller, hotel, courier…"""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField(max_length=16, choices=PartyKind.choices, default=PartyKind.BUYER)
    external_id = models.CharField(max_length=100, null=True, blank=True)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=8, blank=True)
    is_vip = models.BooleanField(default=False)
    # Set when an agent merged this party into another: the same person, seen twice.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_parties"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "parties"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="party_external_id_once"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "name"])]

    def __str__(self) -> str:
        return self.name or self.email or f"party {self.pk}"


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    HANDLE = "handle", _("Social handle")


class PartyIdentity(ChoiceLabels, models.Model):
    """One way to recognise a party: an email, an E.164 phone, a social handle."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=8, choices=IdentityKind.choices)
    value = models.CharField(max_length=254)  # normalised: lower-case email, E.164 phone

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "value"], name="identity_once"),
        ]


class OrderKind(models.TextChoices):
    GOODS = "goods", _("Shipped goods")
    EVENT_TICKET = "event_ticket", _("Event ticket")
    HOTEL = "hotel", _("Hotel reservation")
    FLIGHT = "flight", _("Flight")


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    PAID = "paid", _("Paid")
    FULFILLED = "fulfilled", _("Fulfilled")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class Order(ChoiceLabels, models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="orders")
    external_id = models.CharField(max_length=100)
    buyer = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="purchases")
    seller = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="sales", null=True, blank=True
    )
    kind = models.CharField(max_length=16, choices=OrderKind.choices)
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PAID)
    currency = models.CharField(max_length=3)
    total = models.BigIntegerField(help_text=_("Minor units"))
    placed_at = models.DateTimeField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="order_external_id_once"
            ),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_gte_0"),
        ]

    def __str__(self) -> str:
        return self.external_id


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=500)
    quantity = models.PositiveIntegerField()
    unit_price = models.BigIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="line_price_gte_0"),
        ]


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    AUTHORIZED = "authorized", _("Authorized")
    CAPTURED = "captured", _("Captured")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")
    FAILED = "failed", _("Failed")


class Payment(ChoiceLabels, models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    external_id = models.CharField(max_length=100)
    provider = models.CharField(max_length=40, blank=True)
    method = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices)
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField()
    captured_amount = models.BigIntegerField(default=0)
    refunded_amount = models.BigIntegerField(default=0)
    captured_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="payment_external_id_once"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    amount__gte=0,
                    captured_amount__gte=0,
                    refunded_amount__gte=0,
                    refunded_amount__lte=models.F("captured_amount"),
                ),
                name="payment_amounts_consistent",
            ),
        ]


class BookingKind(models.TextChoices):
    EVENT_TICKET = "event_ticket", _("Event ticket")
    HOTEL = "hotel", _("Hotel reservation")
    FLIGHT = "flight", _("Flight")


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Transfer pending")
    DONE = "done", _("Transferred")
    FAILED = "failed", _("Transfer failed")


class Booking(ChoiceLabels, models.Model):
    """A resold reservation: the seller must transfer it to the buyer before it can be used."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="bookings")
    external_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=BookingKind.choices)
    title = models.CharField(max_length=300, help_text=_("Event, hotel or flight"))
    location = models.CharField(max_length=300, blank=True)
    third_party = models.ForeignKey(
        Party, on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings_provided"
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    holder_name = models.CharField(max_length=200, blank=True)
    confirmation_code = models.CharField(max_length=100, blank=True)
    transfer_status = models.CharField(
        max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    transfer_due_at = models.DateTimeField(null=True, blank=True)
    transferred_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="booking_external_id_once"
            ),
        ]
        indexes = [
            # The transfer-deadline sweep reads only deadlines that just passed.
            models.Index(
                fields=["transfer_due_at"],
                name="booking_transfer_due",
                condition=models.Q(transfer_status="pending"),
            ),
        ]


class ShipmentStatus(models.TextChoices):
    LABEL_CREATED = "label_created", _("Label created")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")
    DELAYED = "delayed", _("Delayed")
    LOST = "lost", _("Lost")
    DAMAGED = "damaged", _("Damaged")
    RETURNED = "returned", _("Returned")


class Shipment(ChoiceLabels, models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    external_id = models.CharField(max_length=100)
    carrier = models.CharField(max_length=60)
    tracking_number = models.CharField(max_length=100, blank=True)
    tracking_url = models.URLField(blank=True)
    status = models.CharField(
        max_length=16, choices=ShipmentStatus.choices, default=ShipmentStatus.LABEL_CREATED
    )
    promised_at = models.DateField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="shipment_external_id_once"
            ),
        ]


class OrderEvent(models.Model):
    """Something that happened to an order on the marketplace's side (append-only)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    external_id = models.CharField(max_length=100, null=True, blank=True)
    type = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="order_event_external_id_once"
            ),
        ]
        indexes = [models.Index(fields=["order", "occurred_at"])]
