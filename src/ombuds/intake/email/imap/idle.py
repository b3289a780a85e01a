"""Watching mailboxes with IMAP IDLE, so new mail is stored within seconds of arriving.

`ombuds fetch-mail --idle` runs `watch_mailboxes`: one thread per active mailbox, each
holding one IMAP session and the mailbox's lease (so the minute-by-minute poll leaves
that mailbox to it). A thread fetches what is new, enters IDLE (RFC 2177), and leaves it
when the server announces a message (`EXISTS`) — then fetches, the same store-then-flag
way as a poll — or after `REISSUE_SECONDS`, well inside the 29 minutes after which a
server may drop an idle client. A server without IDLE is polled from the same thread.
A failure is recorded on the mailbox and retried with the same back-off as polling.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections, connection
from django.utils import timezone
from imapclient import IMAPClient

from ... import mailboxes
from ...models import Mailbox
from .fetch import FetchReport, LeaseLost, fetch_new, record_failure
from .session import MailboxError, close_session, connect

log = logging.getLogger(__name__)

# Re-issue IDLE this often (RFC 2177 asks for less than 29 minutes; NAT routers often
# forget a silent connection after 10–15, so stay below that too).
REISSUE_SECONDS = 9 * 60
# How often an idle thread looks up from the socket: to notice a stop request and to
# renew its lease.
CHECK_SECONDS = 5.0
# Without IDLE, and between tries while another worker holds the mailbox.
POLL_SECONDS = 60.0
# How often the set of mailboxes is read again (added, edited, switched off).
RESCAN_SECONDS = 60.0


@dataclass(frozen=True)
class Round:
    """One fetch by a watcher, and what woke it: "start", "new mail", "reissue", "poll"."""

    mailbox_id: int
    woke_by: str
    report: FetchReport


OnRound = Callable[[Round], None]


def watch_mailbox(
    mailbox_id: int,
    *,
    stop: threading.Event,
    on_round: OnRound | None = None,
    reissue_after: float = REISSUE_SECONDS,
    check_every: float = CHECK_SECONDS,
    poll_every: float = POLL_SECONDS,
) -> None:
    """Keep one mailbox fetched as mail arrives, until `stop` is set or the mailbox is
    switched off."""
    owner = mailboxes.lease_owner()
    while not stop.is_set():
        _refresh_connection()
        mailbox = Mailbox.objects.filter(pk=mailbox_id, is_active=True).first()
        if mailbox is None:
            return
        if mailbox.retry_at is not None and mailbox.retry_at > timezone.now():
            stop.wait(min((mailbox.retry_at - timezone.now()).total_seconds(), poll_every))
            continue
        if not mailboxes.claim_mailbox(mailbox_id=mailbox_id, owner=owner):
            stop.wait(min(poll_every, mailboxes.LEASE_SECONDS / 4))  # a poll is running
            continue
        try:
            _session(mailbox, owner, stop, on_round, reissue_after, check_every, poll_every)
        except LeaseLost:
            log.info("mailbox lease lost", extra={"mailbox": mailbox_id})
        except Exception as exc:
            record_failure(mailbox_id, exc, where=f"{mailbox.host}:{mailbox.port}")
        finally:
            mailboxes.release_mailbox(mailbox_id=mailbox_id, owner=owner)


def _session(mailbox, owner, stop, on_round, reissue_after, check_every, poll_every) -> None:
    imap = connect(mailbox)
    try:
        woke_by = "start"
        while not stop.is_set():
            report = fetch_new(imap, mailbox, owner=owner)
            mailboxes.record_poll_success(mailbox_id=mailbox.pk)
            if on_round is not None:
                on_round(Round(mailbox.pk, woke_by, report))
            if imap.has_capability("IDLE"):
                woke_by = _idle(imap, mailbox.pk, owner, stop, reissue_after, check_every)
            else:
                stop.wait(poll_every)
                woke_by = "poll"
                if not mailboxes.renew_lease(mailbox_id=mailbox.pk, owner=owner):
                    raise LeaseLost()
    finally:
        close_session(imap)


def _idle(
    imap: IMAPClient,
    mailbox_id: int,
    owner: str,
    stop: threading.Event,
    reissue_after: float,
    check_every: float,
) -> str:
    """Wait in IDLE for new mail; what ended the wait."""
    # Mail that arrived since the last search would only be announced at the server's
    # next check; ask now, so it is not left waiting.
    _, pending = imap.noop()
    if _announces_mail(pending):
        return "new mail"
    imap.idle()
    started = renewed = time.monotonic()
    quiet_returns = 0
    try:
        while not stop.is_set():
            elapsed = time.monotonic() - started
            if elapsed >= reissue_after:
                return "reissue"
            timeout = min(check_every, reissue_after - elapsed)
            asked = time.monotonic()
            responses = imap.idle_check(timeout=timeout)
            if _announces_mail(responses):
                return "new mail"
            if any(r and r[0] == b"BYE" for r in responses):
                raise MailboxError("imap_unreachable", "The server ended the session.")
            # imapclient answers a closed connection with an immediate empty list.
            quick = not responses and time.monotonic() - asked < timeout / 2
            quiet_returns = quiet_returns + 1 if quick else 0
            if quiet_returns >= 3:
                raise MailboxError("imap_unreachable", "The server closed the connection.")
            if time.monotonic() - renewed > mailboxes.LEASE_SECONDS / 4:
                if not mailboxes.renew_lease(mailbox_id=mailbox_id, owner=owner):
                    raise LeaseLost()
                renewed = time.monotonic()
        return "stop"
    finally:
        try:
            imap.idle_done()
        except Exception:
            # The session is gone; the caller logs out (or gives up) next.
            log.debug("leaving IDLE failed", exc_info=True)


def _announces_mail(responses) -> bool:
    return any(
        isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses
    )


def _refresh_connection() -> None:
    # A long-running thread drops a database connection that broke or grew old; never
    # inside a caller's transaction.
    if not connection.in_atomic_block:
        close_old_connections()


def _fingerprint(mailbox: Mailbox) -> str:
    """Changes whenever a setting that the open session depends on changes."""
    fields = (
        mailbox.host,
        mailbox.port,
        mailbox.use_ssl,
        mailbox.starttls,
        mailbox.username,
        mailbox.password,
        mailbox.folder,
        mailbox.archive_folder,
        mailbox.delete_after_fetch,
    )
    return hashlib.sha256(repr(fields).encode()).hexdigest()


@dataclass
class _Watcher:
    thread: threading.Thread
    stop: threading.Event
    fingerprint: str


def watch_mailboxes(
    *,
    stop: threading.Event,
    mailbox_filter: dict | None = None,
    on_round: OnRound | None = None,
    on_change: Callable[[str, Mailbox], None] | None = None,
    rescan_every: float = RESCAN_SECONDS,
    check_every: float = CHECK_SECONDS,
) -> None:
    """Run a watcher per active mailbox (optionally filtered), starting and stopping
    them as mailboxes are added, edited or switched off, until `stop` is set."""
    watchers: dict[int, _Watcher] = {}
    try:
        while not stop.is_set():
            _refresh_connection()
            current = {
                m.pk: m
                for m in Mailbox.objects.filter(is_active=True, **(mailbox_filter or {}))
                .select_related("workspace")
                .order_by("pk")
            }
            for pk, watcher in list(watchers.items()):
                mailbox = current.get(pk)
                gone = mailbox is None or not watcher.thread.is_alive()
                if gone or _fingerprint(mailbox) != watcher.fingerprint:
                    watcher.stop.set()
                    watcher.thread.join(timeout=check_every * 3)
                    del watchers[pk]
            for pk, mailbox in current.items():
                if pk in watchers:
                    continue
                if on_change is not None:
                    on_change("watching", mailbox)
                own_stop = threading.Event()
                thread = threading.Thread(
                    target=_run_watcher,
                    args=(pk, own_stop, on_round, check_every),
                    name=f"imap-idle-{pk}",
                    daemon=True,
                )
                watchers[pk] = _Watcher(thread, own_stop, _fingerprint(mailbox))
                thread.start()
            stop.wait(rescan_every)
    finally:
        for watcher in watchers.values():
            watcher.stop.set()
        for watcher in watchers.values():
            watcher.thread.join(timeout=check_every * 3)


def _run_watcher(
    mailbox_id: int, stop: threading.Event, on_round: OnRound | None, check_every: float
) -> None:
    try:
        watch_mailbox(mailbox_id, stop=stop, on_round=on_round, check_every=check_every)
    except Exception:
        log.exception("mailbox watcher stopped", extra={"mailbox": mailbox_id})
    finally:
        connection.close()
