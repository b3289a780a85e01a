"""Running the desk as processes: the queue consumer beside the web server, or alone.

`ombuds serve` runs uvicorn in the main thread and the Huey consumer (workers and the
scheduler that fires periodic sweeps) in background threads of the same process, so one
command is a whole desk. `ombuds worker` runs only the consumer, for scaling out.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import autodiscover_modules
from huey.api import Huey
from huey.consumer import Consumer, ConsumerStopped

log = logging.getLogger(__name__)

# An idle queue is polled with growing pauses up to this; a reply written by an agent should
# leave within a couple of seconds even when the wake-up task was lost.
MAX_POLL_DELAY = 2.0
SHUTDOWN_TIMEOUT = 8.0


def queue() -> Huey:
    """The Huey instance configured in settings.HUEY (SQLite under var/, or Redis)."""
    from huey.contrib.djhuey import HUEY

    return HUEY


def consumer_options(**overrides) -> dict:
    """Consumer options from settings.HUEY["consumer"], with the caller's overrides."""
    options = {"workers": 2, "worker_type": "thread", "periodic": True}
    if isinstance(settings.HUEY, dict):
        options.update(settings.HUEY.get("consumer", {}))
    options.update({k: v for k, v in overrides.items() if v is not None})
    return options


def register_tasks() -> None:
    """Import every app's tasks.py, so the scheduler knows the periodic sweeps."""
    autodiscover_modules("tasks")


def periodic_task_names(huey: Huey) -> list[str]:
    return sorted(task.name for task in huey._registry.periodic_tasks)


class BackgroundConsumer:
    """A Huey consumer whose workers and scheduler run as threads of a host process.

    Huey's own `Consumer.run()` expects to own the main thread and its signal handlers;
    here the web server owns both, so the consumer's handlers are left out and the host
    calls `stop()` when it shuts down.
    """

    def __init__(self, huey: Huey, **options):
        options = {"worker_type": "thread", "max_delay": MAX_POLL_DELAY, **options}
        if options["worker_type"] != "thread":
            raise ValueError("A consumer inside another process runs thread workers only.")
        options.setdefault("shutdown_timeout", SHUTDOWN_TIMEOUT)
        self.huey = huey
        self.consumer: Consumer = huey.create_consumer(**options)
        # Signal handlers can only be set from the main thread, and they belong to the host.
        self.consumer._set_signal_handlers = lambda: None
        self._supervisor = threading.Thread(
            target=self._supervise, name="huey-supervisor", daemon=True
        )

    @property
    def workers(self) -> int:
        return self.consumer.workers

    def start(self) -> None:
        self.consumer.start()
        self._supervisor.start()

    def _supervise(self) -> None:
        # The consumer's own loop: replaces dead workers until the stop flag is set.
        checked_at = time.monotonic()
        while True:
            try:
                checked_at = self.consumer.loop(checked_at)
            except ConsumerStopped:
                return

    def stop(self) -> bool:
        """Let running tasks finish (up to the shutdown timeout); True when all stopped."""
        self.consumer.stop(graceful=True)
        self._supervisor.join(timeout=1.0)
        threads = [t for _, t in self.consumer.worker_threads] + [self.consumer.scheduler]
        stopped = not any(t.is_alive() for t in threads)
        self.huey.notify_interrupted_tasks()
        return stopped


class ShutdownRequest:
    """Remembers SIGINT/SIGTERM for the host process.

    uvicorn installs its own handlers while it serves and, once it has shut down, raises the
    captured signal again with the handlers it found. With these in place that second raise
    lands here instead of killing the process before the consumer is stopped.
    """

    def __init__(self, on_signal: Callable[[int], None] | None = None):
        self.received: int | None = None
        self._on_signal = on_signal

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._handle)

    def _handle(self, signum, frame) -> None:
        self.received = signum
        if self._on_signal is not None:
            self._on_signal(signum)
