import pytest
from django.core.cache import cache
from django.db import connection

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
