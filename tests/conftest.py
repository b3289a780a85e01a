from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from tests import builders
from tests.intake.dovecot import dovecot, mail_user  # noqa: F401  (IMAP tests' Dovecot)


@pytest.fixture(autouse=True)
def _attachments_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments")},
        },
    }


@pytest.fixture(autouse=True)
def _postgres_only(request):
    if request.node.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: parallel writers with row locks; SQLite has one writer")


@pytest.fixture(autouse=True)
def _empty_cache():
    # Ids repeat between tests (each rolls back), so a cached value would leak across.
    cache.clear()


@pytest.fixture
def workspace(db):
    return builders.workspace("resale", prefix="RES")


@pytest.fixture
def other_workspace(db):
    return builders.workspace("other", prefix="OTH")


@pytest.fixture
def agent(workspace):
    return builders.member(workspace, "agent@resale.test", role="agent", name="Anna Agent")


@pytest.fixture
def buyer(workspace):
    return builders.party(workspace, "B-1", name="Bram Buyer", email="bram@example.com")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # The live chat browser test serves the test database from uvicorn's threads, each with
    # its own connection; SQLite's in-memory test database cannot be shared like that, a
    # file can (in WAL mode, one writer beside many readers).
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not database["TEST"].get("NAME"):
        database["TEST"]["NAME"] = str(settings.DATA_DIR / "test_database.sqlite3")


class MovingClock:
    """What timezone.now() answers while a test runs: services stamp rows with it."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """Time stands still at Monday 7 December 2026, 10:00 in Amsterdam until the test
    moves it: deadlines and business hours become exact."""
    moving = MovingClock(datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam")))
    monkeypatch.setattr(timezone, "now", moving)
    return moving
