"""IMAP IDLE: new mail is taken in within seconds, the session is renewed before the
server would drop it, and mailboxes are watched as they are added and switched off."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from ombuds.intake.email.imap.idle import watch_mailbox, watch_mailboxes
from ombuds.intake.mailboxes import MailboxSettings, update_mailbox
from ombuds.intake.models import InboundMessage, Mailbox
from tests import builders
from tests.intake.dovecot import email, mailbox_for


def test_idle_wakes_within_seconds_of_new_mail(workspace, dovecot, mail_user):
    mailbox = mailbox_for(workspace, dovecot, mail_user)
    stop = threading.Event()
    rounds = []
    appended_at = []

    def deliver_later():
        time.sleep(1.0)
        appended_at.append(time.monotonic())
        dovecot.append(mail_user, email(7))

    def on_round(round_):
        rounds.append((round_, time.monotonic()))
        if round_.woke_by == "start":
            threading.Thread(target=deliver_later, daemon=True).start()
        if round_.report.stored or len(rounds) > 5:
            stop.set()

    guard = threading.Timer(20, stop.set)
    guard.start()
    try:
        watch_mailbox(mailbox.pk, stop=stop, on_round=on_round, check_every=0.5)
    finally:
        guard.cancel()

    woke, at = rounds[-1]
    assert woke.woke_by == "new mail" and woke.report.stored == 1
    assert at - appended_at[0] < 3.0
    assert InboundMessage.objects.get(workspace=workspace).external_id == "<m7@example.com>"
    mailbox.refresh_from_db()
    assert mailbox.lease_owner == ""  # let go when stopped


def test_idle_is_reissued_before_the_server_would_drop_it(workspace, dovecot, mail_user):
    mailbox = mailbox_for(workspace, dovecot, mail_user)
    stop = threading.Event()
    woke = []

    def on_round(round_):
        woke.append(round_.woke_by)
        if len(woke) >= 3:
            stop.set()

    guard = threading.Timer(20, stop.set)
    guard.start()
    try:
        watch_mailbox(mailbox.pk, stop=stop, on_round=on_round, reissue_after=0.6, check_every=0.2)
    finally:
        guard.cancel()

    assert woke == ["start", "reissue", "reissue"]


# Watchers are threads with database connections of their own; the SQLite test database
# lives in memory, where concurrent connections lock each other out.
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_idle_supervisor_watches_mailboxes_as_they_come_and_go(dovecot, mail_user):
    workspace = builders.workspace("resale", prefix="RES")
    stop = threading.Event()
    seen = []

    def supervise():
        try:
            watch_mailboxes(
                stop=stop,
                on_change=lambda what, m: seen.append((what, m.pk)),
                rescan_every=0.3,
                check_every=0.3,
            )
        finally:
            connection.close()

    supervisor = threading.Thread(target=supervise, daemon=True)
    supervisor.start()
    try:
        mailbox = mailbox_for(workspace, dovecot, mail_user)  # added while it runs
        dovecot.append(mail_user, email(1))
        assert _eventually(lambda: InboundMessage.objects.filter(workspace=workspace).count() == 1)
        assert seen == [("watching", mailbox.pk)]

        # Switched off: its watcher stops and lets go of the mailbox.
        spec = MailboxSettings(
            address=mailbox.address,
            host=mailbox.host,
            port=mailbox.port,
            security="plain",
            username=mailbox.username,
            is_active=False,
        )
        update_mailbox(mailbox=mailbox, spec=spec)
        assert _eventually(lambda: Mailbox.objects.get(pk=mailbox.pk).lease_owner == "")
    finally:
        stop.set()
        supervisor.join(timeout=20)
    assert not supervisor.is_alive()


def _eventually(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
