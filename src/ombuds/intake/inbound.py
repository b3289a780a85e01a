"""The durable front door of every channel: store first, then process, idempotently.

`accept` writes the raw payload (unique per workspace, channel and external id) and is
what an adapter calls before it acknowledges a webhook or deletes mail from a server; a
second delivery of the same payload finds the row and changes nothing. `process_inbound`
turns a pending row into a message on a case in one transaction with marking it
processed, so a crash anywhere leaves it pending, and the sweep processes it again.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ombuds.core import batch as batch_cache
from ombuds.core.errors import ApplicationError
from ombuds.core.models import Workspace
from ombuds.sla.clocks.book import look_up_open_clocks

from .identity import look_up_parties
from .incoming import Skip, reader_for, refusal_for, sender_hint_for, thread_hint_for
from .models import InboundMessage, InboundStatus
from .prepare import ReadAhead
from .threads import MAX_ANSWERS, file_incoming, look_up_answered

log = logging.getLogger(__name__)
# A payload that fails this often for reasons other than its content is set aside for
# people to look at instead of being retried for ever.
MAX_ATTEMPTS = 5
BATCH = 50


def digest(raw: bytes) -> str:
    """An external id for a payload that carries none of its own."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _external_id(raw: bytes, given: str) -> str:
    """The id a payload is stored under: its channel's, or a digest of its bytes."""
    return (given or digest(raw)).strip()[:255]


def _too_large(size: int) -> ApplicationError:
    return ApplicationError(
        "payload_too_large",
        f"A message may be at most {settings.OMBUDS_MAX_INBOUND_BYTES:,} bytes.",
        details={"size": size},
        status=413,
    )


def accept(
    *,
    workspace: Workspace,
    channel: str,
    raw: bytes,
    external_id: str = "",
    content_type: str = "message/rfc822",
    source: str = "",
    received_at: datetime | None = None,
    wake: bool = True,
) -> tuple[InboundMessage, bool]:
    """Store what a channel brought before anyone is told it arrived; (row, created).

    On commit a worker is woken to process it; an adapter storing many at once passes
    `wake=False` and calls `wake_processing` once for all of them."""
    if len(raw) > settings.OMBUDS_MAX_INBOUND_BYTES:
        raise _too_large(len(raw))
    external_id = _external_id(raw, external_id)
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(
                workspace=workspace,
                channel=channel,
                external_id=external_id,
                source=source[:100],
                content_type=content_type[:100],
                raw=raw,
                size=len(raw),
                received_at=received_at or timezone.now(),
            )
    except IntegrityError:
        existing = InboundMessage.objects.filter(
            workspace=workspace, channel=channel, external_id=external_id
        ).first()
        if existing is None:  # not a duplicate after all: a real integrity problem
            raise
        return existing, False
    if wake:
        transaction.on_commit(lambda: _wake(inbound.pk))
    return inbound, True


@dataclass
class Stored:
    """What became of one payload handed to `accept_many`."""

    inbound: InboundMessage | None  # None when it was refused
    created: bool = False
    refusal: ApplicationError | None = None


