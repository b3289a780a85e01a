"""Template filters for the desk's money pages: amounts in the page's language, and
what the member's role allows."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language, to_locale

from ombuds.accounts.roles import role_allows
from ombuds.core.money import Money

register = template.Library()


@register.filter
def cash(value) -> str:
    """A Money in the page's locale: Money(12500, 'EUR') is '€125.00' or '€ 125,00'."""
    if not isinstance(value, Money):
        return ""
    return value.format(to_locale(get_language() or "en"))


@register.filter
def allows(membership, permission: str) -> bool:
    """{% if desk_membership|allows:"money.reports" %}: may this member do that?"""
    return membership is not None and role_allows(membership.role, permission)


@register.filter
def percent(share: float) -> str:
    """0.182 is '18.2 %' ('18,2 %' in Dutch)."""
    return f"{number_format(share * 100, 1)} %"
