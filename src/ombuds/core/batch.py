"""Reading a workspace's configuration once per batch instead of once per item.

A worker that files fifty emails in one transaction would otherwise ask the database for
the same active triggers, time rules, SLA policies and routing queues for every timeline
event. Inside `batch_scope()` those reads are kept (`remembered`) until the scope ends;
outside one, nothing is kept and every read goes to the database as before.

What is kept is only ever configuration that the filing itself does not change. Saving or
deleting one of the models registered with `forget_on_change` clears everything kept, and
so does `forget()`, which the worker calls when it rolls back one item's savepoint (what
that item read may have seen its own, now undone, writes).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
_kept: contextvars.ContextVar[dict | None] = contextvars.ContextVar("batch_kept", default=None)


@contextmanager
def batch_scope() -> Iterator[None]:
    """Keep what `remembered` reads until the block ends (nested scopes share the outer)."""
    if _kept.get() is not None:
        yield
        return
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


def remembered(key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, or what it gave for `key` earlier in this batch."""
    kept = _kept.get()
    if kept is None:
        return read()
    try:
        return kept[key]
    except KeyError:
        value = kept[key] = read()
        return value


def kept(name: str) -> dict | None:
    """A dict of this batch's own to keep rows in under `name` (None outside a batch).
    It is emptied with everything else by `forget()`."""
    scope = _kept.get()
    if scope is None:
        return None
    return scope.setdefault(("kept", name), {})


def forget(*_args, **_kwargs) -> None:
    """Drop everything kept in the current batch (a signal receiver, too)."""
    kept = _kept.get()
    if kept:
        kept.clear()


def forget_on_change(*models) -> None:
    """Clear what is kept whenever a row of these models is saved or deleted."""
    for model in models:
        post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"batch:{model}:save")
        post_delete.connect(forget, sender=model, weak=False, dispatch_uid=f"batch:{model}:del")
