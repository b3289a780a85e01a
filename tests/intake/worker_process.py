"""A worker in a process of its own, on a database of its own that a test reads too.

pytest-django's test database is of no use to a second process (on SQLite it lives in
memory; on both it sits inside a transaction that is never committed). So the worker gets
a fresh one: a SQLite file, or a new PostgreSQL database beside the test database, named
after it. The test reads it with plain SQL.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.conf import settings

from tests.intake.dovecot import PASSWORD

REPO = Path(__file__).resolve().parents[2]
OMBUDS = [sys.executable, "-m", "ombuds.config.cli"]

SETUP = """
import django, sys
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from ombuds.accounts.services import create_workspace
from ombuds.intake.mailboxes import MailboxSettings, create_mailbox
ws = create_workspace(slug="worker", name="Worker", case_prefix="WRK")
mailbox = create_mailbox(workspace=ws, spec=MailboxSettings(
    address="support@worker.test", host=sys.argv[1], port=int(sys.argv[2]),
    security="plain", username=sys.argv[3], password=sys.argv[4], archive_folder=sys.argv[5]))
print(mailbox.pk)
"""


class WorkerDatabase:
    """The worker's database, read from here with plain SQL."""

    def __init__(self, tmp_path: Path):
        url = os.environ.get("DATABASE_URL", "")
        self.vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        if self.vendor == "sqlite3":
            self.path = tmp_path / "worker.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            parts = urlsplit(url)
            self.name = (dj_database_url.parse(url)["NAME"] + "_worker")[:63]
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

    def execute(self, statement: str) -> None:
        if self.vendor == "sqlite3":
            conn = sqlite3.connect(self.path, timeout=30)
            with conn:
                conn.execute(statement)
            conn.close()
            return
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as conn:
            conn.execute(statement)

    def count(self, where: str = "") -> int:
        return self.rows(f"SELECT COUNT(*) FROM intake_inboundmessage {where}")[0][0]

    def __enter__(self) -> WorkerDatabase:
        return self

    def __exit__(self, *exc) -> None:
        self.drop()

    def drop(self) -> None:
        if self.vendor != "sqlite3":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def worker_env(database: WorkerDatabase, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "OMBUDS_TESTING"}
    env.update(
        DATABASE_URL=database.url,
        OMBUDS_DATA_DIR=str(data_dir),
        OMBUDS_SECRET_KEY="worker-test-key",
        DJANGO_SETTINGS_MODULE="ombuds.config.settings",
        OMBUDS_LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO / "src"),
    )
    return env


def prepare(env: dict, dovecot, user: str, *, archive_folder: str = "") -> None:
    """Migrate the worker's database and give it a workspace with one mailbox on `user`."""
    setup = subprocess.run(
        [sys.executable, "-c", SETUP, dovecot.host, str(dovecot.port), user, PASSWORD,
         archive_folder],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr[-3000:]