def accept_many(
    *,
    workspace: Workspace,
    channel: str,
    payloads: Sequence[tuple[bytes, str]],
    source: str = "",
    sources: Sequence[str] | None = None,
    content_type: str = "message/rfc822",
) -> list[Stored]:
    """`accept` for many payloads at once, (raw bytes, external id) each: one INSERT for
    those not stored yet instead of a savepoint and an INSERT each. What it stores is
    woken by the caller (`wake_processing`). A payload too large is refused (`refusal`)
    and the rest are stored; the same payload twice is stored once. `sources` gives
    each payload a source of its own."""
    limit = settings.OMBUDS_MAX_INBOUND_BYTES
    results: list[Stored | None] = [None] * len(payloads)
    keys = [_external_id(raw, external_id) for raw, external_id in payloads]
    wanted: dict[str, int] = {}  # external id -> index of its first payload
    for index, (raw, _) in enumerate(payloads):
        if len(raw) > limit:
            results[index] = Stored(None, refusal=_too_large(len(raw)))
            continue
        wanted.setdefault(keys[index], index)
    existing = {
        row.external_id: row
        for row in InboundMessage.objects.filter(
            workspace=workspace, channel=channel, external_id__in=list(wanted)
        ).defer("raw")
    }
    now = timezone.now()
    new = [
        InboundMessage(
            workspace=workspace,
            channel=channel,
            external_id=external_id,
            source=(sources[index] if sources else source)[:100],
            content_type=content_type[:100],
            raw=payloads[index][0],
            size=len(payloads[index][0]),
            received_at=now,
        )
        for external_id, index in wanted.items()
        if external_id not in existing
    ]
    try:
        with transaction.atomic():
            InboundMessage.objects.bulk_create(new)
    except IntegrityError:
        # Stored meanwhile by someone else (two fetchers racing): one at a time, then.
        stored = {
            external_id: accept(
                workspace=workspace,
                channel=channel,
                raw=payloads[index][0],
                external_id=external_id,
                content_type=content_type,
                source=sources[index] if sources else source,
                wake=False,
            )
            for external_id, index in wanted.items()
            if external_id not in existing
        }
    else:
        stored = {row.external_id: (row, True) for row in new}
    stored.update((external_id, (row, False)) for external_id, row in existing.items())
    firsts = set(wanted.values())
    for index, key in enumerate(keys):
        if results[index] is None:
            row, created = stored[key]
            results[index] = Stored(row, created=created and index in firsts)
    return results


def wake_processing(inbound_ids: Iterable[int]) -> None:
    """Have a worker process these stored rows once the current transaction commits:
    one queued task for all of them instead of one each."""
    ids = list(inbound_ids)
    if ids:
        transaction.on_commit(lambda: _wake_many(ids))


def refuse(
    *,
    workspace: Workspace,
    channel: str,
    external_id: str,
    excerpt: bytes,
    size: int,
    outcome: str,
    reason: str,
    source: str = "",
    content_type: str = "message/rfc822",
) -> tuple[InboundMessage, bool]:
    """Keep a record of a payload that was not taken in (too large to download, say):
    what is known of it (`excerpt`, e.g. its headers) and why; (row, created). A second
    refusal of the same payload finds the row."""
    external_id = _external_id(excerpt, external_id)
    now = timezone.now()
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(
                workspace=workspace,
                channel=channel,
                external_id=external_id,
                source=source[:100],
                content_type=content_type[:100],
                raw=excerpt,
                size=size,
                status=InboundStatus.REJECTED,
                outcome=outcome[:40],
                error=reason,
                received_at=now,
                processed_at=now,
            ), True
    except IntegrityError:
        existing = InboundMessage.objects.filter(
            workspace=workspace, channel=channel, external_id=external_id
        ).first()
        if existing is None:
            raise
        return existing, False


def process_inbound(inbound_id: int) -> InboundMessage | None:
    """Turn one pending payload into a message on a case (or set it aside, saying why)."""
    with transaction.atomic():
        inbound = (
            InboundMessage.objects.select_for_update(skip_locked=True)
            .select_related("workspace")
            .filter(pk=inbound_id, status=InboundStatus.PENDING)
            .first()
        )
        if inbound is None:
            return None  # done already, or another worker has it
        _process_locked(inbound)
        return inbound


# What processing sets on the row; saved row by row, or for a whole batch at once.
_MARKED = ("status", "outcome", "error", "attempts", "message", "case", "processed_at")


