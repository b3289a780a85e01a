"""`ombuds worker`: only the background worker, for running more of them beside the web."""

import logging
import signal

from django.core.management.base import BaseCommand, CommandError

from ombuds.core import runtime

# Long enough for a delivery in flight to finish, short enough for a container's grace period.
SHUTDOWN_TIMEOUT = 25.0


class Command(BaseCommand):
    help = (
        "Run the queue consumer only (outbox deliveries, periodic sweeps). Start as many "
        "as the load needs, on any machine that shares the database and the queue."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=None, help="Worker threads")
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="Do not schedule the periodic sweeps from this process "
            "(one scheduler is enough; running several is harmless, only wasteful)",
        )

    def handle(self, *args, workers, no_periodic, **options):
        huey = runtime.queue()
        if huey.immediate:
            raise CommandError(
                "The queue runs tasks inline (OMBUDS_TESTING=1 is set); a worker has "
                "nothing to consume. Unset it to run a worker."
            )
        runtime.register_tasks()
        logging.getLogger("huey").setLevel(logging.INFO)
        consumer = huey.create_consumer(
            **runtime.consumer_options(
                workers=workers,
                periodic=False if no_periodic else None,
                shutdown_timeout=SHUTDOWN_TIMEOUT,
            )
        )
        # Huey treats one of SIGINT/SIGTERM as "finish what you are doing" and the other as
        # "stop now". Both should finish: an orchestrator sends SIGTERM on every deploy,
        # and a delivery cut off mid-send would go out twice. A second signal still
        # interrupts.
        for signum in (signal.SIGINT, signal.SIGTERM):
            consumer._signal_actions[signum] = (False, True)
        self.stdout.write(
            f"Worker: {consumer.workers} {consumer.worker_type} worker(s), periodic tasks "
            f"{'off' if no_periodic else ', '.join(runtime.periodic_task_names(huey))}. "
            "Ctrl-C to stop."
        )
        self.stdout.flush()
        consumer.run()
