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

import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from tests.intake.mail_corpus import generate
from tests.intake.worker_process import OMBUDS, REPO, WorkerDatabase, prepare, worker_env

EMAILS = 1000


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


def lease_runs_out(database) -> None:
    # A killed worker's lease on the mailbox would run out after two minutes; the test
    # does not wait for the clock.
    database.execute("UPDATE intake_mailbox SET lease_expires_at = NULL, lease_owner = ''")


def test_a_worker_killed_mid_batch_leaves_each_email_exactly_one_message(
    dovecot, mail_user, tmp_path
):
    with WorkerDatabase(tmp_path) as database:
        _kill_twice_and_finish(dovecot, mail_user, database, tmp_path)


def _kill_twice_and_finish(dovecot, mail_user, database, tmp_path) -> None:
    emails = generate(EMAILS, seed=3)
    assert sum(e.answers is not None for e in emails) > EMAILS * 0.25
    assert sum(e.has_attachment for e in emails) > EMAILS * 0.07
    put_in_mailbox(dovecot, mail_user, emails)
    env = worker_env(database, tmp_path / "data")
    log = tmp_path / "worker.log"
    prepare(env, dovecot, mail_user, archive_folder="Archive")

    # 1. Killed while storing: between 100 and 900 of the 1,000 are in the database.
    def storing():
        stored = database.count()
        return stored if stored >= 100 else None

    code, stored_at_kill = run_until(env, log, storing)
    assert code == -signal.SIGKILL, log.read_text()[-3000:]
    assert 100 <= stored_at_kill <= 900
    stored_ids = {row[0] for row in database.rows("SELECT external_id FROM intake_inboundmessage")}
    archived = folder_ids(dovecot, mail_user, "Archive")
    # Nothing left the inbox that was not stored first.
    assert set(archived) <= stored_ids
    assert len(archived) + len(folder_ids(dovecot, mail_user, "INBOX")) == EMAILS

    # 2. Killed while filing: some processed, the rest still pending.
    lease_runs_out(database)

    def filing():
        done = database.count("WHERE status = 'processed'")
        return done if 100 <= done <= 900 else None

    code, filed_at_kill = run_until(env, log, filing)
    assert code == -signal.SIGKILL, log.read_text()[-3000:]
    assert 100 <= filed_at_kill <= 900

    # 3. Run to the end.
    lease_runs_out(database)
    code, _ = run_until(env, log, None)
    assert code == 0, log.read_text()[-3000:]

    expected = {e.message_id for e in emails}
    inbound = database.rows("SELECT external_id, status FROM intake_inboundmessage")
    assert len(inbound) == EMAILS
    assert {eid for eid, _ in inbound} == expected
    assert Counter(status for _, status in inbound) == {"processed": EMAILS}

    messages = database.rows(
        "SELECT m.external_id, m.case_id FROM conversations_message m "
        "JOIN core_workspace w ON w.id = m.workspace_id WHERE w.slug = 'worker'"
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
    assert database.rows(
        "SELECT COUNT(DISTINCT case_id) FROM conversations_message m "
        "JOIN core_workspace w ON w.id = m.workspace_id WHERE w.slug = 'worker'"
    ) == [(threads,)]

    assert folder_ids(dovecot, mail_user, "INBOX") == []
    assert sorted(folder_ids(dovecot, mail_user, "Archive")) == sorted(expected)
