"""A workspace's IMAP mailboxes: adding and editing them, who fetches one right now, and
how a failing server is retried.

Fetching takes a lease on the mailbox row (`claim_mailbox`): a conditional UPDATE that
only one worker can win, on SQLite and PostgreSQL alike, with no transaction held open
while the IMAP server is talked to. A worker renews its lease as it goes; one that is
killed simply lets it run out. The lease saves work, it is not what keeps mail from being
doubled: the unique external id of every stored payload does that (docs/adr/0026).
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.parser import BytesHeaderParser

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ombuds.conversations.models import Channel
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.core.models import Workspace

from .models import InboundMessage, Mailbox

# A lease outlives the slowest batch a healthy worker fetches between two renewals.
LEASE_SECONDS = 120
# After a failure the next attempt waits 1, 2, 4… minutes, at most an hour.
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 3600
ERROR_CHARS = 1000
SECURITY_CHOICES = ("ssl", "starttls", "plain")
# The external id under which an email too large to take in is recorded.
REFUSED_PREFIX = "too-large:"


@dataclass(frozen=True)
class MailboxSettings:
    """What an admin fills in for a mailbox. An empty password keeps the stored one."""

    address: str
    host: str
    port: int
    security: str  # "ssl", "starttls" or "plain"
    username: str
    password: str = ""
    folder: str = "INBOX"
    archive_folder: str = ""
    delete_after_fetch: bool = False
    is_active: bool = True


# --------------------------------------------------------------------------- selectors


def mailboxes_of(*, workspace: Workspace) -> list[Mailbox]:
    return list(Mailbox.objects.filter(workspace=workspace).order_by("address", "pk"))


def mailbox_of(*, workspace: Workspace, pk: int) -> Mailbox:
    mailbox = Mailbox.objects.filter(workspace=workspace, pk=pk).first()
    if mailbox is None:
        raise NotFound("mailbox", pk)
    return mailbox


@dataclass(frozen=True)
class RefusedEmail:
    received_at: datetime
    size: int
    sender: str
    subject: str
    reason: str


def refused_mail(*, workspace: Workspace, limit: int = 10) -> list[RefusedEmail]:
    """The latest emails left on a server because they were too large, newest first."""
    # The refusal's own id prefix keeps this an index range on (workspace, channel, id).
    rows = InboundMessage.objects.filter(
        workspace=workspace,
        channel=Channel.EMAIL,
        external_id__gte=REFUSED_PREFIX,
        external_id__lt=REFUSED_PREFIX[:-1] + chr(ord(REFUSED_PREFIX[-1]) + 1),
    ).order_by("-received_at", "-pk")[:limit]
    refused = []
    for row in rows:
        # Only the headers were kept: a few hundred bytes.
        headers = BytesHeaderParser(policy=policy.default).parsebytes(bytes(row.raw)[:8192])
        refused.append(
            RefusedEmail(
                received_at=row.received_at,
                size=row.size,
                sender=str(headers.get("From", ""))[:200],
                subject=str(headers.get("Subject", ""))[:200],
                reason=row.error,
            )
        )
    return refused


def due_mailbox_ids(*, now=None) -> list[int]:
    """Active mailboxes nobody is fetching and whose back-off (if any) has passed."""
    now = now or timezone.now()
    return list(
        Mailbox.objects.filter(is_active=True)
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def security_of(mailbox: Mailbox) -> str:
    if mailbox.use_ssl:
        return "ssl"
    return "starttls" if mailbox.starttls else "plain"


# --------------------------------------------------------------------------- services


def _check(spec: MailboxSettings, *, needs_password: bool) -> None:
    problems: dict[str, str] = {}
    if "@" not in spec.address:
        problems["address"] = "Enter the address customers write to."
    if not spec.host.strip():
        problems["host"] = "Enter the IMAP server's host name."
    if not 0 < spec.port < 65536:
        problems["port"] = "A port is a number from 1 to 65535."
    if spec.security not in SECURITY_CHOICES:
        problems["security"] = f"Choose one of {', '.join(SECURITY_CHOICES)}."
    if not spec.username.strip():
        problems["username"] = "Enter the user name to log in with."
    if needs_password and not spec.password:
        problems["password"] = "Enter the password."
    if not spec.folder.strip():
        problems["folder"] = "Enter the folder to fetch from, usually INBOX."
    if spec.archive_folder.strip() and spec.archive_folder.strip() == spec.folder.strip():
        problems["archive_folder"] = "The archive folder must differ from the one fetched."
    if spec.archive_folder.strip() and spec.delete_after_fetch:
        problems["delete_after_fetch"] = "Either move fetched mail or delete it, not both."
    if problems:
        raise ApplicationError(
            "invalid_mailbox", "Some settings need a look.", details=problems, status=422
        )


def _apply(mailbox: Mailbox, spec: MailboxSettings) -> None:
    mailbox.address = spec.address.strip().lower()
    mailbox.host = spec.host.strip()
    mailbox.port = spec.port
    mailbox.use_ssl = spec.security == "ssl"
    mailbox.starttls = spec.security == "starttls"
    mailbox.username = spec.username.strip()
    if spec.password:
        mailbox.password = spec.password
    mailbox.folder = spec.folder.strip()
    mailbox.archive_folder = spec.archive_folder.strip()
    mailbox.delete_after_fetch = spec.delete_after_fetch
    mailbox.is_active = spec.is_active


def draft_mailbox(
    *, workspace: Workspace, spec: MailboxSettings, based_on: Mailbox | None = None
) -> Mailbox:
    """An unsaved mailbox with these settings (the stored password when none is given),
    for testing the connection before saving."""
    _check(spec, needs_password=based_on is None)
    mailbox = Mailbox(workspace=workspace, password=based_on.password if based_on else "")
    _apply(mailbox, spec)
    return mailbox


@transaction.atomic
def create_mailbox(*, workspace: Workspace, spec: MailboxSettings) -> Mailbox:
    """Connect a mailbox: from the next poll on, its new mail becomes cases."""
    _check(spec, needs_password=True)
    mailbox = Mailbox(workspace=workspace)
    _apply(mailbox, spec)
    mailbox.save()
    return mailbox


@transaction.atomic
def update_mailbox(*, mailbox: Mailbox, spec: MailboxSettings) -> Mailbox:
    """Change a mailbox's settings. A new server or folder starts from its first message
    again (what was stored before is recognised and not doubled); a changed setting also
    ends any back-off, so the next poll tries at once."""
    _check(spec, needs_password=False)
    mailbox = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
    before = (mailbox.host, mailbox.port, mailbox.username, mailbox.folder)
    _apply(mailbox, spec)
    if (mailbox.host, mailbox.port, mailbox.username, mailbox.folder) != before:
        mailbox.uid_validity = None
        mailbox.last_uid = 0
    mailbox.failures = 0
    mailbox.retry_at = None
    mailbox.save()
    return mailbox


def lease_owner() -> str:
    """A name for this worker thread that no other worker shares."""
    return (
        f"{socket.gethostname()[:40]}:{os.getpid()}:{threading.get_ident() % 10**6}:"
        + (uuid.uuid4().hex[:8])
    )


def claim_mailbox(*, mailbox_id: int, owner: str, seconds: int = LEASE_SECONDS) -> bool:
    """Take the mailbox for `owner` unless someone else holds it; True when taken."""
    now = timezone.now()
    taken = (
        Mailbox.objects.filter(pk=mailbox_id, is_active=True)
        .filter(
            Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now) | Q(lease_owner=owner)
        )
        .update(lease_owner=owner, lease_expires_at=now + timedelta(seconds=seconds))
    )
    return taken == 1


def renew_lease(*, mailbox_id: int, owner: str, seconds: int = LEASE_SECONDS) -> bool:
    """Keep holding the mailbox; False when the lease was lost (it ran out and another
    worker took it, or the mailbox was switched off)."""
    return (
        Mailbox.objects.filter(pk=mailbox_id, lease_owner=owner, is_active=True).update(
            lease_expires_at=timezone.now() + timedelta(seconds=seconds)
        )
        == 1
    )


def release_mailbox(*, mailbox_id: int, owner: str) -> None:
    Mailbox.objects.filter(pk=mailbox_id, lease_owner=owner).update(
        lease_owner="", lease_expires_at=None
    )


def record_poll_success(*, mailbox_id: int) -> None:
    now = timezone.now()
    Mailbox.objects.filter(pk=mailbox_id).update(
        last_polled_at=now, last_success_at=now, last_error="", failures=0, retry_at=None
    )


def record_poll_failure(*, mailbox_id: int, error: str) -> Mailbox | None:
    """Keep the reason for people and push the next attempt back, longer each time."""
    with transaction.atomic():
        mailbox = Mailbox.objects.select_for_update().filter(pk=mailbox_id).first()
        if mailbox is None:
            return None
        now = timezone.now()
        mailbox.failures += 1
        delay = min(FIRST_RETRY_SECONDS * 2 ** min(mailbox.failures - 1, 12), MAX_RETRY_SECONDS)
        mailbox.retry_at = now + timedelta(seconds=delay)
        mailbox.last_polled_at = now
        mailbox.last_error = error[:ERROR_CHARS]
        mailbox.save(update_fields=["failures", "retry_at", "last_polled_at", "last_error"])
        return mailbox


def record_folder_state(*, mailbox_id: int, uid_validity: int, last_uid: int) -> None:
    Mailbox.objects.filter(pk=mailbox_id).update(uid_validity=uid_validity, last_uid=last_uid)
