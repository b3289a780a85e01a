"""Timeline rows: one function writes every event, so each carries actor and time.

Apps above this one (SLA clocks, routing, automations) react to what happens on a case by
listening to its timeline: `listen()` at start-up, and every recorded event is handed to
each listener inside the transaction that wrote it. See docs/adr/0005.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from ombuds.accounts.models import User
from ombuds.core.inserts import insert
from ombuds.marketplace.models import Party

from .models import Case, CaseEvent, Message


@dataclass(frozen=True)
class Actor:
    """Who did it: an agent, a customer or a system (the marketplace API, the scheduler)."""

    user: User | None = None
    party: Party | None = None
    label: str = ""

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(label=label)

    def __str__(self) -> str:
        return str(self.user or self.party or self.label or "system")


Listener = Callable[[CaseEvent], None]
_LISTENERS: list[tuple[str, Listener]] = []
# A listener may write to the case (assign it, raise its priority), which records further
# events and so calls the listeners again. The depth bounds that chain, so two rules that
# undo each other cannot loop for ever.
MAX_DEPTH = 5
_depth: contextvars.ContextVar[int] = contextvars.ContextVar("case_event_depth", default=0)
log = logging.getLogger(__name__)


def listen(name: str, listener: Listener) -> None:
    """Hand every timeline event to `listener` from now on (called from AppConfig.ready)."""
    if any(existing == name for existing, _ in _LISTENERS):
        return
    _LISTENERS.append((name, listener))


def record(
    case: Case,
    kind: str,
    actor: Actor,
    *,
    before: Any = None,
    after: Any = None,
    data: dict | None = None,
    message: Message | None = None,
    at=None,
) -> CaseEvent:
    # One INSERT compiled once: cases gain events by the thousand (core.inserts).
    event = insert(
        CaseEvent(
            workspace_id=case.workspace_id,
            case=case,
            kind=kind,
            actor_user=actor.user,
            actor_party=actor.party,
            # A customer's name may be longer than the label holds (a party name holds 200).
            actor_label=(actor.label or str(actor))[:100],
            before=before,
            after=after,
            data=data or {},
            message=message,
            created_at=at or timezone.now(),
        )
    )
    _notify(event)
    return event


@dataclass
class NewEvent:
    """One event for record_many: the same arguments record() takes."""

    case: Case
    kind: str
    actor: Actor
    before: Any = None
    after: Any = None
    data: dict = field(default_factory=dict)
    message: Message | None = None
    at: Any = None


def record_many(entries: Iterable[NewEvent]) -> list[CaseEvent]:
    """Record several events in one INSERT (a sweep that finds a thousand deadlines
    passed), then hand each to the listeners in order, exactly as record() would."""
    now = timezone.now()
    rows = [
        CaseEvent(
            workspace_id=e.case.workspace_id,
            case=e.case,
            kind=e.kind,
            actor_user=e.actor.user,
            actor_party=e.actor.party,
            actor_label=e.actor.label or str(e.actor),
            before=e.before,
            after=e.after,
            data=e.data or {},
            message=e.message,
            created_at=e.at or now,
        )
        for e in entries
    ]
    if not rows:
        return []
    CaseEvent.objects.bulk_create(rows)
    for event in rows:
        _notify(event)
    return rows


def _notify(event: CaseEvent) -> None:
    depth = _depth.get()
    if depth >= MAX_DEPTH:
        log.warning("case event chain too deep", extra={"case": event.case_id, "kind": event.kind})
        return
    token = _depth.set(depth + 1)
    try:
        for _, listener in _LISTENERS:
            listener(event)
    finally:
        _depth.reset(token)
