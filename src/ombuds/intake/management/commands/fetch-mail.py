"""`ombuds fetch-mail`: fetch the workspaces' IMAP mailboxes from the command line.

    ombuds fetch-mail --once                 # every active mailbox once, then file the mail
    ombuds fetch-mail --workspace acme       # keep polling acme's mailboxes every minute
    ombuds fetch-mail --idle                 # stay connected; new mail within seconds

Mail is stored before anything is flagged, moved or deleted on the server, so stopping
this command at any moment — even with SIGKILL — loses nothing; the next run picks up.
"""

from __future__ import annotations

import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

from ombuds.core.models import Workspace
from ombuds.intake.email.imap import FetchReport, fetch_mailbox
from ombuds.intake.email.imap.idle import Round, watch_mailboxes
from ombuds.intake.inbound import process_pending
from ombuds.intake.language import detect_language
from ombuds.intake.models import Mailbox

POLL_SECONDS = 60


class Command(BaseCommand):
    help = (
        "Fetch new mail from the workspaces' IMAP mailboxes: store each message, then "
        "flag, move or delete it on the server, then file it on its case."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", metavar="SLUG", help="Only this workspace's mailboxes")
        parser.add_argument("--mailbox", type=int, metavar="ID", help="Only this mailbox")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="Fetch once and exit")
        mode.add_argument(
            "--idle",
            action="store_true",
            help="Stay connected and fetch as mail arrives (IMAP IDLE; polls servers "
            "without it). Runs until stopped.",
        )
        parser.add_argument(
            "--no-process",
            action="store_true",
            help="Only store the mail; leave filing it to the background worker",
        )

    def handle(self, *args, workspace, mailbox, once, idle, no_process, **options):
        selection = self._selection(workspace, mailbox)
        self._process = not no_process
        if idle:
            return self._watch(selection)
        if once:
            failed = self._round(selection)
            if failed:
                raise CommandError(f"{failed} mailbox(es) could not be fetched; see above.")
            return None
        stop = _stop_on_signals()
        self._say(f"Polling every {POLL_SECONDS} s. Ctrl-C to stop.")
        while not stop.is_set():
            self._round(selection)
            stop.wait(POLL_SECONDS)
        self._say("Stopped.")
        return None

    # ------------------------------------------------------------------ which mailboxes

    def _selection(self, slug: str | None, mailbox_id: int | None) -> dict:
        selection: dict = {}
        if slug:
            ws = Workspace.objects.filter(slug=slug).first()
            if ws is None:
                raise CommandError(f"No workspace {slug!r}.")
            selection["workspace"] = ws
        if mailbox_id is not None:
            found = Mailbox.objects.filter(pk=mailbox_id, **selection).first()
            if found is None:
                raise CommandError(
                    f"No mailbox {mailbox_id}" + (f" in workspace {slug!r}." if slug else ".")
                )
            if not found.is_active:
                raise CommandError(f"Mailbox {mailbox_id} ({found.address}) is switched off.")
            selection["pk"] = mailbox_id
        return selection

    def _mailboxes(self, selection: dict) -> list[Mailbox]:
        return list(
            Mailbox.objects.filter(is_active=True, **selection)
            .select_related("workspace")
            .order_by("workspace__slug", "address", "pk")
        )

    # ------------------------------------------------------------------ polling

    def _round(self, selection: dict) -> int:
        if not connection.in_atomic_block:  # a long-running poll outlives connections
            close_old_connections()
        boxes = self._mailboxes(selection)
        if not boxes:
            self._say("No active mailboxes to fetch.")
            return 0
        failed = 0
        for mailbox in boxes:
            began = time.monotonic()
            self._say(f"{_name(mailbox)}: fetching from {mailbox.host}:{mailbox.port}…")
            report = fetch_mailbox(mailbox.pk)
            failed += bool(report.error)
            self._say(f"{_name(mailbox)}: {_summary(report)} ({time.monotonic() - began:.1f} s)")
        if self._process:
            self._file()
        return failed

    def _file(self) -> None:
        began = time.monotonic()
        shown = [0.0]

        def progress(done: int) -> None:
            if time.monotonic() - shown[0] >= 1.0:
                shown[0] = time.monotonic()
                self._say(f"  filed {done:,}…")

        done = process_pending(progress=progress)
        if done:
            self._say(f"Filed {done:,} stored message(s) in {time.monotonic() - began:.1f} s.")

    # ------------------------------------------------------------------ IDLE

    def _watch(self, selection: dict) -> None:
        if self._process:
            # Load the language model now rather than when the first email is waiting.
            detect_language("Warming up the language model before the first email arrives.")
        boxes = self._mailboxes(selection)
        stop = _stop_on_signals()
        self._say(
            f"Watching {len(boxes)} mailbox(es) now, and any added later"
            f"{' in this workspace' if 'workspace' in selection else ''}. Ctrl-C to stop."
        )
        filing = threading.Lock()

        def on_round(round_: Round) -> None:
            report = round_.report
            if report.found or round_.woke_by == "start":
                self._say(f"[{round_.mailbox_id}] {round_.woke_by}: {_summary(report)}")
            if self._process and report.stored:
                with filing:  # one filer at a time; the rows are the queue
                    process_pending()

        watch_mailboxes(
            stop=stop,
            mailbox_filter=selection,
            on_round=on_round,
            on_change=lambda what, m: self._say(f"[{m.pk}] {what} {_name(m)}"),
        )
        self._say("Stopped.")

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()


def _name(mailbox: Mailbox) -> str:
    return f"{mailbox.workspace.slug} · {mailbox.address} (#{mailbox.pk})"


def _summary(report: FetchReport) -> str:
    if report.skipped:
        return "another worker is fetching it right now; skipped"
    if report.error:
        return f"FAILED — {report.error}"
    parts = [f"{report.stored} new"]
    if report.already_stored:
        parts.append(f"{report.already_stored} stored before")
    if report.refused:
        parts.append(f"{report.refused} too large (left on the server)")
    if report.rescanned:
        parts.append("folder renumbered by the server (UIDVALIDITY), scanned again")
    return ", ".join(parts)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop
