"""The money of resolutions, kept in double entry per workspace.

A `Transaction` is one movement (a refund, a credit, a seller debit…); its `Entry` rows
move amounts between accounts and sum to zero per currency. Debits are positive, credits
negative, amounts integer minor units. A `MoneyAction` is what someone asked for under an
idempotency key: executed at once, or waiting in an `ApprovalRequest` when it is above
their authority. See docs/adr/0022.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ombuds.accounts.models import Role
from ombuds.conversations.models import Case
from ombuds.core.models import ChoiceLabels, Workspace
from ombuds.marketplace.models import Order, Party, Payment
from ombuds.policies.models import ActionKind, Bearer, PolicyVersion, Reason


class AccountKind(models.TextChoices):
    PSP_CLEARING = "psp_clearing", _("PSP clearing")
    SELLER_BALANCE = "seller_balance", _("Seller balance")
    PLATFORM_SALES = "platform_sales", _("Platform sales")
    BUYER_REFUNDS_PAYABLE = "buyer_refunds_payable", _("Buyer refunds payable")
    CREDITS_OUTSTANDING = "credits_outstanding", _("Credits outstanding")
    PLATFORM_COST = "platform_cost", _("Platform cost")
    CARRIER_CLAIMS = "carrier_claims", _("Carrier claims receivable")
    REBOOKINGS_PAYABLE = "rebookings_payable", _("Rebookings payable")


# Accounts kept once per party (or carrier) rather than once per workspace.
PER_SELLER = frozenset({AccountKind.SELLER_BALANCE})
PER_BUYER = frozenset({AccountKind.BUYER_REFUNDS_PAYABLE, AccountKind.CREDITS_OUTSTANDING})
PER_CARRIER = frozenset({AccountKind.CARRIER_CLAIMS})


class Account(ChoiceLabels, models.Model):
    """Where money sits: the PSP's clearing balance, a seller's balance, the refunds owed
    to a buyer, the platform's cost, the claims on a carrier."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    kind = models.CharField(max_length=24, choices=AccountKind.choices)
    party = models.ForeignKey(
        Party, on_delete=models.RESTRICT, null=True, blank=True, related_name="ledger_accounts"
    )
    carrier = models.CharField(max_length=60, blank=True)
    # What makes the account unique within its kind: "", "party:12" or "carrier:PostNL".
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "key"], name="ledger_account_once"
            ),
        ]

    def __str__(self) -> str:
        owner = self.party.name if self.party_id else self.carrier
        return f"{self.get_kind_display()}{f' · {owner}' if owner else ''}"


class TransactionKind(models.TextChoices):
    CAPTURE = "capture", _("Capture")
    REFUND = "refund", _("Refund")
    REFUND_SETTLEMENT = "refund_settlement", _("Refund paid out")
    CREDIT = "credit", _("Store credit")
    SELLER_DEBIT = "seller_debit", _("Seller debit")
    REBOOKING = "rebooking", _("Rebooking")
    REVERSAL = "reversal", _("Reversal")
    # What the payment provider takes back for a chargeback (the disputed amount, its
    # fee), and gives back when the platform wins (ombuds.chargebacks, ADR 0043).
    CHARGEBACK = "chargeback", _("Chargeback")
    CHARGEBACK_REVERSAL = "chargeback_reversal", _("Chargeback reinstated")


class Outcome(models.TextChoices):
    """What the resolution was, for the report of what resolutions cost."""

    FULL_REFUND = "full_refund", _("Full refund")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    RETURN_AND_REFUND = "return_and_refund", _("Return and refund")
    REPLACEMENT = "replacement", _("Replacement")
    REBOOKING = "rebooking", _("Rebooking")
    COMPENSATION = "compensation", _("Compensation credit")
    GOODWILL = "goodwill", _("Goodwill gesture")
    COST_RECOVERY = "cost_recovery", _("Cost recovered from the seller")


