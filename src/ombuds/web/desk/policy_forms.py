"""The commerce policy as admins edit it: returns per order kind, a fault rule per cause,
resolution budgets, the authority grid of roles × actions × currencies and the dispute
terms (deadlines, and what a silent party's silence leads to). The form
turns what was typed into a policy document; the policy service checks it whole."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ombuds.accounts.models import Role
from ombuds.core.money import known_currencies
from ombuds.marketplace.models import OrderKind
from ombuds.policies.document import (
    ANY_CURRENCY,
    CLOSE,
    DECIDE,
    DISPUTE_TERM_BOUNDS,
    ESCALATE,
    MAX_CURRENCIES,
    MAX_WINDOW_DAYS,
    MONEY_ROLES,
    RETURN_SHIPPING_PAYERS,
    DisputeTerms,
)
from ombuds.policies.models import ActionKind, Bearer, BudgetKind, Cause, ReturnBy

from .fields import AmountField

PAYERS = [(b, label) for b, label in Bearer.choices if b in RETURN_SHIPPING_PAYERS]
# A currency the policy does not name takes the "other currencies" column; its
# amounts are read in a two-decimal currency, as most are.
OTHER_AS = "EUR"
SILENT_SELLER_CHOICES = [
    (ESCALATE, _("Escalate to mediation")),
    (DECIDE, _("Decide for the buyer, at the seller's cost")),
]
SILENT_BUYER_CHOICES = [
    (CLOSE, _("Close the dispute as lapsed")),
    (ESCALATE, _("Escalate to mediation")),
]
DISPUTE_TERM_LABELS = {
    "contact_hours": _("Hours the buyer first tries the seller (0: open at once)"),
    "seller_days": _("Business days for the seller to respond"),
    "buyer_days": _("Business days for the buyer to answer an offer or a contest"),
    "appeal_days": _("Days a decision may be appealed"),
}


@dataclass(frozen=True)
class GridRow:
    label: str
    fields: list  # bound fields, in column order


class PolicyForm(forms.Form):
    based_on = forms.IntegerField(widget=forms.HiddenInput)
    currencies = forms.CharField(
        label=_("Currencies"),
        max_length=60,
        help_text=_("ISO codes, separated by commas; each gets its own column below."),
    )
    note = forms.CharField(
        label=_("What changed, and why"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Agents may refund up to 150")}),
    )

    def __init__(
        self, *args, document: dict[str, Any], based_on: int, disabled: bool = False, **kwargs
    ):
        self.document = document
        self.currency_list = list(document["currencies"])
        initial = kwargs.setdefault("initial", {})
        initial.update(based_on=based_on, currencies=", ".join(self.currency_list))
        super().__init__(*args, **kwargs)
        self._add_returns()
        self._add_fault_rules()
        self._add_budgets()
        self._add_authority()
        self._add_dispute_terms()
        if disabled:
            # Members who may not change the policy read it in the same grid.
            for field in self.fields.values():
                field.disabled = True

    # --- fields ----------------------------------------------------------------------

    def _add_returns(self):
        for kind in OrderKind.values:
            rule = self.document["returns"][kind]
            self.fields[f"returns_{kind}_days"] = forms.IntegerField(
                label=_("Return window (days)"),
                min_value=0,
                max_value=MAX_WINDOW_DAYS,
                initial=rule["window_days"],
            )
            self.fields[f"returns_{kind}_shipping"] = forms.ChoiceField(
                label=_("Return postage when nobody erred"),
                choices=PAYERS,
                initial=rule["shipping_paid_by"],
            )

    def _add_fault_rules(self):
        for cause in Cause.values:
            rule = self.document["fault_rules"][cause]
            self.fields[f"fault_{cause}_bears"] = forms.ChoiceField(
                label=_("Bears the cost"), choices=Bearer.choices, initial=rule["bears"]
            )
            self.fields[f"fault_{cause}_return"] = forms.ChoiceField(
                label=_("Return"), choices=ReturnBy.choices, initial=rule["return_by"]
            )

    def _add_budgets(self):
        for kind in BudgetKind.values:
            budget = self.document["budgets"][kind]
            share = budget["share_bp"]
            self.fields[f"budget_{kind}_share"] = forms.DecimalField(
                label=_("Share of the order total (%)"),
                min_value=0,
                max_value=100,
                decimal_places=2,
                required=False,
                initial=None if share is None else Decimal(share) / 100,
            )
            for currency in self.currency_list:
                self.fields[f"budget_{kind}_cap_{currency}"] = AmountField(
                    label=currency,
                    currency=currency,
                    allow_zero=True,
                    required=False,
                    initial=budget["caps"].get(currency),
                )

    def _add_authority(self):
        for role in MONEY_ROLES:
            actions = self.document["authority"].get(role, {})
            for action in ActionKind.values:
                limits = actions.get(action, {})
                unlimited = ANY_CURRENCY in limits and limits[ANY_CURRENCY] is None
                self.fields[f"limit_{role}_{action}_unlimited"] = forms.BooleanField(
                    label=_("No limit"), required=False, initial=unlimited
                )
                for currency in [*self.currency_list, ANY_CURRENCY]:
                    value = limits.get(currency)
                    self.fields[self._limit_name(role, action, currency)] = AmountField(
                        label=currency if currency != ANY_CURRENCY else _("Other currencies"),
                        currency=currency if currency != ANY_CURRENCY else OTHER_AS,
                        allow_zero=True,
                        required=False,
                        initial=None if value is None else value,
                    )

    def _add_dispute_terms(self):
        # A version stored before dispute terms existed shows the defaults it runs by.
        terms = self.document.get("disputes") or DisputeTerms().to_document()
        for key, (least, most) in DISPUTE_TERM_BOUNDS.items():
            self.fields[f"disputes_{key}"] = forms.IntegerField(
                label=DISPUTE_TERM_LABELS[key],
                min_value=least,
                max_value=most,
                initial=terms[key],
            )
        self.fields["disputes_silent_seller"] = forms.ChoiceField(
            label=_("When the seller stays silent"),
            choices=SILENT_SELLER_CHOICES,
            initial=terms["silent_seller"],
        )
        self.fields["disputes_silent_buyer"] = forms.ChoiceField(
            label=_("When the buyer stays silent"),
            choices=SILENT_BUYER_CHOICES,
            initial=terms["silent_buyer"],
        )

    @staticmethod
    def _limit_name(role: str, action: str, currency: str) -> str:
        return f"limit_{role}_{action}_{'other' if currency == ANY_CURRENCY else currency}"

    # --- what the template draws -----------------------------------------------------

    def return_rows(self) -> list[GridRow]:
        labels = dict(OrderKind.choices)
        return [
            GridRow(str(labels[k]), [self[f"returns_{k}_days"], self[f"returns_{k}_shipping"]])
            for k in OrderKind.values
        ]

    def fault_rows(self) -> list[GridRow]:
        labels = dict(Cause.choices)
        return [
            GridRow(str(labels[c]), [self[f"fault_{c}_bears"], self[f"fault_{c}_return"]])
            for c in Cause.values
        ]

    def budget_rows(self) -> list[GridRow]:
        labels = dict(BudgetKind.choices)
        return [
            GridRow(
                str(labels[k]),
                [self[f"budget_{k}_share"]]
                + [self[f"budget_{k}_cap_{c}"] for c in self.currency_list],
            )
            for k in BudgetKind.values
        ]

    def dispute_term_fields(self) -> list:
        return [self[f"disputes_{key}"] for key in DISPUTE_TERM_BOUNDS] + [
            self["disputes_silent_seller"],
            self["disputes_silent_buyer"],
        ]

    def authority_rows(self) -> list[GridRow]:
        roles, actions = dict(Role.choices), dict(ActionKind.choices)
        rows = []
        for role in MONEY_ROLES:
            for action in ActionKind.values:
                cells = [
                    self[self._limit_name(role, action, c)]
                    for c in [*self.currency_list, ANY_CURRENCY]
                ]
                cells.append(self[f"limit_{role}_{action}_unlimited"])
                rows.append(GridRow(f"{roles[role]} · {actions[action]}", cells))
        return rows

    # --- the document ----------------------------------------------------------------

    def clean_currencies(self) -> list[str]:
        codes = [c.strip().upper() for c in self.cleaned_data["currencies"].split(",")]
        codes = list(dict.fromkeys(c for c in codes if c))
        unknown = [c for c in codes if c not in known_currencies()]
        if unknown:
            raise forms.ValidationError(
                _("Not ISO 4217 currencies: %(codes)s"), params={"codes": ", ".join(unknown)}
            )
        if not 1 <= len(codes) <= MAX_CURRENCIES:
            raise forms.ValidationError(
                _("Name 1 to %(count)d currencies."), params={"count": MAX_CURRENCIES}
            )
        return codes

    def to_document(self) -> dict[str, Any]:
        data = self.cleaned_data
        # Amounts of a currency added just now have no column yet: it gets none until
        # the next edit; one removed takes its amounts with it.
        kept = [c for c in data["currencies"] if c in self.currency_list]
        document: dict[str, Any] = {
            "schema": self.document["schema"],
            "currencies": data["currencies"],
            "returns": {
                k: {
                    "window_days": data[f"returns_{k}_days"],
                    "shipping_paid_by": data[f"returns_{k}_shipping"],
                }
                for k in OrderKind.values
            },
            "fault_rules": {
                c: {"bears": data[f"fault_{c}_bears"], "return_by": data[f"fault_{c}_return"]}
                for c in Cause.values
            },
            "budgets": {},
            "authority": {},
        }
        for kind in BudgetKind.values:
            share = data[f"budget_{kind}_share"]
            document["budgets"][kind] = {
                "share_bp": None if share is None else int(share * 100),
                "caps": {
                    c: data[f"budget_{kind}_cap_{c}"]
                    for c in kept
                    if data[f"budget_{kind}_cap_{c}"] is not None
                },
            }
        for role in MONEY_ROLES:
            actions = {}
            for action in ActionKind.values:
                if data[f"limit_{role}_{action}_unlimited"]:
                    actions[action] = {ANY_CURRENCY: None}
                    continue
                limits = {
                    c: data[self._limit_name(role, action, c)]
                    for c in kept
                    if data[self._limit_name(role, action, c)] is not None
                }
                other = data[self._limit_name(role, action, ANY_CURRENCY)]
                if other is not None:
                    limits[ANY_CURRENCY] = other
                actions[action] = limits
            document["authority"][role] = actions
        document["disputes"] = {
            **{key: data[f"disputes_{key}"] for key in DISPUTE_TERM_BOUNDS},
            "silent_seller": data["disputes_silent_seller"],
            "silent_buyer": data["disputes_silent_buyer"],
        }
        return document
