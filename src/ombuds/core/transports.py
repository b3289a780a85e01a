"""Outbound transports by channel. Channel adapters register here at start-up, so the
outbox in `conversations` can deliver without importing the adapters above it."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Sent:
    provider_id: str


class PermanentFailure(Exception):
    """The provider refused for good (bad address, blocked): retrying will not help."""


Transport = Callable[..., Sent]
_TRANSPORTS: dict[str, Transport] = {}


def register(channel: str, transport: Transport) -> None:
    _TRANSPORTS[channel] = transport


def transport_for(channel: str) -> Transport | None:
    return _TRANSPORTS.get(channel)