def _process_locked(inbound: InboundMessage, marked: list | None = None) -> None:
    """Process one locked row. With `marked` the row is saved later with the rest of
    its batch (`_mark`); without, it is saved here."""
    inbound.attempts += 1
    reader = reader_for(inbound.channel)
    try:
        with transaction.atomic():
            if reader is None:
                raise ApplicationError("no_reader", f"No reader for channel {inbound.channel}.")
            result = reader(inbound)
            if isinstance(result, Skip):
                inbound.status = InboundStatus.IGNORED
                inbound.outcome = result.outcome[:40]
                inbound.error = result.detail
            else:
                message = file_incoming(workspace=inbound.workspace, incoming=result)
                inbound.status = InboundStatus.PROCESSED
                inbound.outcome = "filed"
                inbound.message = message
                inbound.case_id = message.case_id
    except ApplicationError as exc:
        # What the batch kept may have come from the writes just rolled back.
        batch_cache.forget()
        # The payload itself is unacceptable (too large, no text, a closed case…):
        # trying again will not change that. It stays stored, with the reason.
        inbound.status = InboundStatus.REJECTED
        inbound.outcome = exc.code[:40]
        inbound.error = exc.message
        _tell_sender(inbound, exc)
    except Exception as exc:
        batch_cache.forget()
        log.exception("inbound processing failed", extra={"inbound": inbound.pk})
        inbound.error = f"{type(exc).__name__}: {exc}"[:2000]
        if inbound.attempts >= MAX_ATTEMPTS:
            inbound.status = InboundStatus.REJECTED
            inbound.outcome = "failed"
    inbound.processed_at = timezone.now()
    if marked is None:
        inbound.save(update_fields=list(_MARKED))
    else:
        marked.append(inbound)


def _mark(rows: list[InboundMessage]) -> None:
    """Save what processing set on these rows: one prepared UPDATE run for every row
    (`bulk_update`'s CASE WHEN statement costs more than saving them one by one)."""
    if not rows:
        return
    fields = [InboundMessage._meta.get_field(name) for name in _MARKED]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(InboundMessage._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(InboundMessage._meta.pk.column),
    )
    params = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _look_up_batch(rows: list[InboundMessage]) -> None:
    """The senders of a batch and the messages it answers, looked up at once before the
    first is filed."""
    by_workspace: dict[int, tuple[Workspace, list, list]] = {}
    for inbound in rows:
        entry = by_workspace.setdefault(inbound.workspace_id, (inbound.workspace, [], []))
        sender_hint = sender_hint_for(inbound.channel)
        thread_hint = thread_hint_for(inbound.channel)
        try:
            identity = sender_hint(inbound) if sender_hint is not None else None
            answers = thread_hint(inbound) if thread_hint is not None else ()
        except Exception:
            continue  # the reader will meet the same problem and say so
        if identity is not None:
            entry[1].append(identity)
        entry[2].extend(answers[-MAX_ANSWERS:])
    for workspace, identities, answers in by_workspace.values():
        look_up_parties(workspace=workspace, identities=identities)
        answered = look_up_answered(workspace=workspace, external_ids=answers)
        look_up_open_clocks(answered)


def _tell_sender(inbound: InboundMessage, refusal: ApplicationError) -> None:
    notify = refusal_for(inbound.channel)
    if notify is None:
        return
    try:
        with transaction.atomic():
            notify(inbound, refusal)
    except Exception:
        # Telling the sender is a courtesy; it must not keep the refusal from being stored.
        log.exception("refusal notice failed", extra={"inbound": inbound.pk})


def pending_rows(
    limit: int = BATCH, *, after: tuple[datetime, int] | None = None
) -> list[tuple[datetime, int]]:
    """(received at, id) of the oldest pending rows, after `after` if given."""
    query = InboundMessage.objects.filter(status=InboundStatus.PENDING)
    if after is not None:
        # Rows that failed in this pass stay pending; walking on keeps one pass finite.
        received_at, pk = after
        query = query.filter(received_at__gte=received_at).exclude(
            received_at=received_at, pk__lte=pk
        )
    return list(query.order_by("received_at", "pk").values_list("received_at", "pk")[:limit])


