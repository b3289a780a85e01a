"""Reading ahead in a helper process (intake.prepare) changes how fast a backlog is
filed, never what it becomes: the same cases, messages, attachments, events and clocks
as the worker reading every email itself, and the same when the helper dies."""

import logging
import os
import signal
import subprocess
import sys
import time

import pytest

from ombuds.intake import prepare
from ombuds.intake.inbound import process_pending, process_woken
from ombuds.intake.models import InboundMessage, InboundStatus
from tests.intake.mail_corpus import generate
from tests.intake.test_batch_filing import EMAILS, configure, outcome, store


@pytest.fixture
def read_ahead(settings):
    """Every backlog read ahead, by a helper that is up before the first batch."""
    settings.OMBUDS_PREPARE_FROM = 1
    assert prepare.start(wait=True)
    yield
    prepare.shut_down()


def test_a_backlog_read_ahead_files_as_the_worker_alone(workspace, other_workspace, settings):
    emails = generate(EMAILS, seed=11)
    assert sum(1 for e in emails if e.has_attachment) >= 5  # files travel through the helper
    for ws in (workspace, other_workspace):
        configure(ws)

    settings.OMBUDS_PREPARE_PROCESSES = 0
    store(workspace, emails)
    assert process_pending() == EMAILS
    alone = outcome(workspace)

    settings.OMBUDS_PREPARE_PROCESSES = 1
    settings.OMBUDS_PREPARE_FROM = 1
    assert prepare.start(wait=True)
    try:
        store(other_workspace, emails)
        assert process_pending() == EMAILS
    finally:
        prepare.shut_down()
    helped = outcome(other_workspace)

    assert {status for status, *_ in helped["rows"]} == {InboundStatus.PROCESSED}
    for key in ("rows", "cases", "tags", "messages", "attachments", "events", "clocks"):
        assert helped[key] == alone[key], key


def test_a_helper_that_dies_leaves_the_worker_reading_for_itself(workspace, read_ahead, caplog):
    emails = generate(120, seed=3)
    store(workspace, emails)
    pool = prepare._helper()
    for process in list(pool._processes.values()):
        process.kill()
        process.join()

    with caplog.at_level(logging.WARNING, logger="ombuds.intake.prepare"):
        assert process_pending() == 120
    assert {status for status, *_ in outcome(workspace)["rows"]} == {InboundStatus.PROCESSED}
    assert "reading in the worker instead" in caplog.text
    # The next backlog starts a new helper.
    assert prepare._helper() is not pool


def test_a_payload_the_helper_cannot_read_is_read_and_recorded_by_the_worker(workspace):
    prepared = prepare.prepare_payloads(
        [(1, "email", generate(1, seed=1)[0].raw), (2, "email", None), (3, "telegram", b"{}")]
    )
    assert set(prepared) == {1}  # the broken one is left to the worker; telegram reads itself


def test_a_wake_up_with_a_backlog_behind_it_drains_the_backlog(workspace, settings):
    """A mailbox's first fetch stores thousands, fifty to a wake-up: the first task to
    find them waiting files them all, read ahead, rather than fifty per task."""
    settings.OMBUDS_PREPARE_PROCESSES = 0
    settings.OMBUDS_PREPARE_FROM = 100
    few = store(workspace, generate(30, seed=4))
    assert process_woken([few[0].pk]) == 1
    assert InboundMessage.objects.filter(status=InboundStatus.PENDING).count() == 29

    store(workspace, generate(130, seed=5))
    assert process_woken([few[1].pk]) == 1 + 158
    assert not InboundMessage.objects.filter(status=InboundStatus.PENDING).exists()


HELPED_WORKER = """
import os, sys, time
import django
django.setup()
from ombuds.intake import prepare
assert prepare.start(wait=True)
print(*prepare._pool._processes, flush=True)
time.sleep(60)
"""


def test_a_worker_killed_outright_takes_its_helper_with_it(tmp_path):
    env = {**os.environ, "OMBUDS_DATA_DIR": str(tmp_path), "OMBUDS_PREPARE_PROCESSES": "1"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    worker = subprocess.Popen(
        [sys.executable, "-c", HELPED_WORKER], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        helper = int(worker.stdout.readline())
        os.kill(helper, 0)  # running
    finally:
        worker.kill()
        worker.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(helper, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(helper, signal.SIGKILL)
    pytest.fail("the helper outlived its worker")
