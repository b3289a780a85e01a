"""Background work of the intake. The queue only wakes a worker; the truth is the
pending `InboundMessage` rows, so a lost task or a killed worker is caught by the sweep."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .inbound import process_inbound, process_pending


@db_task()
def process_inbound_task(inbound_id: int) -> None:
    process_inbound(inbound_id)


@db_periodic_task(crontab(minute="*"))
def sweep_inbound() -> int:
    return process_pending()
