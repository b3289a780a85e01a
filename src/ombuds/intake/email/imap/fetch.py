"""Fetching new mail from a mailbox: sizes and Message-IDs first, download, store and
commit, then flag, move or delete on the server (see the package's docstring)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from imapclient import DELETED, SEEN, IMAPClient

from ombuds.conversations.models import Channel

from ... import mailboxes
from ...inbound import accept_many, digest, refuse, wake_processing
from ...models import InboundMessage, Mailbox
from ..read import external_id_of
from .session import MailboxError, close_session, connect, explain, open_folder

log = logging.getLogger(__name__)

# Messages asked about per round trip, and how much a single download may carry.
FETCH_BATCH = 50
DOWNLOAD_BYTES = 8 * 1024 * 1024
# Enough of the header to recognise a message and to tell people who sent a refused one.
HEADER_ITEM = b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID FROM TO SUBJECT DATE)]"
# A refused message is recorded under an id of its own, so that once the limit is raised
# the message itself is stored under its Message-ID like any other.
REFUSED_PREFIX = mailboxes.REFUSED_PREFIX


@dataclass
class FetchReport:
    """What one fetch of one mailbox did."""

    mailbox_id: int
    found: int = 0
    stored: int = 0
    already_stored: int = 0
    refused: int = 0
    rescanned: bool = False
    skipped: bool = False  # another worker was fetching it
    error: str = ""
    stored_ids: list[int] = field(default_factory=list)

    def add(self, other: FetchReport) -> None:
        self.found += other.found
        self.stored += other.stored
        self.already_stored += other.already_stored
        self.refused += other.refused
        self.rescanned = self.rescanned or other.rescanned
        self.stored_ids += other.stored_ids


# --------------------------------------------------------------------------- fetching


def fetch_mailbox(mailbox_id: int, *, owner: str | None = None) -> FetchReport:
    """Fetch one mailbox's new mail, if no other worker is at it: store, then flag.

    Failures do not raise: they are recorded on the mailbox (shown on its page) and the
    next attempt is pushed back.
    """
    owner = owner or mailboxes.lease_owner()
    report = FetchReport(mailbox_id=mailbox_id)
    if not mailboxes.claim_mailbox(mailbox_id=mailbox_id, owner=owner):
        report.skipped = True
        return report
    where = "the server"
    try:
        mailbox = Mailbox.objects.select_related("workspace").get(pk=mailbox_id)
        where = f"{mailbox.host}:{mailbox.port}"
        imap = connect(mailbox)
        try:
            report.add(fetch_new(imap, mailbox, owner=owner))
        finally:
            close_session(imap)
    except Exception as exc:
        if isinstance(exc, Undelivered):
            report.add(exc.report)
        report.error = record_failure(mailbox_id, exc, where=where)
    else:
        mailboxes.record_poll_success(mailbox_id=mailbox_id)
    finally:
        mailboxes.release_mailbox(mailbox_id=mailbox_id, owner=owner)
    return report


def record_failure(mailbox_id: int, exc: Exception, *, where: str = "the server") -> str:
    """Note on the mailbox why fetching failed (and back off); the reason, for people."""
    error = explain(exc, where)
    if error.code in ("imap_failed", "imap_protocol"):
        log.warning("mailbox fetch failed", exc_info=exc, extra={"mailbox": mailbox_id})
    else:
        log.info("mailbox unavailable: %s", error.message, extra={"mailbox": mailbox_id})
    mailboxes.record_poll_failure(mailbox_id=mailbox_id, error=error.message)
    return error.message


class LeaseLost(MailboxError):
    def __init__(self) -> None:
        super().__init__("imap_lease_lost", "Another worker took over this mailbox.")


def fetch_new(
    imap: IMAPClient, mailbox: Mailbox, *, owner: str | None = None, batch: int = FETCH_BATCH
) -> FetchReport:
    """Store and then flag every message that arrived since the last fetch, on an open
    session. Renews `owner`'s lease between batches and stops if it was lost."""
    report = FetchReport(mailbox_id=mailbox.pk)
    state = open_folder(imap, mailbox)
    if mailbox.uid_validity != state.uid_validity:
        # A first fetch, or the server renumbered the folder: start from its beginning.
        report.rescanned = mailbox.uid_validity is not None
        if report.rescanned:
            log.info("UIDVALIDITY changed; rescanning", extra={"mailbox": mailbox.pk})
        mailbox.uid_validity, mailbox.last_uid = state.uid_validity, 0
        mailboxes.record_folder_state(
            mailbox_id=mailbox.pk, uid_validity=state.uid_validity, last_uid=0
        )
    if state.exists == 0 or (state.uid_next and state.uid_next <= mailbox.last_uid + 1):
        return report
    criteria = ["UID", f"{mailbox.last_uid + 1}:*"]
    if not (mailbox.archive_folder or mailbox.delete_after_fetch):
        # Where fetched mail stays in the folder, \Seen is what marks it done: mail a
        # person read there before (years of it, when a mailbox is first connected)
        # is left alone. Moved or deleted mail leaves only new mail behind.
        criteria.insert(0, "UNSEEN")
    # "n:*" always matches the last message, even when its UID is below n.
    found = imap.search(criteria)
    uids = sorted(uid for uid in found if uid > mailbox.last_uid)
    report.found = len(uids)
    for start in range(0, len(uids), batch):
        if owner is not None and not mailboxes.renew_lease(mailbox_id=mailbox.pk, owner=owner):
            raise LeaseLost()
        chunk = uids[start : start + batch]
        try:
            report.add(_fetch_batch(imap, mailbox, chunk))
        except Undelivered as stuck:
            # The rest of the batch is stored and done; the next fetch starts at the
            # message the server would not send.
            report.add(stuck.report)
            stuck.report = report  # what this whole fetch did, for the caller
            mailboxes.record_folder_state(
                mailbox_id=mailbox.pk, uid_validity=state.uid_validity, last_uid=stuck.uid - 1
            )
            raise
        mailbox.last_uid = chunk[-1]
        mailboxes.record_folder_state(
            mailbox_id=mailbox.pk, uid_validity=state.uid_validity, last_uid=mailbox.last_uid
        )
    return report


