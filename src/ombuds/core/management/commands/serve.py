"""`ombuds serve`: the whole desk in one process — web, background worker and scheduler."""

from __future__ import annotations

import os
import socket
import time

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ombuds.core import runtime

DEFAULT_PORT = 8000


class DeskServer(uvicorn.Server):
    """uvicorn, telling us the moment it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_ready):
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_ready()


class Command(BaseCommand):
    help = (
        "Run the desk: web server, background worker and scheduler in one process. "
        "Migrates the database first; --demo also loads the demo marketplace."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on")
        parser.add_argument(
            "--port", type=int, default=None, help=f"Port (default: $PORT or {DEFAULT_PORT})"
        )
        parser.add_argument(
            "--demo", action="store_true", help="Load the demo marketplace and print its logins"
        )
        parser.add_argument("--workers", type=int, default=None, help="Background worker threads")

    def handle(self, *args, host, port, demo, workers, **options):
        began = time.monotonic()
        port = self._port(port)
        # Bind before anything slow, so a busy port is reported at once, not after migrating.
        listener = self._listen(host, port)
        try:
            self._prepare_database()
            demo_loaded = self._load_demo() if demo else None
            self._point_links_at(host, port)
            worker = self._start_worker(workers)
            try:
                self._serve(listener, host, port, worker, demo_loaded, began)
            finally:
                if worker is not None:
                    self._say("Stopping the background worker…")
                    if not worker.stop():
                        self._say("  (a task was still running and was interrupted)")
        finally:
            listener.close()
        self._say("Stopped.")

    def _port(self, port: int | None) -> int:
        if port is not None:
            return port
        raw = os.environ.get("PORT", "").strip() or str(DEFAULT_PORT)
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise CommandError(f"PORT={raw!r} is not a port number.")
        return int(raw)

    def _listen(self, host: str, port: int) -> socket.socket:
        try:
            family, kind, proto, _, address = socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )[0]
            listener = socket.socket(family, kind, proto)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(address)
        except OSError as exc:
            raise CommandError(
                f"Cannot listen on {host}:{port} ({exc.strerror or exc}). "
                f"Is another server running there? Try --port {port + 1}."
            ) from exc
        listener.set_inheritable(True)
        return listener

    def _prepare_database(self) -> None:
        db = settings.DATABASES["default"]
        self._say(f"Database: {connection.vendor} {db['NAME']}")
        # A fresh data directory is a working desk after this; later starts are a no-op.
        call_command("migrate", interactive=False, verbosity=0)

    def _load_demo(self) -> bool:
        from ombuds.demo import load_demo

        outcome = load_demo(progress=self._say)
        if outcome.created:
            self._say(f"Demo marketplace loaded in {outcome.seconds:.1f} s.")
        else:
            self._say("Demo marketplace already loaded; keeping it as it is.")
        return outcome.created

    def _point_links_at(self, host: str, port: int) -> None:
        # Magic links and email footers should point at where this process listens,
        # unless the operator said otherwise.
        if not os.environ.get("OMBUDS_PUBLIC_URL"):
            settings.OMBUDS_PUBLIC_URL = _base_url(host, port)

    def _start_worker(self, workers: int | None) -> runtime.BackgroundConsumer | None:
        huey = runtime.queue()
        if huey.immediate:
            self._say("Background worker: off (the queue runs tasks inline in test mode).")
            return None
        runtime.register_tasks()
        options = runtime.consumer_options(workers=workers)
        options.pop("worker_type", None)
        worker = runtime.BackgroundConsumer(huey, **options)
        worker.start()
        periodic = ", ".join(runtime.periodic_task_names(huey)) or "none"
        self._say(f"Background worker: {worker.workers} thread(s); periodic tasks: {periodic}.")
        return worker

    def _serve(self, listener, host, port, worker, demo_loaded, began) -> None:
        config = uvicorn.Config(
            "ombuds.config.asgi:application",
            # Django's ASGI handler does not speak the lifespan protocol.
            lifespan="off",
            # Chat frames are small; a larger one is refused by the protocol layer before
            # it is buffered (the consumers refuse anything past 16 KiB with an error frame).
            ws_max_size=256 * 1024,
            log_level=os.environ.get("OMBUDS_LOG_LEVEL", "info").lower(),
            timeout_graceful_shutdown=5,
        )
        shutdown = runtime.ShutdownRequest()
        shutdown.install()
        server = DeskServer(config, on_ready=lambda: self._announce(host, port, demo_loaded, began))
        server.run(sockets=[listener])

    def _announce(self, host: str, port: int, demo_loaded: bool | None, began: float) -> None:
        base = _base_url(host, port)
        lines = [
            "",
            f"Ombuds is ready at {base}/  (started in {time.monotonic() - began:.1f} s)",
            f"  agent desk    {base}/",
            f"  API docs      {base}/api/v1/docs",
            f"  health        {base}/healthz",
        ]
        if demo_loaded is not None:
            from ombuds.demo import DEMO_PASSWORD, HELP_CENTER_SLUG, demo_logins

            lines.insert(3, f"  help center   {base}/help/{HELP_CENTER_SLUG}/")
            lines += ["", f"Demo logins — password for all: {DEMO_PASSWORD}"]
            lines += [f"  {role:<11} {email}{note}" for role, email, note in demo_logins()]
        lines += ["", "Press Ctrl-C to stop.", ""]
        self._say("\n".join(lines))

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()


def _base_url(host: str, port: int) -> str:
    # 0.0.0.0 and :: mean "every address"; a browser needs one it can open.
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"
