"""Amounts as agents type them become minor units exactly, in any currency's decimals."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from ombuds.web.desk.fields import AmountField, format_amount, parse_amount

currencies = st.sampled_from(["EUR", "JPY", "KWD", "USD"])  # 2, 0, 3 and 2 decimals


@given(st.integers(0, 10**14), currencies, st.sampled_from(["en", "nl"]))
def test_what_the_field_shows_it_reads_back_exactly(amount, currency, language):
    with translation.override(language):
        assert parse_amount(format_amount(amount, currency), currency) == amount


@pytest.mark.parametrize(
    ("text", "currency", "cents"),
    [
        ("12.50", "EUR", 1250),
        ("12,50", "EUR", 1250),
        ("12,5", "EUR", 1250),
        (" 12 ", "EUR", 1200),
        ("0.01", "EUR", 1),
        ("1250", "JPY", 1250),
        ("1.250", "KWD", 1250),
    ],
)
def test_either_decimal_separator(text, currency, cents):
    assert parse_amount(text, currency) == cents


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("12.505", "EUR"),
        ("1.5", "JPY"),
        ("1.250,00", "EUR"),
        ("-5", "EUR"),
        ("1e3", "EUR"),
        ("", "EUR"),
    ],
)
def test_anything_else_is_refused(text, currency):
    with pytest.raises(forms.ValidationError):
        parse_amount(text, currency)


def test_the_field_cleans_to_an_int_and_refuses_zero_unless_allowed():
    assert AmountField(currency="EUR").clean("7,25") == 725
    with pytest.raises(forms.ValidationError):
        AmountField(currency="EUR").clean("0")
    assert AmountField(currency="EUR", allow_zero=True).clean("0") == 0
    assert AmountField(currency="EUR", required=False).clean("") is None
