"""How people write on each channel: an email has a greeting and a signature, a chat line
does not, a phone call is a note of what was said. Also dates and amounts in the reader's
language."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from ombuds.core.money import Money

from .catalogue import BRAND, TIMEZONE

LOCAL = ZoneInfo(TIMEZONE)
_BABEL_LOCALE = {"en": "en_GB", "nl": "nl_NL"}

_CUSTOMER_SIGN_OFF = {"en": "Thanks,", "nl": "Groetjes,"}
_AGENT_GREETING = {"en": "Hi {first},", "nl": "Hallo {first},"}
_CHAT_GREETING = {"en": "Hi {first}!", "nl": "Hoi {first}!"}
_AGENT_SIGN_OFF = {
    "en": "Kind regards,\n{agent}\n{brand} Support",
    "nl": "Met vriendelijke groet,\n{agent}\nKlantenservice {brand}",
}
_CALL = {"en": "(Phone call) ", "nl": "(Telefoongesprek) "}
_CALL_BACK = {"en": "(Called back) ", "nl": "(Teruggebeld) "}

CHASE = {
    "en": "Any news? It's been a while and I haven't heard anything.",
    "nl": "Is er al nieuws? Het is alweer even geleden en ik heb nog niets gehoord.",
}
ESCALATION_NOTE = {
    "en": "Raised the priority: {reason}",
    "nl": "Prioriteit verhoogd: {reason}",
}
ESCALATION_REASONS = {
    "en": (
        "the date is close and the customer is anxious.",
        "VIP customer, second contact.",
        "amount above €250 at stake.",
    ),
    "nl": (
        "de datum komt dichtbij en de klant is ongerust.",
        "VIP-klant, tweede contact.",
        "er staat meer dan €250 op het spel.",
    ),
}

TEXT_CHANNELS = ("chat", "whatsapp")
MAIL_CHANNELS = ("email", "web", "api")


def customer_words(text: str, *, channel: str, language: str, first: str) -> str:
    """What the customer typed, shaped by the channel they typed it in."""
    if channel == "email":
        return f"{text}\n\n{_CUSTOMER_SIGN_OFF[language]}\n{first}"
    if channel == "phone":
        return _CALL[language] + text
    return text


def agent_words(
    text: str, *, channel: str, language: str, first: str, agent: str, answering_call=False
) -> str:
    """An agent's answer: a letter on mail channels, a plain line in chat."""
    if channel in MAIL_CHANNELS:
        greeting = _AGENT_GREETING[language].format(first=first)
        sign_off = _AGENT_SIGN_OFF[language].format(agent=agent, brand=BRAND)
        return f"{greeting}\n\n{text}\n\n{sign_off}"
    if channel == "phone":
        return _CALL_BACK[language] + text
    return f"{_CHAT_GREETING[language].format(first=first)} {text}"


def day(moment: datetime | date, language: str) -> str:
    """'Saturday 14 June' / 'zaterdag 14 juni', in the marketplace's time zone."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(LOCAL).date()
    return format_date(moment, "EEEE d MMMM", locale=_BABEL_LOCALE[language])


def money(amount: int, language: str, currency: str = "EUR") -> str:
    return Money(amount, currency).format(locale=_BABEL_LOCALE[language])
