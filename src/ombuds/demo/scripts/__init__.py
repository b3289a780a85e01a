"""What customers write about, and how the desk answers: one script per situation, in
English and Dutch. A story (stories.py) plays a script up to the status its case should
end in, so an on-hold case ends with the note that explains the hold, a solved one with
the answer that solved it."""

from __future__ import annotations

from dataclasses import dataclass, field

Text = dict[str, str]  # language code -> text with {placeholders}


def say(en: str, nl: str) -> Text:
    return {"en": en, "nl": nl}


def subjects(en: tuple[str, ...], nl: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {"en": en, "nl": nl}


# What the order looks like when the customer writes in.
# Bookings: the transfer status; goods: the shipment status; plus the payment's state.
@dataclass(frozen=True)
class OrderSituation:
    kinds: tuple[str, ...]  # one is picked per case
    fulfilment: str  # transfer_pending/done/failed, or a shipment status
    payment: str = "captured"  # captured, partially_refunded, refunded, duplicate
    cancelled: bool = False


@dataclass(frozen=True)
class Script:
    key: str
    requester: str  # buyer, prospect or seller
    topic: str
    team: str  # a team name from the catalogue
    tags: tuple[str, ...]
    weight: int  # how common the situation is on the desk
    subjects: dict[str, tuple[str, ...]]
    opening: Text  # first line is a summary: the web form turns it into the subject
    reply: Text  # the agent's first answer
    ask: Text  # the agent needs something from the customer
    answer: Text  # the customer's answer to that
    third_party_note: Text  # what the desk asked a seller, hotel, venue or courier
    hold_note: Text  # why the case waits
    resolution: Text  # the answer that solves it
    situation: OrderSituation | None = None  # None: no order (a prospect's question)
    reported_events: tuple[str, ...] = ()  # the marketplace reports these after the first message
    outcome: str | None = None  # transfer_done, delivered, refund, refund_partial, refund_duplicate
    pressing: bool = False  # a date is near or money is gone: high priority is common
    statuses: frozenset[str] = field(default_factory=frozenset)  # empty: any status


def all_scripts() -> tuple[Script, ...]:
    from .goods import SCRIPTS as GOODS
    from .questions import SCRIPTS as QUESTIONS
    from .stays import SCRIPTS as STAYS
    from .tickets import SCRIPTS as TICKETS

    return TICKETS + STAYS + GOODS + QUESTIONS
