"""Routing's background work: the periodic sweep behind every wake-up. The queue only
triggers it; the truth is in the backlog rows and the profiles' hand-over flags."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import sweep


@db_periodic_task(crontab(minute="*"))
def sweep_routing() -> dict[str, int]:
    return sweep()
