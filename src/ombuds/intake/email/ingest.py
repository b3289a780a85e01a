"""Importing email from files: .eml files, mbox files and Maildir folders.

Each message goes through the same door as mail fetched from a server: stored first
(`accept`, external id = its Message-ID or a digest of its bytes), then processed. An
import run twice stores and files nothing twice; an import cut off half-way is simply
run again, and whatever was stored but not processed is picked up (here, or by the
worker's sweep).
"""

from __future__ import annotations

import mailbox
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ombuds.conversations.models import Channel
from ombuds.core.errors import ApplicationError
from ombuds.core.models import Workspace

from ..inbound import accept, process_inbound
from ..models import InboundStatus
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


def _maildir(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.Maildir(str(path), factory=None, create=False)
    for key in sorted(box.iterkeys()):
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


def import_email(
    *,
    workspace: Workspace,
    paths: list[Path],
    progress: Callable[[ImportSummary], None] | None = None,
    every: int = 500,
) -> ImportSummary:
    """Store and process every message found at `paths`, counting what became of each."""
    summary = ImportSummary()
    for path in paths:
        for label, raw in messages_in(path):
            summary.seen += 1
            _import_one(workspace, label, raw, summary)
            if progress is not None and summary.seen % every == 0:
                progress(summary)
    return summary


def _import_one(workspace: Workspace, label: str, raw: bytes, summary: ImportSummary) -> None:
    try:
        inbound, created = accept(
            workspace=workspace,
            channel=Channel.EMAIL,
            raw=raw,
            external_id=external_id_of(raw),
            source=f"file:{label}"[:100],
            wake=False,
        )
    except ApplicationError as refusal:  # too large to store at all
        summary.rejected[refusal.code] += 1
        return
    if not created and inbound.status != InboundStatus.PENDING:
        summary.duplicates += 1
        return
    done = process_inbound(inbound.pk) or inbound
    if done.status == InboundStatus.PROCESSED:
        summary.filed += 1
    elif done.status == InboundStatus.IGNORED:
        summary.ignored[done.outcome or "ignored"] += 1
    elif done.status == InboundStatus.REJECTED:
        summary.rejected[done.outcome or "rejected"] += 1
    else:
        summary.failed += 1
