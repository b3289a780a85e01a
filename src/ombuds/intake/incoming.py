"""What a channel adapter makes of a raw payload: one message ready to join a case, or a
reason to leave it out.

Adapters register a reader per channel. A reader gets the stored `InboundMessage` and
returns an `Incoming` (a message from someone) or a `Skip` (a bounce, an auto-reply, a
delivery receipt — anything that is not a customer speaking). A reader may update rows
of its own (mark a delivery failed, a reply read) before it returns a `Skip`; it runs in
the transaction that marks the payload processed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ombuds.conversations.attachments import IncomingFile
from ombuds.conversations.models import MessageKind
from ombuds.core.errors import ApplicationError

from .identity import Identity

if TYPE_CHECKING:
    from .models import InboundMessage


@dataclass
class Incoming:
    """One message as its channel told it."""

    channel: str
    sender: Identity
    text: str
    html: str = ""
    subject: str = ""
    files: list[IncomingFile] = field(default_factory=list)
    # The message's own id on its channel, and the ids of the messages it answers
    # (In-Reply-To and References, a WhatsApp context id): the strongest thread clue.
    external_id: str = ""
    answers: tuple[str, ...] = ()
    # A case reference the customer quoted (in an email subject).
    case_reference: str = ""
    # The adapter already knows the case (a live chat session).
    case_id: int | None = None
    # Messaging channels are one running conversation: the sender's open case on the
    # channel continues. Email is not: a new subject is a new case.
    continues_conversation: bool = False
    kind: str = MessageKind.INBOUND
    is_public_post: bool = False
    # How a case this message opens starts out (a public post opens escalated); a
    # message that joins an existing case leaves its priority and tags alone.
    priority: str = ""
    tags: tuple[str, ...] = ()
    sent_at: datetime | None = None
    language: str = ""
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Skip:
    """Not a message for a case, and why (stored on the payload for people to see)."""

    outcome: str
    detail: str = ""


Reader = Callable[["InboundMessage"], "Incoming | Skip"]
# Who sent a payload, read before the batch it is in is filed, so that the senders of a
# whole batch are looked up at once. A hint may keep what it parsed on the row for the
# reader; it must not write.
SenderHint = Callable[["InboundMessage"], "Identity | None"]
# The ids of the messages a payload answers (an email's References), read with the
# sender so the batch's threads are looked up at once too. Same rules as a sender hint.
ThreadHint = Callable[["InboundMessage"], "tuple[str, ...]"]
# Told when a payload of its channel was refused for good (too large an attachment…), in
# the transaction that marks it rejected: how the sender learns why (an email back).
Refusal = Callable[["InboundMessage", ApplicationError], None]
_READERS: dict[str, Reader] = {}
_REFUSALS: dict[str, Refusal] = {}
_SENDER_HINTS: dict[str, SenderHint] = {}
_THREAD_HINTS: dict[str, ThreadHint] = {}


def register_reader(channel: str, reader: Reader) -> None:
    _READERS[channel] = reader


def reader_for(channel: str) -> Reader | None:
    return _READERS.get(channel)


def register_refusal(channel: str, refusal: Refusal) -> None:
    _REFUSALS[channel] = refusal


def refusal_for(channel: str) -> Refusal | None:
    return _REFUSALS.get(channel)


def register_sender_hint(channel: str, hint: SenderHint) -> None:
    _SENDER_HINTS[channel] = hint


def sender_hint_for(channel: str) -> SenderHint | None:
    return _SENDER_HINTS.get(channel)


def register_thread_hint(channel: str, hint: ThreadHint) -> None:
    _THREAD_HINTS[channel] = hint


def thread_hint_for(channel: str) -> ThreadHint | None:
    return _THREAD_HINTS.get(channel)
