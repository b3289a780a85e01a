"""Background work of automations. Each sweep reads indexed due-at rows, so its cost
follows what is due; the queue only wakes the workers, the rows are the truth."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .care import send_due_updates, sweep_overdue_transfers
from .notifications import send_due_emails
from .rules.timers import sweep_time_rules


@db_periodic_task(crontab(minute="*"))
def sweep_automation_timers() -> int:
    """Time rules that are due, then keep-in-the-loop updates that are due."""
    return sweep_time_rules() + send_due_updates()


@db_periodic_task(crontab(minute="*"))
def sweep_transfer_deadlines() -> int:
    return sweep_overdue_transfers()


@db_task()
def send_notification_emails() -> int:
    return send_due_emails()


@db_periodic_task(crontab(minute="*"))
def sweep_notification_emails() -> int:
    return send_due_emails()
