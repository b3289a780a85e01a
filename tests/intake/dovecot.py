"""A real IMAP server for the tests: Debian's Dovecot, configured in a temporary directory.

Nothing of the system's own Dovecot configuration is used. The server listens on free
ports of 127.0.0.1: plain IMAP (which also offers STARTTLS) and IMAPS, both with a
self-signed certificate made here. Users live in a passwd-file that Dovecot re-reads
when it changes, so a test can add a user while the server runs. Below the server are
the small builders the IMAP tests share: an email, a mailbox on the server, and what
another mail client would see in a folder.

Dovecot refuses to run its login processes as root and refuses mail access for uid 0.
Run as root (as on CI containers), the login processes run as Debian's `dovenull` user
and the mail belongs to the `dovecot` user; run as anyone else, everything runs as that
user, as Dovecot's guide to running unprivileged describes.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from imapclient import IMAPClient

from ombuds.intake.mailboxes import MailboxSettings, create_mailbox

DOVECOT = "/usr/sbin/dovecot"
PASSWORD = "mailbox-secret"
# Accounts are made in bulk: each addition costs a wait for Dovecot to re-read the file.
SPARE_USERS = 40


def available() -> bool:
    return Path(DOVECOT).exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accounts() -> dict[str, pwd.struct_passwd]:
    """The system users Dovecot's processes run as."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return {"login": me, "internal": me, "mail": me}
    try:
        return {
            "login": pwd.getpwnam("dovenull"),
            "internal": pwd.getpwnam("dovecot"),
            "mail": pwd.getpwnam("dovecot"),
        }
    except KeyError as exc:  # the package creates both users when it is installed
        raise RuntimeError(f"Dovecot's system user is missing: {exc}") from exc


class Dovecot:
    """One Dovecot master process and its directory; `stop()` removes both."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="ombuds-dovecot-"))
        self.port = _free_port()
        self.ssl_port = _free_port()
        self.host = "127.0.0.1"
        self.cert_file = self.root / "cert.pem"
        self.users_file = self.root / "users"
        self.log_file = self.root / "dovecot.log"
        self._process: subprocess.Popen | None = None
        self._spare: list[str] = []
        self._next = 0

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Dovecot:
        accounts = _accounts()
        mail = accounts["mail"]
        # The unprivileged processes must be able to reach their files under /tmp.
        self.root.chmod(0o755)
        (self.root / "mail").mkdir()
        (self.root / "state").mkdir()
        (self.root / "run").mkdir()
        if os.geteuid() == 0:
            os.chown(self.root / "mail", mail.pw_uid, mail.pw_gid)
        self.users_file.write_text("")
        self._make_certificate()
        config = self.root / "dovecot.conf"
        config.write_text(self._config(accounts))
        self._process = subprocess.Popen(
            [DOVECOT, "-c", str(config), "-F"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_until_listening()
        return self

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"Dovecot stopped at start:\n{self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5) as s:
                    if s.recv(200).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"Dovecot did not answer within 15 s:\n{self.log()}")

    def log(self) -> str:
        return self.log_file.read_text() if self.log_file.exists() else "(no log)"

    def _make_certificate(self) -> None:
        key = self.root / "key.pem"
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", str(key), "-out", str(self.cert_file),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        key.chmod(0o644)

    def _config(self, accounts: dict[str, pwd.struct_passwd]) -> str:
        mail = accounts["mail"]
        root = self.root
        return f"""\
