"""Outbound transports by channel. Channel adapters register here at start-up, so the
outbox in `conversations` can deliver without importing the adapters above it.

An adapter registers two things: how to send a delivery, and where a reply on a case of
its channel goes (the requester's WhatsApp number, Messenger id…). A channel without a
recipient of its own falls back to the requester's email address.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sent:
    provider_id: str


class PermanentFailure(Exception):
    """The provider refused for good (bad address, blocked): retrying will not help."""


Transport = Callable[..., Sent]
# case -> (delivery channel, recipient) or None when the channel cannot reach them.
RecipientFinder = Callable[[Any], tuple[str, str] | None]
_TRANSPORTS: dict[str, Transport] = {}
_RECIPIENTS: dict[str, RecipientFinder] = {}


def register(channel: str, transport: Transport, *, recipient: RecipientFinder | None = None):
    _TRANSPORTS[channel] = transport
    if recipient is not None:
        _RECIPIENTS[channel] = recipient


def transport_for(channel: str) -> Transport | None:
    return _TRANSPORTS.get(channel)


def recipient_finder(channel: str) -> RecipientFinder | None:
    return _RECIPIENTS.get(channel)
