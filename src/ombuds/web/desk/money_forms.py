"""The desk's forms for moving money on a case and deciding approvals. They parse what
an agent typed; the ledger's services decide whether it may happen."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from ombuds.ledger.models import Outcome
from ombuds.ledger.requests import CHARGEABLE, MAX_NOTE
from ombuds.policies.models import Bearer, Cause, Reason

from .fields import AmountField

BEARER_CHOICES = [(b, label) for b, label in Bearer.choices if b in CHARGEABLE]


def new_key() -> str:
    """A fresh key for a form as it is drawn: submitting it twice is one money action."""
    return uuid.uuid4().hex


class MoneyActionForm(forms.Form):
    amount = AmountField(label=_("Amount"))
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)
    cause = forms.ChoiceField(
        label=_("Cause"),
        choices=[("", _("— who bears it is chosen below —")), *Cause.choices],
        required=False,
        help_text=_("When the cause is known, the fault rules decide who bears the cost."),
    )
    bearer = forms.ChoiceField(
        label=_("Charged to"), choices=[("", "—"), *BEARER_CHOICES], required=False
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to whoever approves it, if it needs approval."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, currency: str, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", new_key())
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].currency = currency
        self.fields["amount"].help_text = currency

    def clean(self):
        data = super().clean()
        if not data.get("cause") and not data.get("bearer"):
            self.add_error("bearer", _("Say who bears the cost, or name the cause."))
        return data


class RefundForm(MoneyActionForm):
    prefix = "refund"
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            ("", _("full or partial, by the amount")),
            (Outcome.RETURN_AND_REFUND, Outcome.RETURN_AND_REFUND.label),
            (Outcome.REPLACEMENT, Outcome.REPLACEMENT.label),
        ],
        required=False,
    )


class CreditForm(MoneyActionForm):
    prefix = "credit"
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (Outcome.COMPENSATION, Outcome.COMPENSATION.label),
            (Outcome.GOODWILL, Outcome.GOODWILL.label),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bearer"].initial = Bearer.PLATFORM


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"
