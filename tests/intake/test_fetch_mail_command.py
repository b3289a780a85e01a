"""`ombuds fetch-mail`: fetches, files and says what it did; a mailbox that cannot be
fetched makes it fail loudly; `--idle` runs until stopped and takes mail in as it comes."""

from __future__ import annotations

import io
import signal
import subprocess
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ombuds.conversations.models import Message
from tests.intake.dovecot import email, mailbox_for
from tests.intake.worker_process import OMBUDS, REPO, WorkerDatabase, prepare, worker_env


def test_fetch_mail_once_fetches_files_and_reports(workspace, other_workspace, dovecot, mail_user):
    dovecot.append(mail_user, email(1), email(2))
    mailbox_for(workspace, dovecot, mail_user)
    mailbox_for(other_workspace, dovecot, mail_user, address="x@other.test", password="wrong")
    out = io.StringIO()

    call_command("fetch-mail", "--once", "--workspace", workspace.slug, stdout=out)

    text = out.getvalue()
    assert "resale · support@resale.test" in text and "2 new" in text
    assert "Filed 2 stored message(s)" in text
    assert "other.test" not in text
    assert Message.objects.filter(workspace=workspace).count() == 2


def test_fetch_mail_once_fails_loudly_when_a_mailbox_cannot_be_fetched(
    workspace, dovecot, mail_user
):
    mailbox_for(workspace, dovecot, mail_user, password="wrong")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 mailbox"):
        call_command("fetch-mail", "--once", stdout=out)
    assert "refused the user name or password" in out.getvalue()


def test_fetch_mail_idle_takes_new_mail_in_within_seconds_and_stops_on_sigterm(
    dovecot, mail_user, tmp_path
):
    with WorkerDatabase(tmp_path) as database:
        env = worker_env(database, tmp_path / "data")
        prepare(env, dovecot, mail_user)
        log = tmp_path / "idle.log"
        with log.open("wb") as out:
            watcher = subprocess.Popen(
                [*OMBUDS, "fetch-mail", "--idle"], env=env, stdout=out, stderr=out, cwd=REPO
            )
        try:
            # Watching: it holds the mailbox's lease once its first fetch is done.
            assert _eventually(
                lambda: (
                    database.rows("SELECT lease_owner FROM intake_mailbox")[0][0] != ""
                    and "start:" in log.read_text()
                ),
                seconds=30,
            ), log.read_text()
            delivered = time.monotonic()
            dovecot.append(mail_user, email(1))
            assert _eventually(lambda: database.count("WHERE status = 'processed'") == 1), (
                log.read_text()
            )
            took = time.monotonic() - delivered
            watcher.send_signal(signal.SIGTERM)
            assert watcher.wait(timeout=30) == 0
        finally:
            if watcher.poll() is None:
                watcher.kill()
                watcher.wait()
        assert took < 5, f"took {took:.1f} s"
        assert "new mail: 1 new" in log.read_text()
        assert log.read_text().rstrip().endswith("Stopped.")
        # It let go of the mailbox, so the minute poll takes over at once.
        assert database.rows("SELECT lease_owner FROM intake_mailbox") == [("",)]


def _eventually(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
