"""Forms of the dispute pages in the buyer and seller portals. They only parse; the
dispute services decide and refuse."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.disputes.models import DesiredOutcome, OfferKind, Reason, Visibility

from .forms import MultipleFileField

_AMOUNT = re.compile(r"^\s*(\d{1,12})(?:[.,](\d{1,3}))?\s*$")


def parse_amount(text: str, currency: str) -> Money:
    """'40', '40.5' or '40,50' in the currency's major unit, as Money in minor units."""
    match = _AMOUNT.match(text or "")
    if not match:
        raise ValidationError(_("Enter an amount such as 40.00."), code="invalid_amount")
    exponent = Money(0, currency).exponent
    try:
        value = Decimal(f"{match.group(1)}.{match.group(2) or '0'}")
    except InvalidOperation:
        raise ValidationError(_("Enter an amount such as 40.00."), code="invalid_amount") from None
    minor = value.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise ValidationError(_("Too many decimals for this currency."), code="invalid_amount")
    return Money(int(minor), currency)


def amount_text(amount: int | None, currency: str) -> str:
    """Minor units as the amount field shows them: 4000 EUR is '40.00'."""
    if amount is None:
        return ""
    exponent = Money(0, currency).exponent
    return f"{Decimal(amount).scaleb(-exponent):.{exponent}f}"


class AmountField(forms.CharField):
    """An amount in the order's currency, typed in its major unit."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(*args, **kwargs)
        self.currency = "EUR"

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        return parse_amount(value, self.currency)


def _attachments(label=None) -> MultipleFileField:
    return MultipleFileField(
        label=label or gettext_lazy("Files"),
        required=False,
        help_text=gettext_lazy("Photos, screenshots, receipts, tracking or booking proof."),
    )


def _text(label, *, required=True, rows=4, max_length=None):
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=max_length or settings.OMBUDS_MAX_MESSAGE_CHARS,
    )


def party_visibility(role: str):
    """What a party may choose: everyone on the dispute, or the platform alone."""
    own = Visibility.BUYER if role == "buyer" else Visibility.SELLER
    return [
        (Visibility.PARTIES, gettext_lazy("The other party and the platform")),
        (own, gettext_lazy("Only the platform")),
    ]


class OpenDisputeForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("What went wrong?"),
        choices=[("", gettext_lazy("Choose a reason")), *Reason.choices],
    )
    description = _text(gettext_lazy("Tell us what happened"), rows=6, max_length=10_000)
    desired_outcome = forms.ChoiceField(
        label=gettext_lazy("What would put it right?"), choices=DesiredOutcome.choices
    )
    amount = AmountField(
        label=gettext_lazy("Amount you claim"),
        help_text=gettext_lazy("At most what you paid for the order."),
    )
    attachments = _attachments(gettext_lazy("Evidence"))

    def __init__(self, *args, currency: str = "EUR", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency


class MessageForm(forms.Form):
    body = _text(gettext_lazy("Your message"))
    visibility = forms.ChoiceField(label=gettext_lazy("Who may read it"), choices=[])

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = party_visibility(role)
        self.fields["visibility"].initial = Visibility.PARTIES


class EvidenceForm(forms.Form):
    text = _text(gettext_lazy("What it shows"), required=False, rows=3)
    attachments = _attachments()
    visibility = forms.ChoiceField(label=gettext_lazy("Who may see it"), choices=[])

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = party_visibility(role)
        self.fields["visibility"].initial = Visibility.PARTIES


class NoteForm(forms.Form):
    note = _text(gettext_lazy("Anything to add?"), required=False, rows=3)


class OfferForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What you offer"), choices=OfferKind.choices)
    amount = AmountField(
        label=gettext_lazy("Amount"),
        required=False,
        help_text=gettext_lazy("Leave empty for a replacement."),
    )
    note = _text(gettext_lazy("A word to the buyer"), required=False, rows=3)
    # A fresh key per page view: a second click sends the same offer once.
    key = forms.RegexField(
        regex=r"^[0-9a-f-]{36}$", required=False, widget=forms.HiddenInput, max_length=36
    )

    def __init__(self, *args, currency: str = "EUR", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency


class ContestForm(forms.Form):
    statement = _text(gettext_lazy("Why you contest the claim"), rows=5)
    attachments = _attachments(gettext_lazy("Evidence"))
    visibility = forms.ChoiceField(label=gettext_lazy("Who may see it"), choices=[])

    def __init__(self, *args, role: str = "seller", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = party_visibility(role)
        self.fields["visibility"].initial = Visibility.PARTIES


class AcceptOfferForm(forms.Form):
    # The offer the buyer saw: a newer one in between is not accepted by mistake.
    offer = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class AppealForm(forms.Form):
    grounds = _text(gettext_lazy("Why the decision is wrong"), rows=5, max_length=10_000)


_FIELD_OF = {
    "amount_above_order_total": "amount",
    "currency_mismatch": "amount",
    "amount_required": "amount",
    "offer_takes_no_amount": "amount",
    "negative_amount": "amount",
    "empty_description": "description",
    "attachment_too_large": "attachments",
    "attachment_type_not_allowed": "attachments",
    "too_many_attachments": "attachments",
    "statement_required": "statement",
    "grounds_required": "grounds",
    "empty_message": "body",
    "message_too_long": "body",
}


def explain(error: ApplicationError) -> str:
    """A dispute service's refusal in the party's language."""
    details = error.details if isinstance(error.details, dict) else {}
    messages = {
        "amount_above_order_total": _("That is more than the order's total."),
        "currency_mismatch": _("Use the order's currency."),
        "amount_required": _("Name the amount."),
        "offer_takes_no_amount": _("A replacement names no amount."),
        "empty_description": _("Tell us what happened."),
        "statement_required": _("Say why you contest the claim."),
        "grounds_required": _("Say why the decision is wrong, in a few sentences."),
        "empty_message": _("Write a message first."),
        "empty_evidence": _("Add a file or write something."),
        "dispute_already_open": _("This order already has an open dispute: %(ref)s.")
        % {"ref": details.get("dispute", "")},
        "dispute_frozen": _(
            "This dispute is on hold while the payment provider handles a chargeback."
        ),
        "seller_still_has_time": _("The seller still has time to respond."),
        "buyer_still_has_time": _("The buyer still has time to answer."),
        "contact_period_running": _("The seller still has time to sort this out with you."),
        "appeal_window_closed": _("The time to appeal is over."),
        "appeal_taken": _("This dispute was appealed already."),
        "no_pending_offer": _("There is no offer waiting for an answer."),
        "offer_not_pending": _("That offer is no longer open."),
        "invalid_transition": _("That is not possible at this stage of the dispute."),
        "dispute_over": _("This dispute is over."),
        "evidence_locked": _("This evidence was already put before a decision."),
        "refund_exceeds_capture": _("That is more than can still be refunded on this order."),
        "attachment_too_large": _("A file is too large."),
        "attachment_type_not_allowed": _("We cannot accept files of that type."),
        "too_many_attachments": _("Too many files at once."),
    }
    return messages.get(error.code, _("We could not do that. Please check and try again."))


def add_refusal(form: forms.Form | None, error: ApplicationError) -> str:
    """Put a refusal next to the field it is about; returns the text for a page notice."""
    text = explain(error)
    if form is not None:
        field = _FIELD_OF.get(error.code)
        form.add_error(field if field in form.fields else None, text)
    return text