class Undelivered(MailboxError):
    """The server listed a message but would not send it."""

    def __init__(self, uid: int, report: FetchReport) -> None:
        super().__init__(
            "imap_protocol", f"The server did not send the message with UID {uid}; retrying."
        )
        self.uid = uid
        self.report = report


@dataclass
class _Seen:
    uid: int
    size: int
    header: bytes
    external_id: str  # "" when only the whole message can tell (no Message-ID)


def _fetch_batch(imap: IMAPClient, mailbox: Mailbox, uids: list[int]) -> FetchReport:
    report = FetchReport(mailbox_id=mailbox.pk)
    seen = _sizes_and_ids(imap, uids)
    known = _stored_ids(mailbox, [s.external_id for s in seen if s.external_id])
    limit = settings.OMBUDS_MAX_INBOUND_BYTES
    too_large = {s.uid for s in seen if s.size > limit}
    wanted = [s for s in seen if s.size <= limit and s.external_id not in known]
    done = [s.uid for s in seen if s.size <= limit and s.external_id in known]
    report.already_stored = len(done)
    bodies = dict(_download(imap, wanted))
    missing = {s.uid for s in wanted if s.uid not in bodies}
    # Usually expunged by another client between two commands: nothing left to store.
    # One that is still there points at a fault on the server's side.
    stuck = (
        sorted(set(imap.search(["UID", ",".join(map(str, sorted(missing)))])) & missing)
        if missing
        else []
    )
    source = f"mailbox:{mailbox.pk}"
    with transaction.atomic():
        for item in seen:
            if item.uid in too_large:
                report.refused += _refuse_too_large(mailbox, item, source)
        arrived = [item for item in seen if item.uid not in too_large and item.uid in bodies]
        stored = accept_many(
            workspace=mailbox.workspace,
            channel=Channel.EMAIL,
            payloads=[(bodies[i.uid], external_id_of(bodies[i.uid])) for i in arrived],
            source=source,
        )
        for item, result in zip(arrived, stored, strict=True):
            if result.refusal is not None:  # larger than the server said
                reason = result.refusal.message
                report.refused += _refuse_too_large(mailbox, item, source, reason=reason)
                continue
            done.append(item.uid)
            if result.created:
                report.stored += 1
                report.stored_ids.append(result.inbound.pk)
            else:
                report.already_stored += 1
    # Committed: a worker may file them, and only now may the server forget them.
    wake_processing(report.stored_ids)
    _finish(imap, mailbox, sorted(done))
    if stuck:
        raise Undelivered(stuck[0], report)
    return report


