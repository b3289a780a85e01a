"""A worker killed with SIGKILL in the middle of 1,000 emails loses none and doubles none.

The worker is a real separate process, `ombuds fetch-mail --once` (fetch from Dovecot,
store, move to the archive folder, then file every stored message), on a database of its
own that this test reads as well: a SQLite file on the SQLite run, a fresh PostgreSQL
database on the PostgreSQL run. It is killed twice — once while it is storing mail, once
while it is filing it — then run to the end. Afterwards every email is exactly one
message, every reply sits on the case of the email it answers, and nothing was moved
off the server before it was stored.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import pytest
from django.conf import settings

from tests.intake.dovecot import PASSWORD
from tests.intake.mail_corpus import generate

EMAILS = 1000
REPO = Path(__file__).resolve().parents[2]
OMBUDS = [sys.executable, "-m", "ombuds.config.cli"]

SETUP = """
import django, sys
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from ombuds.accounts.services import create_workspace
from ombuds.intake.mailboxes import MailboxSettings, create_mailbox
ws = create_workspace(slug="crash", name="Crash", case_prefix="CRA")
mailbox = create_mailbox(workspace=ws, spec=MailboxSettings(
    address="support@crash.test", host=sys.argv[1], port=int(sys.argv[2]),
    security="plain", username=sys.argv[3], password=sys.argv[4], archive_folder="Archive"))
print(mailbox.pk)
"""


class Database:
    """The worker's database, read from here with plain SQL."""

    def __init__(self, tmp_path: Path):
        url = os.environ.get("DATABASE_URL", "")
        self.vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        if self.vendor == "sqlite3":
            self.path = tmp_path / "crash.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            parts = urlsplit(url)
            self.name = (dj_database_url.parse(url)["NAME"] + "_crash")[:63]
            self.url = urlunsplit(parts._replace(path="/" + self.name))
            # CREATE/DROP DATABASE run from the maintenance database, which always exists.
            self.admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(statement)

    def rows(self, query: str) -> list[tuple]:
        if self.vendor == "sqlite3":
            conn = sqlite3.connect(self.path, timeout=30)
            try:
                return conn.execute(query).fetchall()
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as conn:
            return conn.execute(query).fetchall()

    def count(self, where: str = "") -> int:
        return self.rows(f"SELECT COUNT(*) FROM intake_inboundmessage {where}")[0][0]

    def drop(self) -> None:
        if self.vendor != "sqlite3":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def crash_db(tmp_path):
    database = Database(tmp_path)
    yield database
    database.drop()


def worker_env(database: Database, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "OMBUDS_TESTING"}
    env.update(
        DATABASE_URL=database.url,
        OMBUDS_DATA_DIR=str(data_dir),
        OMBUDS_SECRET_KEY="crash-test-key",
        DJANGO_SETTINGS_MODULE="ombuds.config.settings",
        OMBUDS_LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO / "src"),
    )
    return env


def run_until(env, log: Path, condition, *, timeout: float = 300) -> tuple[int, int]:
    """Start `ombuds fetch-mail --once`; SIGKILL it the moment `condition()` gives a
    number (what was reached), or let it finish. (exit code, number reached or -1)."""
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [*OMBUDS, "fetch-mail", "--once"], env=env, stdout=out, stderr=out, cwd=REPO
        )
    deadline = time.monotonic() + timeout
    try:
        while worker.poll() is None:
            reached = condition() if condition is not None else None
            if reached is not None:
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                return worker.returncode, reached
            if time.monotonic() > deadline:
                raise AssertionError(f"the worker did not finish:\n{log.read_text()[-3000:]}")
            time.sleep(0.01)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    return worker.returncode, -1


def put_in_mailbox(dovecot, user, emails) -> None:
    imap = dovecot.client(user)
    try:
        imap.create_folder("Archive")
        for start in range(0, len(emails), 100):
            imap.multiappend("INBOX", [e.raw for e in emails[start : start + 100]])
    finally:
        imap.logout()


