"""Forms of the desk's dispute pages: filters, the thread, mediation and decisions. They
parse; the dispute services decide and refuse."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ombuds.disputes.models import OfferBearer, OfferKind, Reason, State, Visibility
from ombuds.disputes.selectors import DEADLINE_FILTERS, DisputeFilters
from ombuds.web.portal.dispute_forms import AmountField

DEADLINE_LABELS = {
    "overdue": _("Overdue"),
    "today": _("Due within a day"),
    "week": _("Due within a week"),
    "none": _("No deadline running"),
}
KEY = forms.RegexField(
    regex=r"^[0-9a-f-]{36}$", required=False, widget=forms.HiddenInput, max_length=36
)


def _text(label, *, required=True, rows=4, max_length=None):
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=max_length or settings.OMBUDS_MAX_MESSAGE_CHARS,
    )


class DisputeFilterForm(forms.Form):
    state = forms.MultipleChoiceField(choices=State.choices, required=False)
    reason = forms.MultipleChoiceField(choices=Reason.choices, required=False)
    deadline = forms.ChoiceField(
        choices=[("", ""), *((k, DEADLINE_LABELS[k]) for k in DEADLINE_FILTERS)], required=False
    )
    q = forms.CharField(max_length=100, required=False, strip=True)
    cursor = forms.CharField(max_length=200, required=False)

    def to_filters(self) -> DisputeFilters:
        data = self.cleaned_data
        return DisputeFilters(
            state=data["state"], reason=data["reason"], deadline=data["deadline"], q=data["q"]
        )


class DeskMessageForm(forms.Form):
    body = _text(_("Message"))
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.PARTIES
    )


class DeskNoteForm(forms.Form):
    note = _text(_("Note"), required=False, rows=2)


class DeskOfferForm(forms.Form):
    kind = forms.ChoiceField(label=_("Settlement"), choices=OfferKind.choices)
    amount = AmountField(label=_("Amount"), required=False)
    bearer = forms.ChoiceField(
        label=_("Paid by"), choices=OfferBearer.choices, initial=OfferBearer.SELLER
    )
    note = _text(_("A word to the buyer"), required=False, rows=2)
    key = KEY

    def __init__(self, *args, currency: str = "EUR", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(choices=Visibility.choices)


# Who may bear the cost of a decision (the ledger's bearers plus the buyer themself).
DECISION_BEARERS = [
    ("seller", _("Seller")),
    ("platform", _("Platform")),
    ("carrier", _("Carrier")),
    ("buyer", _("Buyer")),
]
VERDICTS = [("uphold", _("Uphold the decision")), ("revise", _("Revise the decision"))]


def _outcomes():
    from ombuds.disputes.models import Outcome

    return Outcome.choices


class DecideForm(forms.Form):
    """An arbitration decision: what the buyer gets, who bears it, and why."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=_outcomes)
    amount = AmountField(
        label=_("Amount"), required=False, help_text=_("Empty for an outcome that moves no money.")
    )
    bearer = forms.ChoiceField(label=_("Who bears the cost"), choices=DECISION_BEARERS)
    statement = _text(_("Statement of reasons"), rows=6, max_length=20_000)
    key = KEY

    def __init__(self, *args, currency: str = "EUR", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency


class PreviewForm(DecideForm):
    """The same fields for the preview: nothing is written, so no reasons are needed yet."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["statement"].required = False


class ReviewForm(forms.Form):
    """A colleague's review of an appealed decision: uphold it, or revise it."""

    verdict = forms.ChoiceField(label=_("Verdict"), choices=VERDICTS, widget=forms.RadioSelect)
    statement = _text(_("Statement of reasons"), rows=5, max_length=20_000)
    outcome = forms.ChoiceField(
        label=_("New outcome"), choices=lambda: [("", "—"), *_outcomes()], required=False
    )
    amount = AmountField(label=_("New amount"), required=False)
    bearer = forms.ChoiceField(
        label=_("Who bears the cost"), choices=[("", "—"), *DECISION_BEARERS], required=False
    )
    key = KEY

    def __init__(self, *args, currency: str = "EUR", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency

    def clean(self):
        data = super().clean()
        if data.get("verdict") == "revise" and not data.get("outcome"):
            self.add_error("outcome", _("A revised decision names its outcome."))
        if data.get("verdict") == "revise" and not data.get("bearer"):
            self.add_error("bearer", _("A revised decision names who bears the cost."))
        return data


class ResolveForm(forms.Form):
    note = _text(_("How it was sorted out"), rows=2)
