"""Form fields for money: agents type amounts the way they read them ("12,50" or
"12.50"), the desk stores integer minor units."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from ombuds.core.money import Money

# Digits, then at most one decimal separator and its digits. No thousands separators:
# "1.250" would mean 1.25 to some people and 1,250 to others.
_AMOUNT = re.compile(r"^(\d{1,15})(?:[.,](\d+))?$")


def parse_amount(text: str, currency: str) -> int:
    """'12,50' in EUR is 1250; '1250' in JPY is 1250. Refuses more decimals than the
    currency has, and anything that is not a plain non-negative number."""
    cleaned = (text or "").strip().replace("\N{NO-BREAK SPACE}", "").replace(" ", "")
    match = _AMOUNT.match(cleaned)
    exponent = Money(0, currency).exponent
    if match is None:
        raise forms.ValidationError(_("Enter an amount like 12.50."), code="invalid")
    whole, fraction = match.group(1), match.group(2) or ""
    if len(fraction) > exponent:
        raise forms.ValidationError(
            _("%(currency)s has at most %(digits)d decimals."),
            code="too_precise",
            params={"currency": currency, "digits": exponent},
        )
    return int(Decimal(f"{whole}.{fraction or '0'}").scaleb(exponent))


def format_amount(amount: int, currency: str) -> str:
    """Minor units as the field shows them again: 1250 EUR is '12.50' ('12,50' in Dutch)."""
    exponent = Money(0, currency).exponent
    text = f"{Decimal(amount).scaleb(-exponent):.{exponent}f}"
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


class AmountField(forms.CharField):
    """An amount in one currency, cleaned to minor units (an int)."""

    def __init__(self, *args, currency: str = "EUR", allow_zero: bool = False, **kwargs):
        kwargs.setdefault("max_length", 24)
        super().__init__(*args, **kwargs)
        # The text's length is checked by the pattern; the cleaned value is an int.
        self.validators = []
        self.currency = currency
        self.allow_zero = allow_zero
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return format_amount(value, self.currency)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        amount = parse_amount(value, self.currency)
        if amount == 0 and not self.allow_zero:
            raise forms.ValidationError(_("The amount must be more than zero."), code="zero")
        return amount
