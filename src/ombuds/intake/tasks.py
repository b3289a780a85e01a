"""Background work of the intake. The queue only wakes a worker; the truth is the
pending `InboundMessage` rows, so a lost task or a killed worker is caught by the sweep."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .chat.presence import forget_stale_connections
from .chat.sessions import end_idle_chats
from .email.imap import fetch_mailbox
from .inbound import process_inbound, process_pending, process_woken
from .mailboxes import due_mailbox_ids


@db_task()
def process_inbound_task(inbound_id: int) -> None:
    process_inbound(inbound_id)


@db_task()
def process_inbound_batch_task(inbound_ids: list[int]) -> int:
    return process_woken(inbound_ids)


@db_periodic_task(crontab(minute="*"))
def sweep_inbound() -> int:
    return process_pending()


@db_periodic_task(crontab(minute="*"))
def sweep_chats() -> int:
    """End chats left idle and forget the sockets of processes that died."""
    forget_stale_connections()
    return end_idle_chats()


@db_task()
def fetch_mailbox_task(mailbox_id: int) -> None:
    # Takes the mailbox's lease first: a second task for the same mailbox, or an
    # `ombuds fetch-mail --idle` watching it, makes this one return at once.
    fetch_mailbox(mailbox_id)


@db_periodic_task(crontab(minute="*"))
def poll_mailboxes() -> int:
    """Every minute, one fetch task per active mailbox that is not failing or being
    fetched already; the stored mail is then filed by the tasks `accept` wakes."""
    due = due_mailbox_ids()
    for mailbox_id in due:
        fetch_mailbox_task(mailbox_id)
    return len(due)
