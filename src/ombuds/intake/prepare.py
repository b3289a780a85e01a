"""Reading payloads ahead, on the other core, while the worker files the batch before.

Filing is one write transaction per batch, and SQLite lets one writer in at a time, so
threads and processes that all file take turns. What a payload needs before it can be
filed — parsing an email, cutting its quoted history, detecting its language — needs no
database at all. With a backlog (`OMBUDS_PREPARE_FROM` rows or more), the worker hands the
raw bytes of the next batch to a helper process and files the current one meanwhile; when
it comes to the next batch, its payloads are read already.

Nothing depends on the helper: what it gives back is what the worker would have worked out
itself from the same bytes (stored rows never change), a payload it could not read is
read again by the worker (which then meets the problem and records it), and a helper that
dies, hangs or cannot start is dropped and the worker reads everything itself.

Channels register a preparer: a function of the raw bytes, run in the helper, whose
picklable result is set on the row as `inbound.prepared` before the batch is filed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from django.conf import settings

log = logging.getLogger(__name__)

Preparer = Callable[[bytes], object]
_PREPARERS: dict[str, Preparer] = {}
# How long the worker waits for a batch the helper is reading; it includes the helper's
# start (a new interpreter importing Django, about a second). Longer means it is stuck.
WAIT_SECONDS = 30.0
# Read once when the helper starts, so that its first real batch finds every module
# imported and every model (the language model) loaded.
WARM_UP = b"Subject: Warm-up\r\n\r\nA few words to wake the language model up with.\r\n"

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
# Set once the helper has handed back a batch: until then it is still starting, and the
# worker reads for itself instead of waiting.
_ready = threading.Event()


def register_preparer(channel: str, preparer: Preparer) -> None:
    _PREPARERS[channel] = preparer


def preparable_channels() -> list[str]:
    return list(_PREPARERS)


def prepare_payloads(payloads: list[tuple[int, str, bytes]]) -> dict[int, object]:
    """Run in the helper: each (row id, channel, raw bytes) read by its channel's
    preparer; {row id: result}. A payload that fails is left out."""
    prepared = {}
    for pk, channel, raw in payloads:
        preparer = _PREPARERS.get(channel)
        if preparer is None:
            continue
        try:
            prepared[pk] = preparer(raw)
        except Exception:
            continue  # the worker reads it itself, and records what goes wrong
    return prepared


def _ask(pool: ProcessPoolExecutor, fn, *args):
    """Run `fn(*args)` in the helper and wait for what it returns."""
    return pool.submit(fn, *args).result(timeout=WAIT_SECONDS)


def helper_cpu_seconds() -> float:
    """CPU time the helper has used so far (0 without one): for benchmarks."""
    pool = _pool
    return _ask(pool, time.process_time) if pool is not None else 0.0


def helper_peak_rss_mib() -> float | None:
    """The helper's peak resident memory in MiB (None without one): for benchmarks."""
    pool = _pool
    if pool is None:
        return None
    return round(_ask(pool, resource.getrusage, resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _start_helper(settings_module: str, worker_pid: int) -> None:
    # A worker killed outright (SIGKILL, the OOM killer) cannot tell its helper to stop,
    # and the helper's end of the queue never closes: it watches for itself.
    threading.Thread(target=_exit_with, args=(worker_pid,), daemon=True).start()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()  # the apps register their preparers
    prepare_payloads([(0, channel, WARM_UP) for channel in _PREPARERS])


def _exit_with(worker_pid: int) -> None:
    while os.getppid() == worker_pid:
        time.sleep(1.0)
    os._exit(0)


def start(*, wait: bool = False) -> bool:
    """Start the helper now instead of at the first backlog (with `wait`, until it can
    take work); whether there is one."""
    pool = _helper()
    if pool is None:
        return False
    if wait:
        try:
            _ask(pool, time.process_time)
        except BrokenProcessPool:  # the last one died: start another, once
            _drop_helper(pool)
            _ask(_helper(), time.process_time)
        _ready.set()
    return True


def _helper() -> ProcessPoolExecutor | None:
    global _pool
    if settings.OMBUDS_PREPARE_PROCESSES < 1 or not _PREPARERS:
        return None
    with _pool_lock:
        if _pool is None:
            _ready.clear()
            # A fresh interpreter rather than a fork: the worker has database
            # connections and threads that a forked copy must not share.
            _pool = ProcessPoolExecutor(
                max_workers=settings.OMBUDS_PREPARE_PROCESSES,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_helper,
                initargs=(
                    os.environ.get("DJANGO_SETTINGS_MODULE", "ombuds.config.settings"),
                    os.getpid(),
                ),
            )
        return _pool


def _drop_helper(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def shut_down() -> None:
    """Stop the helper (it is started again when a backlog needs it)."""
    pool = _pool
    if pool is not None:
        _drop_helper(pool)


class ReadAhead:
    """The helper's results for batches handed to it, collected in the order asked."""

    def __init__(self) -> None:
        self._pool = _helper()
        self._futures: dict[tuple[int, ...], Future] = {}

    def submit(self, ids: list[int]) -> None:
        """Have the helper read these rows' payloads (those of a channel that prepares)."""
        if self._pool is None:
            return
        from .models import InboundMessage

        payloads = [
            (pk, channel, bytes(raw))
            for pk, channel, raw in InboundMessage.objects.filter(
                pk__in=ids, channel__in=preparable_channels()
            ).values_list("pk", "channel", "raw")
        ]
        if not payloads:
            return
        try:
            self._futures[tuple(ids)] = self._pool.submit(prepare_payloads, payloads)
        except RuntimeError:  # shut down meanwhile, or broken (its process died)
            log.warning("the read-ahead helper is gone; reading in the worker instead")
            self._give_up()

    def take(self, ids: list[int]) -> dict[int, object]:
        """What the helper made of a batch handed to it ({} if it was not, or failed)."""
        future = self._futures.pop(tuple(ids), None)
        if future is None:
            return {}
        if not _ready.is_set() and not future.done():
            future.cancel()  # still starting: read this batch here rather than wait
            return {}
        try:
            prepared = future.result(timeout=WAIT_SECONDS)
        except FutureTimeout:
            log.warning("the read-ahead helper is stuck; reading in the worker instead")
        except Exception:
            log.exception("the read-ahead helper failed; reading in the worker instead")
        else:
            _ready.set()
            return prepared
        self._give_up()
        return {}

    def _give_up(self) -> None:
        pool, self._pool = self._pool, None
        self._futures.clear()
        if pool is not None:
            _drop_helper(pool)
