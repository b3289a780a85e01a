import pytest
from hypothesis import given
from hypothesis import strategies as st

from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money, check_amount, check_currency

amounts = st.integers(min_value=-(10**15), max_value=10**15)
currencies = st.sampled_from(["EUR", "USD", "JPY", "GBP", "KWD"])


@given(amounts, amounts, currencies)
def test_addition_is_exact_in_minor_units(a, b, currency):
    total = Money(a, currency) + Money(b, currency)
    assert total == Money(a + b, currency)
    assert (total - Money(b, currency)) == Money(a, currency)


@given(amounts, currencies)
def test_negation_cancels(a, currency):
    assert Money(a, currency) + (-Money(a, currency)) == Money(0, currency)


def test_currencies_never_mix():
    with pytest.raises(ApplicationError) as refused:
        Money(100, "EUR") + Money(100, "USD")
    assert refused.value.code == "currency_mismatch"


@pytest.mark.parametrize("code", ["eur", "EURO", "XYZ", "", None, 978])
def test_unknown_currency_is_refused(code):
    with pytest.raises(ApplicationError) as refused:
        check_currency(code)
    assert refused.value.code == "unknown_currency"


@pytest.mark.parametrize("amount", [12.5, "1250", True, None])
def test_amounts_are_integers(amount):
    with pytest.raises(ApplicationError) as refused:
        check_amount(amount)
    assert refused.value.code == "invalid_amount"


def test_negative_amount_is_refused_unless_allowed():
    with pytest.raises(ApplicationError) as refused:
        check_amount(-1)
    assert refused.value.code == "negative_amount"
    assert check_amount(-1, allow_negative=True) == -1


def test_formatting_follows_the_currency_exponent_and_locale():
    assert Money(12500, "EUR").format("en") == "€125.00"
    # Dutch style puts a no-break space after the sign.
    assert Money(12500, "EUR").format("nl") == "€\xa0125,00"
    assert Money(12500, "JPY").format("en") == "¥12,500"


def test_large_amounts_format_without_float_rounding():
    assert Money(9_007_199_254_740_993, "EUR").format("en") == "€90,071,992,547,409.93"