class Transaction(ChoiceLabels, models.Model):
    """One balanced movement of money, written once and never changed; a mistake is
    undone by a reversal, which is a transaction of its own."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    kind = models.CharField(max_length=20, choices=TransactionKind.choices)
    key = models.CharField(max_length=255, help_text=_("Idempotency key"))
    order = models.ForeignKey(
        Order, on_delete=models.RESTRICT, null=True, blank=True, related_name="ledger_transactions"
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="ledger_transactions"
    )
    # Kept on the row (not only on the order) so reports group without joining orders.
    seller = models.ForeignKey(
        Party, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    buyer = models.ForeignKey(
        Party, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=32, choices=Reason.choices, blank=True)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    bearer = models.CharField(max_length=10, choices=Bearer.choices, blank=True)
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField(help_text=_("Minor units; the size of the movement"))
    # What the movement adds to the cost of resolutions: refunds, credits and rebookings
    # count, their reversals count negative, captures and seller debits do not.
    cost = models.BigIntegerField(default=0)
    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    fault_rule = models.CharField(max_length=40, blank=True)
    memo = models.CharField(max_length=500, blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="reversal"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "key"], name="ledger_transaction_key_once"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_amount_gt_0"),
        ]
        indexes = [
            models.Index(fields=["workspace", "order", "created_at"], name="ledger_tx_order"),
            models.Index(fields=["workspace", "created_at"], name="ledger_tx_time"),
            models.Index(fields=["workspace", "seller", "created_at"], name="ledger_tx_seller"),
            models.Index(fields=["case", "created_at"], name="ledger_tx_case"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Entry(models.Model):
    """One side of a transaction: a debit (positive) or credit (negative) on an account."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.RESTRICT, related_name="entries")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)

    class Meta:
        verbose_name_plural = "entries"
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_entry_not_zero"),
        ]
        indexes = [models.Index(fields=["account", "currency"], name="ledger_entry_account")]


class RefundAllocation(models.Model):
    """The part of a refund paid back through one payment. It counts against what the
    payment can still refund until the PSP has paid it out (settled), when the payment's
    own refunded amount takes it over, or until the refund is reversed (released)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    refund = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="allocations")
    payment = models.ForeignKey(Payment, on_delete=models.RESTRICT, related_name="+")
    amount = models.BigIntegerField()
    settled_at = models.DateTimeField(null=True, blank=True)
    psp_reference = models.CharField(max_length=100, blank=True)
    released = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_allocation_gt_0"),
        ]
        indexes = [models.Index(fields=["payment"], name="ledger_allocation_payment")]


class ActionStatus(models.TextChoices):
    EXECUTED = "executed", _("Executed")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    REJECTED = "rejected", _("Rejected")


class MoneyAction(ChoiceLabels, models.Model):
    """What someone asked the ledger to do, under their idempotency key. The same key
    with the same request returns this row again; with another request it is refused."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=ActionKind.choices)
    params = models.JSONField()
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    order = models.ForeignKey(
        Order, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    # The policy the action was judged under; an approval executes it under the same.
    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    transaction = models.OneToOneField(
        Transaction, on_delete=models.RESTRICT, null=True, blank=True, related_name="action"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="money_action_key_once"),
        ]


class HoldReason(models.TextChoices):
    OVER_LIMIT = "over_limit", _("Over the requester's limit")
    OVER_BUDGET = "over_budget", _("Over the order's budget")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ApprovalRequest(ChoiceLabels, models.Model):
    """A money action above its requester's authority, waiting for someone whose limit
    covers it. Decided once, by someone other than the requester."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    action = models.OneToOneField(MoneyAction, on_delete=models.CASCADE, related_name="approval")
    kind = models.CharField(max_length=16, choices=ActionKind.choices)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.ForeignKey(
        Order, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    justification = models.TextField(blank=True)
    # Why it needs approval, at the moment it was asked: over the requester's limit, or
    # over the order's resolution budget.
    hold_reason = models.CharField(max_length=16, choices=HoldReason.choices)
    requester_limit = models.BigIntegerField(null=True, blank=True)
    budget = models.BigIntegerField(null=True, blank=True)
    routed_to = models.CharField(max_length=16, choices=Role.choices)
    status = models.CharField(
        max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "status", "created_at"], name="approval_queue"),
        ]


class TallyScope(models.TextChoices):
    REASONS = "reasons", _("By reason, outcome and bearer")
    SELLERS = "sellers", _("By seller and bearer")


class CostTally(models.Model):
    """Running sums of what resolutions cost per month, kept with each movement that
    has a cost, so a report reads a few hundred rows however many transactions there
    are. The transactions stay the truth: `tallies.rebuild_cost_tallies` recomputes
    these from them, and `tallies.tally_mismatches` compares the two."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    scope = models.CharField(max_length=8, choices=TallyScope.choices)
    month = models.DateField(help_text=_("First day of the month, in the workspace's time zone"))
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=32, blank=True)
    outcome = models.CharField(max_length=24, blank=True)
    bearer = models.CharField(max_length=10, blank=True)
    seller = models.ForeignKey(
        Party, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    # A busy key (one month's full refunds the seller bears) is spread over a few rows,
    # so parallel refunds of different orders do not all queue on one row's lock.
    slot = models.PositiveSmallIntegerField(default=0)
    cost = models.BigIntegerField(default=0)
    resolutions = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["workspace", "scope", "month"], name="cost_tally_month")]