def folder_ids(dovecot, user, folder: str) -> list[str]:
    imap = dovecot.client(user)
    try:
        imap.select_folder(folder, readonly=True)
        uids = imap.search("ALL")
        if not uids:
            return []
        rows = imap.fetch(uids, [b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
        return [
            next(v for k, v in row.items() if k.startswith(b"BODY["))
            .decode()
            .split(":", 1)[1]
            .strip()
            for row in rows.values()
        ]
    finally:
        imap.logout()


def lease_runs_out(database: Database) -> None:
    # A killed worker's lease on the mailbox would run out after two minutes; the test
    # does not wait for the clock.
    statement = "UPDATE intake_mailbox SET lease_expires_at = NULL, lease_owner = ''"
    if database.vendor == "sqlite3":
        conn = sqlite3.connect(database.path, timeout=30)
        with conn:
            conn.execute(statement)
        conn.close()
    else:
        import psycopg

        with psycopg.connect(database.url.replace("postgres://", "postgresql://", 1)) as conn:
            conn.execute(statement)


def test_a_worker_killed_mid_batch_leaves_each_email_exactly_one_message(
    dovecot, mail_user, crash_db, tmp_path
):
    emails = generate(EMAILS, seed=3)
    assert sum(e.answers is not None for e in emails) > EMAILS * 0.25
    assert sum(e.has_attachment for e in emails) > EMAILS * 0.07
    put_in_mailbox(dovecot, mail_user, emails)
    env = worker_env(crash_db, tmp_path / "data")
    log = tmp_path / "worker.log"
    setup = subprocess.run(
        [sys.executable, "-c", SETUP, dovecot.host, str(dovecot.port), mail_user, PASSWORD],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert setup.returncode == 0, setup.stderr[-3000:]

    # 1. Killed while storing: between 100 and 900 of the 1,000 are in the database.
    def storing():
        stored = crash_db.count()
        return stored if stored >= 100 else None

    code, stored_at_kill = run_until(env, log, storing)
    assert code == -signal.SIGKILL, log.read_text()[-3000:]
    assert 100 <= stored_at_kill <= 900
    stored_ids = {row[0] for row in crash_db.rows("SELECT external_id FROM intake_inboundmessage")}
    archived = folder_ids(dovecot, mail_user, "Archive")
    # Nothing left the inbox that was not stored first.
    assert set(archived) <= stored_ids
    assert len(archived) + len(folder_ids(dovecot, mail_user, "INBOX")) == EMAILS

    # 2. Killed while filing: some processed, the rest still pending.
    lease_runs_out(crash_db)

    def filing():
        done = crash_db.count("WHERE status = 'processed'")
        return done if 100 <= done <= 900 else None

    code, filed_at_kill = run_until(env, log, filing)
    assert code == -signal.SIGKILL, log.read_text()[-3000:]
    assert 100 <= filed_at_kill <= 900

    # 3. Run to the end.
    lease_runs_out(crash_db)
    code, _ = run_until(env, log, None)
    assert code == 0, log.read_text()[-3000:]

    expected = {e.message_id for e in emails}
    inbound = crash_db.rows("SELECT external_id, status FROM intake_inboundmessage")
    assert len(inbound) == EMAILS
    assert {eid for eid, _ in inbound} == expected
    assert Counter(status for _, status in inbound) == {"processed": EMAILS}

    messages = crash_db.rows(
        "SELECT m.external_id, m.case_id FROM conversations_message m "
        "JOIN core_workspace w ON w.id = m.workspace_id WHERE w.slug = 'crash'"
    )
    per_id = Counter(eid for eid, _ in messages)
    assert [eid for eid, n in per_id.items() if n > 1] == []  # none doubled
    assert set(per_id) == expected  # none missing
    case_of = dict(messages)
    misfiled = [
        e.message_id for e in emails if e.answers and case_of[e.message_id] != case_of[e.answers]
    ]
    assert misfiled == []
    threads = sum(1 for e in emails if e.answers is None)
    assert crash_db.rows(
        "SELECT COUNT(DISTINCT case_id) FROM conversations_message m "
        "JOIN core_workspace w ON w.id = m.workspace_id WHERE w.slug = 'crash'"
    ) == [(threads,)]

    assert folder_ids(dovecot, mail_user, "INBOX") == []
    assert sorted(folder_ids(dovecot, mail_user, "Archive")) == sorted(expected)
