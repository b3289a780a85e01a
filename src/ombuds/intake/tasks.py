"""Background work of the intake. The queue only wakes a worker; the truth is the
pending `InboundMessage` rows, so a lost task or a killed worker is caught by the sweep."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .chat.presence import forget_stale_connections
from .chat.sessions import end_idle_chats
from .inbound import process_inbound, process_pending


@db_task()
def process_inbound_task(inbound_id: int) -> None:
    process_inbound(inbound_id)


@db_periodic_task(crontab(minute="*"))
def sweep_inbound() -> int:
    return process_pending()


@db_periodic_task(crontab(minute="*"))
def sweep_chats() -> int:
    """End chats left idle and forget the sockets of processes that died."""
    forget_stale_connections()
    return end_idle_chats()
