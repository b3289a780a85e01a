"""Background work of disputes: the deadline sweep, every minute. The queue only wakes
it; the deadlines are indexed columns, so a lost run only delays."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def sweep_dispute_deadlines() -> dict[str, int]:
    from .services.sweep import sweep_due_disputes

    return sweep_due_disputes()