protocols = imap
listen = {self.host}
base_dir = {root}/run
state_dir = {root}/state
log_path = {self.log_file}
info_log_path = {self.log_file}
default_login_user = {accounts["login"].pw_name}
default_internal_user = {accounts["internal"].pw_name}
default_internal_group = {_group(accounts["internal"])}
first_valid_uid = {mail.pw_uid}
first_valid_gid = {mail.pw_gid}
ssl = yes
ssl_cert = <{self.cert_file}
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is answered at once, not after a delay that grows per failure
# (the anvil listener below switches the growing "auth penalty" off).
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
# Re-issued IDLE and pushed EXISTS should arrive within a second, not the default 2 min.
imap_idle_notify_interval = 1 secs
mailbox_idle_check_interval = 1 secs
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.users_file}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.users_file}
  default_fields = uid={mail.pw_uid} gid={mail.pw_gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
  inet_listener imaps {{
    address = {self.host}
    port = {self.ssl_port}
    ssl = yes
  }}
  chroot =
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""

    # ------------------------------------------------------------------ mail

    def add_users(self, names: list[str], password: str = PASSWORD) -> None:
        """Mail accounts that can log in once this returns."""
        with self.users_file.open("a") as users:
            users.writelines(f"{name}:{{PLAIN}}{password}::::::\n" for name in names)
        self._spare += names
        # Dovecot re-reads the file at most once a second; wait until it has.
        deadline = time.monotonic() + 5
        while True:
            try:
                self.client(names[-1], password).logout()
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def new_user(self) -> str:
        """A mail account no test has used yet."""
        if not self._spare:
            self.add_users([f"user{self._next + i}" for i in range(SPARE_USERS)])
            self._next += SPARE_USERS
        return self._spare.pop(0)

    def client(self, user: str, password: str = PASSWORD) -> IMAPClient:
        """An IMAP session as `user`, for putting mail in and looking at the result."""
        imap = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        imap.login(user, password)
        return imap

    def append(self, user: str, *messages: bytes, folder: str = "INBOX") -> None:
        imap = self.client(user)
        try:
            for raw in messages:
                imap.append(folder, raw)
        finally:
            imap.logout()

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert_file))


# --------------------------------------------------------------------------- scenarios


def email(n: int, *, sender="ann@example.com", subject=None, answers=None, body=None) -> bytes:
    """A plain customer email with Message-ID <m{n}@example.com>."""
    lines = [
        f"From: Ann Buyer <{sender}>",
        "To: support@resale.test",
        f"Subject: {subject or f'Question {n}'}",
        f"Message-ID: <m{n}@example.com>",
        "Date: Tue, 01 Dec 2026 10:00:00 +0000",
    ]
    if answers:
        lines += [f"In-Reply-To: <{answers}>", f"References: <{answers}>"]
    lines += ["Content-Type: text/plain; charset=utf-8", "", body or f"My question number {n}."]
    return ("\r\n".join(lines) + "\r\n").encode()


def mailbox_for(workspace, dovecot, user, **overrides):
    """A workspace's mailbox on this test server, for `user`, over plain IMAP."""
    spec = {
        "address": "support@resale.test",
        "host": dovecot.host,
        "port": dovecot.port,
        "security": "plain",
        "username": user,
        "password": PASSWORD,
        **overrides,
    }
    return create_mailbox(workspace=workspace, spec=MailboxSettings(**spec))


def server_view(dovecot, user, folder="INBOX") -> dict[int, set[bytes]]:
    """UID → flags of every message in `folder`, as another mail client would see it."""
    imap = dovecot.client(user)
    try:
        imap.select_folder(folder, readonly=True)
        uids = imap.search("ALL")
        if not uids:
            return {}
        return {uid: set(row[b"FLAGS"]) for uid, row in imap.fetch(uids, ["FLAGS"]).items()}
    finally:
        imap.logout()


def _group(account: pwd.struct_passwd) -> str:
    import grp

    return grp.getgrgid(account.pw_gid).gr_name


@pytest.fixture(scope="session")
def dovecot():
    """A Dovecot IMAP server for the whole run, in a temporary directory."""
    if not available():
        pytest.skip(f"needs Dovecot: {DOVECOT} is missing (apt-get install dovecot-imapd)")
    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def mail_user(dovecot):
    """A fresh mail account on the server, so tests do not see each other's mail."""
    return dovecot.new_user()
