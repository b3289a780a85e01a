"""Importing email from files: .eml files, mbox files and Maildir folders.

Each message goes through the same door as mail fetched from a server: stored first
(`accept`, external id = its Message-ID or a digest of its bytes), then processed. An
import run twice stores and files nothing twice; an import cut off half-way is simply
run again, and whatever was stored but not processed is picked up (here, or by the
worker's sweep).
"""

from __future__ import annotations

import mailbox
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from ombuds.conversations.models import Channel
from ombuds.core.models import Workspace

from ..inbound import BATCH, accept_many, process_ids
from ..models import InboundMessage, InboundStatus
from .read import external_id_of

MBOX_MARK = b"From "


@dataclass
class ImportSummary:
    seen: int = 0
    filed: int = 0
    duplicates: int = 0
    ignored: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)
    # Stored, but processing failed for a reason other than the mail (left pending).
    failed: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def seconds(self) -> float:
        return max(time.monotonic() - self.started, 1e-9)

    @property
    def rate(self) -> float:
        return self.seen / self.seconds


def _is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


# A Maildir file name starts with its delivery time: seconds, then often ".M" and the
# microseconds, not zero-padded (so "…M98000" sorts after "…M102000" as text).
_DELIVERED = re.compile(r"^(\d+)\.(?:[^.]*?M(\d+))?")


def _delivery_order(key: str) -> tuple[int, int, str]:
    found = _DELIVERED.match(key)
    if found is None:
        return (0, 0, key)
    return (int(found.group(1)), int(found.group(2) or 0), key)


def _maildir(path: Path) -> Iterator[tuple[str, bytes]]:
    """Oldest first, so that replies are filed after what they answer."""
    box = mailbox.Maildir(str(path), factory=None, create=False)
    for key in sorted(box.iterkeys(), key=_delivery_order):
        yield f"{path.name}/{key}", box.get_bytes(key)
    for folder in sorted(box.list_folders()):
        yield from _maildir(path / f".{folder}")


def _mbox(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.mbox(str(path), factory=None, create=False)
    try:
        for index, key in enumerate(box.iterkeys(), 1):
            yield f"{path.name}#{index}", box.get_bytes(key)
    finally:
        box.close()


def _starts_like_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(MBOX_MARK)) == MBOX_MARK


def _in_folder(path: Path) -> bool:
    """Whether a file found in a folder is mail: .eml, .mbox, or an mbox without an
    extension (as Thunderbird keeps them); other files are left alone."""
    suffix = path.suffix.lower()
    return suffix in (".eml", ".mbox", ".mbx") or (suffix == "" and _starts_like_mbox(path))


def messages_in(path: Path) -> Iterator[tuple[str, bytes]]:
    """(label, raw bytes) of every message at `path`: a Maildir, a folder of .eml and
    mbox files (and of further folders), an mbox file or one .eml file."""
    if path.is_dir():
        if _is_maildir(path):
            yield from _maildir(path)
            return
        for child in sorted(path.iterdir()):
            if child.is_dir() or _in_folder(child):
                yield from messages_in(child)
        return
    if _starts_like_mbox(path):
        yield from _mbox(path)
    else:
        yield path.name, path.read_bytes()


# Messages stored with one statement and then filed in batches (read ahead by the
# helper process when there are enough); an mbox of a million is never all in memory.
CHUNK = 1000
CHUNK_BYTES = 64 * 1024 * 1024


def import_email(
    *,
    workspace: Workspace,
    paths: list[Path],
    progress: Callable[[ImportSummary], None] | None = None,
    every: int = 500,
) -> ImportSummary:
    """Store and process every message found at `paths`, counting what became of each."""
    summary = ImportSummary()
    # A chunk ends where progress is due, so that it is told every `every` messages.
    most = min(CHUNK, every) if progress is not None else CHUNK
    chunk: list[tuple[str, bytes]] = []
    size = 0
    for path in paths:
        for label, raw in messages_in(path):
            chunk.append((label, raw))
            size += len(raw)
            if len(chunk) >= most or size >= CHUNK_BYTES:
                _import_chunk(workspace, chunk, summary)
                chunk, size = [], 0
                if progress is not None and summary.seen % every == 0:
                    progress(summary)
    if chunk:
        _import_chunk(workspace, chunk, summary)
    return summary


def _import_chunk(
    workspace: Workspace, chunk: list[tuple[str, bytes]], summary: ImportSummary
) -> None:
    summary.seen += len(chunk)
    to_file: dict[int, None] = {}  # in the order seen
    for start in range(0, len(chunk), BATCH):
        part = chunk[start : start + BATCH]
        with transaction.atomic():
            stored = accept_many(
                workspace=workspace,
                channel=Channel.EMAIL,
                payloads=[(raw, external_id_of(raw)) for _, raw in part],
                sources=[f"file:{label}" for label, _ in part],
            )
        for result in stored:
            if result.refusal is not None:  # too large to store at all
                summary.rejected[result.refusal.code] += 1
            elif not result.created and result.inbound.status != InboundStatus.PENDING:
                summary.duplicates += 1
            elif result.inbound.pk not in to_file:
                to_file[result.inbound.pk] = None
            else:  # the same message twice in one chunk
                summary.duplicates += 1
    process_ids(list(to_file))
    outcomes = InboundMessage.objects.filter(pk__in=to_file).values_list("status", "outcome")
    for status, outcome in outcomes:
        if status == InboundStatus.PROCESSED:
            summary.filed += 1
        elif status == InboundStatus.IGNORED:
            summary.ignored[outcome or "ignored"] += 1
        elif status == InboundStatus.REJECTED:
            summary.rejected[outcome or "rejected"] += 1
        else:
            summary.failed += 1