def _sizes_and_ids(imap: IMAPClient, uids: list[int]) -> list[_Seen]:
    answer = imap.fetch(uids, [b"RFC822.SIZE", HEADER_ITEM])
    seen = []
    for uid in uids:
        row = answer.get(uid)
        if row is None:
            continue  # expunged meanwhile
        header = next((v for k, v in row.items() if k.startswith(b"BODY[HEADER")), b"") or b""
        external_id = external_id_of(header) if header.strip() else ""
        if external_id == digest(header):  # no Message-ID: the whole message decides
            external_id = ""
        seen.append(_Seen(uid, int(row.get(b"RFC822.SIZE") or 0), header, external_id))
    return seen


def _stored_ids(mailbox: Mailbox, external_ids: list[str]) -> set[str]:
    if not external_ids:
        return set()
    return set(
        InboundMessage.objects.filter(
            workspace_id=mailbox.workspace_id, channel=Channel.EMAIL, external_id__in=external_ids
        ).values_list("external_id", flat=True)
    )


def _download(imap: IMAPClient, wanted: list[_Seen]) -> Iterator[tuple[int, bytes]]:
    group: list[int] = []
    size = 0
    for item in [*wanted, None]:
        if item is not None and (not group or size + item.size <= DOWNLOAD_BYTES):
            group.append(item.uid)
            size += item.size
            continue
        if group:
            for uid, row in imap.fetch(group, [b"BODY.PEEK[]"]).items():
                if row.get(b"BODY[]") is not None:
                    yield uid, bytes(row[b"BODY[]"])
        group, size = ([item.uid], item.size) if item is not None else ([], 0)


def _refuse_too_large(mailbox: Mailbox, item: _Seen, source: str, reason: str = "") -> int:
    limit = settings.OMBUDS_MAX_INBOUND_BYTES
    reason = reason or (
        f"The email is {item.size:,} bytes; at most {limit:,} are taken in. It was left "
        f"on the server, unread."
    )
    _row, created = refuse(
        workspace=mailbox.workspace,
        channel=Channel.EMAIL,
        external_id=REFUSED_PREFIX + (item.external_id or digest(item.header)),
        excerpt=item.header,
        size=item.size,
        outcome="too_large",
        reason=reason,
        source=source,
    )
    if created:
        log.info("email too large, left on server", extra={"mailbox": mailbox.pk})
    return 1 if created else 0


def _finish(imap: IMAPClient, mailbox: Mailbox, uids: list[int]) -> None:
    """Tell the server these messages are safely stored, the way the mailbox asks."""
    if not uids:
        return
    if mailbox.archive_folder:
        if imap.has_capability("MOVE"):
            imap.move(uids, mailbox.archive_folder)
            return
        imap.copy(uids, mailbox.archive_folder)
        _delete(imap, uids)
    elif mailbox.delete_after_fetch:
        _delete(imap, uids)
    else:
        imap.add_flags(uids, [SEEN], silent=True)


def _delete(imap: IMAPClient, uids: list[int]) -> None:
    imap.add_flags(uids, [DELETED], silent=True)
    if imap.has_capability("UIDPLUS"):
        imap.uid_expunge(uids)
    else:
        # Without UIDPLUS, EXPUNGE also removes what others marked deleted in this
        # folder; that is what they asked for, only sooner.
        imap.expunge()