def process_pending(
    *,
    limit: int | None = None,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Process every pending payload, oldest first, a batch per transaction; returns how
    many were looked at (and tells `progress` after each batch). What one worker has
    locked, another skips."""

    def batches() -> Iterator[list[int]]:
        taken = 0
        after = None
        while limit is None or taken < limit:
            size = batch if limit is None else min(batch, limit - taken)
            rows = pending_rows(size, after=after)
            if not rows:
                return
            yield [pk for _, pk in rows]
            taken += len(rows)
            if len(rows) < size:
                return
            after = rows[-1]

    # Reading ahead pays only for a backlog: the helper takes a second to start.
    wanted = limit is None or limit >= settings.OMBUDS_PREPARE_FROM
    return _file_batches(batches(), read_ahead=wanted and _has_backlog(), progress=progress)


def _has_backlog() -> bool:
    """At least OMBUDS_PREPARE_FROM payloads are waiting (counted no further)."""
    enough = settings.OMBUDS_PREPARE_FROM
    return InboundMessage.objects.filter(status=InboundStatus.PENDING)[:enough].count() >= enough


def process_ids(inbound_ids: Iterable[int], *, batch: int = BATCH) -> int:
    """Process those of these rows that are still pending, in the order they arrived, a
    batch per transaction; returns how many were asked for."""
    ids = sorted(set(inbound_ids))
    chunks = [ids[start : start + batch] for start in range(0, len(ids), batch)]
    _file_batches(chunks, read_ahead=len(ids) >= settings.OMBUDS_PREPARE_FROM)
    return len(ids)


# One thread of a process drains a backlog at a time; the others file what woke them.
_draining = threading.Lock()


def process_woken(inbound_ids: Iterable[int]) -> int:
    """What a wake-up task does: file these rows, and when a backlog has built up behind
    them (a mailbox's first fetch stores thousands, fifty to a task), drain it with
    `process_pending`, which reads ahead, instead of leaving it to one task per fifty."""
    done = process_ids(inbound_ids)
    if not _has_backlog() or not _draining.acquire(blocking=False):
        return done
    try:
        return done + process_pending()
    finally:
        _draining.release()


def _file_batches(
    batches: Iterable[list[int]],
    *,
    read_ahead: bool,
    progress: Callable[[int], None] | None = None,
) -> int:
    """File batch after batch; with `read_ahead`, the helper process reads the next
    batch's payloads while this one is filed (`intake.prepare`)."""
    ahead = ReadAhead() if read_ahead else None
    done = 0
    upcoming = iter(batches)
    ids = next(upcoming, None)
    while ids is not None:
        following = next(upcoming, None)
        if ahead is not None and following is not None:
            ahead.submit(following)
        _process_rows(ids, prepared=ahead.take(ids) if ahead is not None else None)
        done += len(ids)
        if progress is not None:
            progress(done)
        ids = following
    return done


def _process_rows(ids: list[int], *, prepared: dict[int, object] | None = None) -> None:
    # One transaction for the batch; each row in its own savepoint. What the rows share
    # (the workspace's triggers, rules, policies, queues; the senders' parties) is read
    # once for the batch (core.batch) and the rows are marked with one statement.
    with transaction.atomic(), batch_cache.batch_scope():
        query = (
            InboundMessage.objects.select_for_update(skip_locked=True)
            .select_related("workspace")
            .filter(pk__in=ids, status=InboundStatus.PENDING)
            .order_by("received_at", "pk")
        )
        if prepared and prepared.keys() >= set(ids):
            query = query.defer("raw")  # read already; loaded if someone still asks
        rows = list(query)
        if prepared:
            for inbound in rows:
                inbound.prepared = prepared.get(inbound.pk)
        _look_up_batch(rows)
        marked: list[InboundMessage] = []
        for inbound in rows:
            _process_locked(inbound, marked)
        _mark(marked)


def _wake(inbound_id: int) -> None:
    from .tasks import process_inbound_task

    process_inbound_task(inbound_id)


def _wake_many(inbound_ids: list[int]) -> None:
    from .tasks import process_inbound_batch_task

    process_inbound_batch_task(inbound_ids)
