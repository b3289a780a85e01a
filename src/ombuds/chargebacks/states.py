"""The states a chargeback goes through, as its payment provider names them.

Stripe's are kept exactly (an inquiry is `warning_*`, a chargeback proper is
`needs_response` → `under_review` → `won` / `lost`); other providers report the generic
set (needs_response, under_review, won, lost, closed). Ombuds never moves a chargeback
itself: the provider's reports do. What is decided here is which report wins when they
arrive out of order (ADR 0041): a closed state outranks every open one, and among
states of the same weight the later report wins, so an `updated` that Stripe sent before
`closed` cannot reopen a closed chargeback, however late it is delivered.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

STRIPE = "stripe"


class ChargebackState(models.TextChoices):
    WARNING_NEEDS_RESPONSE = "warning_needs_response", _("Inquiry: needs response")
    WARNING_UNDER_REVIEW = "warning_under_review", _("Inquiry: under review")
    WARNING_CLOSED = "warning_closed", _("Inquiry closed")
    NEEDS_RESPONSE = "needs_response", _("Needs response")
    UNDER_REVIEW = "under_review", _("Under review")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    CLOSED = "closed", _("Closed")


S = ChargebackState
STRIPE_STATES = frozenset(
    {
        S.WARNING_NEEDS_RESPONSE,
        S.WARNING_UNDER_REVIEW,
        S.WARNING_CLOSED,
        S.NEEDS_RESPONSE,
        S.UNDER_REVIEW,
        S.WON,
        S.LOST,
    }
)
GENERIC_STATES = frozenset({S.NEEDS_RESPONSE, S.UNDER_REVIEW, S.WON, S.LOST, S.CLOSED})
CLOSED_STATES = frozenset({S.WARNING_CLOSED, S.WON, S.LOST, S.CLOSED})
OPEN_STATES = frozenset(set(S.values) - CLOSED_STATES)
# Evidence is accepted only while the provider waits for it.
AWAITING_EVIDENCE = frozenset({S.WARNING_NEEDS_RESPONSE, S.NEEDS_RESPONSE})

# How far along a state is. Used only to break ties between reports made in the same
# second: an inquiry turning into a chargeback, a submission moving it under review.
_PROGRESS = {
    S.WARNING_NEEDS_RESPONSE: 1,
    S.WARNING_UNDER_REVIEW: 2,
    S.NEEDS_RESPONSE: 3,
    S.UNDER_REVIEW: 4,
    S.WARNING_CLOSED: 5,
    S.CLOSED: 6,
    S.WON: 7,
    S.LOST: 8,
}


def states_for(provider: str) -> frozenset[str]:
    return STRIPE_STATES if provider == STRIPE else GENERIC_STATES


def is_closed(state: str) -> bool:
    return state in CLOSED_STATES


def precedence(state: str, observed_at: datetime, report_id: str = "") -> tuple:
    """Which of two reports about one chargeback describes it better: the larger wins.
    Closed beats open whatever the times; then the later report; then the further state;
    then, so that any delivery order ends the same, the provider's id of the report."""
    return (
        1 if is_closed(state) else 0,
        observed_at.timestamp(),
        _PROGRESS.get(state, 0),
        report_id,
    )


# Stripe's dispute reasons, for people; any other provider's reason is shown as given.
STRIPE_REASONS = {
    "bank_cannot_process": _("Bank cannot process"),
    "check_returned": _("Check returned"),
    "credit_not_processed": _("Credit not processed"),
    "customer_initiated": _("Customer initiated"),
    "debit_not_authorized": _("Debit not authorized"),
    "duplicate": _("Duplicate"),
    "fraudulent": _("Fraudulent"),
    "general": _("General"),
    "incorrect_account_details": _("Incorrect account details"),
    "insufficient_funds": _("Insufficient funds"),
    "noncompliant": _("Noncompliant"),
    "product_not_received": _("Product not received"),
    "product_unacceptable": _("Product unacceptable"),
    "subscription_canceled": _("Subscription canceled"),
    "unrecognized": _("Unrecognized"),
}


def reason_label(provider: str, reason: str) -> str:
    if provider == STRIPE and reason in STRIPE_REASONS:
        return str(STRIPE_REASONS[reason])
    return reason or "—"
