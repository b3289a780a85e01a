"""Talking to an IMAP server: connecting (SSL/TLS, STARTTLS or plain), logging in,
opening a folder, testing a mailbox's settings, and saying clearly what went wrong."""

from __future__ import annotations

import contextlib
import socket
import ssl
from dataclasses import dataclass, field

from django.conf import settings
from imapclient import IMAPClient
from imapclient.exceptions import CapabilityError, IMAPClientError, LoginError
from imapclient.imapclient import SocketTimeout

from ombuds.core.errors import ApplicationError

from ...models import Mailbox

CONNECT_SECONDS = 15
READ_SECONDS = 120


class MailboxError(ApplicationError):
    """The mailbox could not be reached or read; the message says what to fix."""

    status = 502


@dataclass
class FolderState:
    uid_validity: int
    uid_next: int
    exists: int


@dataclass
class MailboxCheck:
    """What a connection test found."""

    messages: int
    unseen: int
    idle: bool
    folders: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- connecting


def _ssl_context() -> ssl.SSLContext:
    # A private CA (a company's own mail server) can be trusted through the setting;
    # certificates are always checked.
    return ssl.create_default_context(cafile=settings.OMBUDS_IMAP_CA_FILE or None)


def connect(mailbox: Mailbox) -> IMAPClient:
    """A logged-in IMAP session for `mailbox`, or a `MailboxError` saying what failed."""
    where = f"{mailbox.host}:{mailbox.port}"
    try:
        imap = IMAPClient(
            mailbox.host,
            port=mailbox.port,
            ssl=mailbox.use_ssl,
            ssl_context=_ssl_context() if mailbox.use_ssl else None,
            timeout=SocketTimeout(connect=CONNECT_SECONDS, read=READ_SECONDS),
        )
    except Exception as exc:
        raise explain(exc, where) from None
    try:
        if mailbox.starttls and not mailbox.use_ssl:
            imap.starttls(_ssl_context())
        imap.login(mailbox.username, mailbox.password)
    except Exception as exc:
        close_session(imap)
        raise explain(exc, where) from None
    return imap


def explain(exc: Exception, where: str) -> MailboxError:
    """A message an admin can act on; it never includes the password."""
    if isinstance(exc, MailboxError):
        return exc
    if isinstance(exc, LoginError):
        said = _said(exc)
        return MailboxError(
            "imap_login_failed",
            f"{where} refused the user name or password" + (f": {said}" if said else "."),
        )
    if isinstance(exc, CapabilityError):
        return MailboxError(
            "imap_tls_failed", f"{where} does not offer STARTTLS; choose SSL/TLS or plain."
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailboxError(
            "imap_tls_failed",
            f"The certificate of {where} could not be verified: {exc.verify_message}.",
        )
    if isinstance(exc, ssl.SSLError):
        return MailboxError(
            "imap_tls_failed",
            f"TLS with {where} failed ({exc.reason or exc}). Port 993 usually expects "
            "SSL/TLS, port 143 STARTTLS.",
        )
    if isinstance(exc, socket.gaierror):
        return MailboxError(
            "imap_unreachable", f"The server name {where.rsplit(':', 1)[0]!r} is not known."
        )
    if isinstance(exc, ConnectionRefusedError):
        return MailboxError("imap_unreachable", f"{where} refused the connection.")
    if isinstance(exc, TimeoutError):
        return MailboxError("imap_unreachable", f"{where} did not answer in time.")
    if isinstance(exc, IMAPClientError):
        return MailboxError("imap_protocol", f"{where} answered with an error: {_said(exc)}")
    if isinstance(exc, OSError):
        return MailboxError("imap_unreachable", f"Cannot reach {where}: {exc.strerror or exc}.")
    return MailboxError("imap_failed", f"Fetching from {where} failed: {type(exc).__name__}.")


def _said(exc: Exception) -> str:
    text = str(exc.args[0] if exc.args else exc)
    if text.startswith(("b'", 'b"')):
        text = text[2:-1]
    return " ".join(text.split())[:300]


def close_session(imap: IMAPClient) -> None:
    try:
        imap.logout()
    except Exception:
        with contextlib.suppress(Exception):
            imap.shutdown()


def open_folder(imap: IMAPClient, mailbox: Mailbox) -> FolderState:
    """Select the mailbox's folder for reading and flagging, and make sure its archive
    folder exists."""
    try:
        state = imap.select_folder(mailbox.folder)
    except IMAPClientError as exc:
        raise MailboxError(
            "imap_folder_missing",
            f"The folder {mailbox.folder!r} cannot be opened: {_said(exc)}",
        ) from None
    if mailbox.archive_folder and not imap.folder_exists(mailbox.archive_folder):
        try:
            imap.create_folder(mailbox.archive_folder)
        except IMAPClientError as exc:
            raise MailboxError(
                "imap_folder_missing",
                f"The archive folder {mailbox.archive_folder!r} does not exist and cannot "
                f"be created: {_said(exc)}",
            ) from None
    return FolderState(
        uid_validity=int(state[b"UIDVALIDITY"]),
        uid_next=int(state.get(b"UIDNEXT") or 0),
        exists=int(state.get(b"EXISTS") or 0),
    )


def check_mailbox(mailbox: Mailbox) -> MailboxCheck:
    """Connect, log in and open the folder, changing nothing: what an admin's "test"
    button reports."""
    imap = connect(mailbox)
    try:
        try:
            status = imap.folder_status(mailbox.folder, [b"MESSAGES", b"UNSEEN"])
        except IMAPClientError as exc:
            raise MailboxError(
                "imap_folder_missing",
                f"The folder {mailbox.folder!r} cannot be opened: {_said(exc)}",
            ) from None
        folders = [name for _flags, _sep, name in imap.list_folders()]
        return MailboxCheck(
            messages=int(status.get(b"MESSAGES", 0)),
            unseen=int(status.get(b"UNSEEN", 0)),
            idle=imap.has_capability("IDLE"),
            folders=sorted(str(name) for name in folders),
        )
    except MailboxError:
        raise
    except Exception as exc:
        raise explain(exc, f"{mailbox.host}:{mailbox.port}") from None
    finally:
        close_session(imap)
