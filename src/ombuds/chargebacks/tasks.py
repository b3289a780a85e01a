"""Background work of chargebacks. The queue only wakes a worker: the truth is the
pending event rows, the queued provider calls and the deadline columns, each swept."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .receiving import process_event, process_pending_events


@db_task()
def process_psp_event(event_id: int) -> None:
    process_event(event_id)


@db_periodic_task(crontab(minute="*"))
def sweep_psp_events() -> int:
    return process_pending_events()


@db_task()
def send_due_psp_calls() -> int:
    from .outbox import send_due

    return send_due()


@db_periodic_task(crontab(minute="*"))
def sweep_psp_calls() -> int:
    from .outbox import send_due

    return send_due()


@db_periodic_task(crontab(minute="*"))
def sweep_chargeback_deadlines() -> int:
    from .services.deadlines import sweep_deadlines

    return sweep_deadlines()
