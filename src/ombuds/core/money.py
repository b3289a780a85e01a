"""Money as integer minor units plus an ISO 4217 currency: never a float, never a bare int."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

from .errors import ApplicationError


@lru_cache(maxsize=1)
def known_currencies() -> frozenset[str]:
    # Babel's list includes historic codes; the ones a marketplace may still meet are fine.
    return frozenset(list_currencies())


def check_currency(code: str) -> str:
    if not isinstance(code, str) or code.upper() != code or code not in known_currencies():
        raise ApplicationError(
            "unknown_currency",
            f"{code!r} is not an ISO 4217 currency code.",
            details={"currency": code},
            status=422,
        )
    return code


def check_amount(amount: int, *, field: str = "amount", allow_negative: bool = False) -> int:
    # bool is an int in Python; True is not an amount of money.
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ApplicationError(
            "invalid_amount",
            f"{field} must be an integer in minor units.",
            details={"field": field},
            status=422,
        )
    if amount < 0 and not allow_negative:
        raise ApplicationError(
            "negative_amount",
            f"{field} must not be negative.",
            details={"field": field, "value": amount},
            status=422,
        )
    return amount


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units (cents for EUR, yen for JPY)
    currency: str

    def __post_init__(self) -> None:
        check_amount(self.amount, allow_negative=True)
        check_currency(self.currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money) or other.currency != self.currency:
            raise ApplicationError(
                "currency_mismatch",
                "Cannot combine different currencies.",
                details={"left": self.currency, "right": getattr(other, "currency", None)},
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    @property
    def exponent(self) -> int:
        return get_currency_precision(self.currency)

    def format(self, locale: str = "en") -> str:
        """Render for people, in their locale: 'EUR 125.00' becomes '€ 125,00' in Dutch."""
        # Decimal, not float: 2**53 cents would already round as a float.
        major = Decimal(self.amount).scaleb(-self.exponent)
        return format_currency(major, self.currency, locale=locale)

    def __str__(self) -> str:
        return self.format()
