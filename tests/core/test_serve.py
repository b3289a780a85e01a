"""`ombuds serve` and `ombuds worker`: one process that is a whole desk, and the queue
consumer that runs inside it."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from huey import MemoryHuey, crontab

from ombuds.config.cli import wants_demo
from ombuds.conversations.models import Delivery, DeliveryStatus
from ombuds.conversations.services import reply_to_customer
from ombuds.conversations.tasks import drain_outbox, sweep_outbox
from ombuds.core import runtime
from tests import builders

# Migrating a fresh database and loading the demo take about 40 s on a quiet 2-core
# machine; the margin is for a busy one. How long it took is printed either way.
READY_TIMEOUT = 180
STOP_TIMEOUT = 10


def test_serve_demo_is_requested_before_settings_load():
    assert wants_demo(["ombuds", "serve", "--demo", "--port", "8001"])
    assert not wants_demo(["ombuds", "serve", "--port", "8001"])
    assert not wants_demo(["ombuds", "migrate", "--demo"])


def test_a_busy_port_is_reported_before_anything_else():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"Cannot listen on 127.0.0.1:{port}"):
            call_command("serve", "--port", str(port))


def test_worker_refuses_a_queue_that_runs_tasks_inline():
    # Under test the queue is in immediate mode: a consumer would wait forever.
    with pytest.raises(CommandError, match="inline"):
        call_command("worker")


def test_the_outbox_sweep_is_scheduled_every_minute():
    runtime.register_tasks()
    assert any(
        name.endswith("sweep_outbox") for name in runtime.periodic_task_names(runtime.queue())
    )
    for minute in (0, 1, 29, 59):
        assert sweep_outbox.s().validate_datetime(datetime(2025, 6, 1, 14, minute))


def test_the_sweep_sends_a_queued_reply(db, settings, workspace, agent, buyer):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case = builders.case(workspace, requester=buyer, channel="email")
    reply = reply_to_customer(case=case, author=agent, body="Your tickets are on their way.")
    delivery = Delivery.objects.get(message=reply)
    assert delivery.status == DeliveryStatus.QUEUED

    tried = drain_outbox()

    assert tried == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert [m.to for m in mail.outbox] == [["bram@example.com"]]
    assert mail.outbox[0].subject.endswith(f"[{case.reference}]")


def test_background_consumer_runs_tasks_in_threads_and_stops():
    huey = MemoryHuey("serve-test", utc=True)
    ran = threading.Event()

    @huey.task()
    def wave():
        ran.set()
        return "done"

    @huey.periodic_task(crontab(minute="*"))
    def tick():
        pass

    consumer = runtime.BackgroundConsumer(huey, workers=2, periodic=True)
    consumer.start()
    try:
        result = wave()
        assert ran.wait(timeout=5)
        assert result.get(blocking=True, timeout=5) == "done"
        assert runtime.periodic_task_names(huey) == ["tick"]
    finally:
        began = time.monotonic()
        assert consumer.stop()
    assert time.monotonic() - began < 5


# --- the real thing: a subprocess serving the demo ------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ombuds_command() -> list[str]:
    script = Path(sys.executable).with_name("ombuds")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ombuds.config.cli"]


def _environment(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # The server gets its own embedded database and queue, not the test run's.
        if k not in {"DATABASE_URL", "OMBUDS_TESTING", "REDIS_URL", "OMBUDS_PUBLIC_URL", "PORT"}
    }
    env.update(OMBUDS_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", OMBUDS_LOG_LEVEL="WARNING")
    return env


class Output:
    """Collects a process's output on a thread, so a full pipe never blocks it."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line)

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def wait_for(self, needle: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text:
                return True
            time.sleep(0.2)
        return False


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait_until_healthy(base: str, server: subprocess.Popen, output: Output) -> float:
    began = time.monotonic()
    while time.monotonic() - began < READY_TIMEOUT:
        if server.poll() is not None:
            pytest.fail(f"serve exited with {server.returncode}:\n{output.text}")
        try:
            if _get(f"{base}/healthz")[0] == 200:
                return time.monotonic() - began
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"/healthz did not answer within {READY_TIMEOUT} s:\n{output.text}")


REPLY_FROM_ANOTHER_PROCESS = """
from ombuds.accounts.models import User
from ombuds.conversations.models import Case, Delivery
from ombuds.conversations.services import reply_to_customer
case = (Case.objects.filter(workspace__slug="resale", channel="email")
        .exclude(status="closed").order_by("number").first())
agent = User.objects.get(email="emma@demo.ombuds.test")
message = reply_to_customer(case=case, author=agent, body="Checking in: still on it for you.")
print(Delivery.objects.get(message=message).pk)
"""


def _delivery_status(data_dir: Path, delivery_id: int) -> str:
    with sqlite3.connect(data_dir / "ombuds.sqlite3", timeout=10) as db:
        row = db.execute(
            "SELECT status FROM conversations_delivery WHERE id = ?", (delivery_id,)
        ).fetchone()
    return row[0]


@pytest.mark.slow
def test_serve_demo_answers_delivers_and_stops_cleanly(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = _environment(tmp_path)
    server = subprocess.Popen(
        [*_ombuds_command(), "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = Output(server.stdout)
    try:
        _wait_until_healthy(base, server, output)

        status, body = _get(f"{base}/api/v1/openapi.json")
        assert status == 200
        assert "openapi" in json.loads(body)
        assert output.wait_for("Press Ctrl-C to stop.", timeout=10)
        for login in (
            "admin@demo.ombuds.test",
            "supervisor@demo.ombuds.test",
            "finance@demo.ombuds.test",
            "viewer@demo.ombuds.test",
            "ombuds-demo",
        ):
            assert login in output.text

        # An agent's reply written by another process is sent by this one's worker.
        written = subprocess.run(
            [*_ombuds_command(), "shell", "-c", REPLY_FROM_ANOTHER_PROCESS],
            env={**env, "OMBUDS_DEMO": "1"},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        delivery_id = int(written.stdout.strip().splitlines()[-1])
        deadline = time.monotonic() + 30
        while _delivery_status(tmp_path, delivery_id) == "queued":
            assert time.monotonic() < deadline, output.text
            time.sleep(0.5)
        assert _delivery_status(tmp_path, delivery_id) == "sent"
        assert output.wait_for("Checking in: still on it for you.", timeout=5)  # console mail
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            pytest.fail(f"serve did not stop within {STOP_TIMEOUT} s:\n{output.text}")
    assert server.returncode == 0, output.text
    assert "Stopped." in output.text
