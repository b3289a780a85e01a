"""Mail is fetched from a real IMAP server (Dovecot), stored before the server is told,
and a failing or refused message is recorded, never lost."""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from imapclient import SEEN, IMAPClient

from ombuds.conversations.models import Message
from ombuds.intake import mailboxes
from ombuds.intake.email.imap import MailboxError, check_mailbox, fetch_mailbox
from ombuds.intake.email.imap import fetch as imap_fetch
from ombuds.intake.inbound import process_pending
from ombuds.intake.models import InboundMessage, InboundStatus, Mailbox
from ombuds.intake.tasks import poll_mailboxes
from tests.intake.dovecot import email, mailbox_for, server_view


def test_new_mail_is_stored_filed_and_then_flagged_seen(workspace, dovecot, mail_user):
    dovecot.append(mail_user, email(1), email(2, sender="bo@example.com"))
    mailbox = mailbox_for(workspace, dovecot, mail_user)

    report = fetch_mailbox(mailbox.pk)

    assert (report.stored, report.error) == (2, "")
    assert all(SEEN in flags for flags in server_view(dovecot, mail_user).values())
    assert process_pending() == 2
    messages = Message.objects.filter(workspace=workspace).order_by("external_id")
    assert [m.external_id for m in messages] == ["<m1@example.com>", "<m2@example.com>"]
    assert {m.case.requester.email for m in messages} == {"ann@example.com", "bo@example.com"}
    mailbox.refresh_from_db()
    assert (mailbox.last_uid, mailbox.last_error, mailbox.failures) == (2, "", 0)
    assert mailbox.last_polled_at is not None and mailbox.lease_owner == ""

    again = fetch_mailbox(mailbox.pk)
    assert (again.found, again.stored) == (0, 0)


def test_stored_mail_is_filed_by_one_queued_task_per_batch(
    workspace, dovecot, mail_user, django_capture_on_commit_callbacks
):
    dovecot.append(mail_user, email(1), email(2), email(3))
    mailbox = mailbox_for(workspace, dovecot, mail_user)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fetch_mailbox(mailbox.pk)

    # One wake-up for the batch (the queue runs it inline in tests), and it filed all three.
    assert len(callbacks) == 1
    assert Message.objects.filter(workspace=workspace).count() == 3
    assert not InboundMessage.objects.filter(status=InboundStatus.PENDING).exists()


def test_a_reply_fetched_later_joins_the_case_of_the_first_email(workspace, dovecot, mail_user):
    mailbox = mailbox_for(workspace, dovecot, mail_user)
    dovecot.append(mail_user, email(1))
    fetch_mailbox(mailbox.pk)
    dovecot.append(mail_user, email(2, subject="Re: Question 1", answers="m1@example.com"))
    fetch_mailbox(mailbox.pk)
    process_pending()

    first, reply = Message.objects.filter(workspace=workspace).order_by("pk")
    assert reply.case_id == first.case_id


def test_mail_already_read_in_the_mailbox_is_left_alone_when_marking_read(
    workspace, dovecot, mail_user
):
    imap = dovecot.client(mail_user)
    imap.append("INBOX", email(1), flags=[SEEN])  # read in a mail client long ago
    imap.append("INBOX", email(2))
    imap.logout()
    mailbox = mailbox_for(workspace, dovecot, mail_user)

    assert fetch_mailbox(mailbox.pk).stored == 1

    assert [r.external_id for r in InboundMessage.objects.all()] == ["<m2@example.com>"]


def test_fetched_mail_can_be_moved_to_an_archive_folder(workspace, dovecot, mail_user):
    dovecot.append(mail_user, email(1), email(2))
    mailbox = mailbox_for(workspace, dovecot, mail_user, archive_folder="Archive")

    assert fetch_mailbox(mailbox.pk).stored == 2

    assert server_view(dovecot, mail_user) == {}
    assert len(server_view(dovecot, mail_user, "Archive")) == 2


def test_fetched_mail_can_be_deleted_from_the_server(workspace, dovecot, mail_user):
    dovecot.append(mail_user, email(1), email(2))
    mailbox = mailbox_for(workspace, dovecot, mail_user, delete_after_fetch=True)

    assert fetch_mailbox(mailbox.pk).stored == 2

    assert server_view(dovecot, mail_user) == {}
    assert InboundMessage.objects.filter(workspace=workspace).count() == 2


def test_a_failure_between_storing_and_flagging_refetches_and_stores_once(
    workspace, dovecot, mail_user, monkeypatch
):
    dovecot.append(mail_user, email(1), email(2))
    mailbox = mailbox_for(workspace, dovecot, mail_user, delete_after_fetch=True)

    def connection_drops(*args, **kwargs):
        raise ConnectionResetError(104, "Connection reset by peer")

    with monkeypatch.context() as patch:
        patch.setattr(imap_fetch, "_finish", connection_drops)
        failed = fetch_mailbox(mailbox.pk)

    # Stored, but the server was never told: both messages are still there, unread.
    assert "Connection reset" in failed.error
    assert InboundMessage.objects.filter(workspace=workspace).count() == 2
    assert [SEEN in f for f in server_view(dovecot, mail_user).values()] == [False, False]
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 0 and mailbox.failures == 1

    Mailbox.objects.filter(pk=mailbox.pk).update(retry_at=None)
    again = fetch_mailbox(mailbox.pk)

    assert (again.stored, again.already_stored, again.error) == (0, 2, "")
    assert server_view(dovecot, mail_user) == {}
    assert InboundMessage.objects.filter(workspace=workspace).count() == 2
    process_pending()
    assert Message.objects.filter(workspace=workspace).count() == 2


def test_nothing_is_flagged_when_storing_fails(workspace, dovecot, mail_user, monkeypatch):
    dovecot.append(mail_user, email(1), email(2))
    mailbox = mailbox_for(workspace, dovecot, mail_user)
    real_accept_many = imap_fetch.accept_many

    def store_one_then_crash(*, payloads, **kwargs):
        real_accept_many(payloads=payloads[:1], **kwargs)  # written, then the disk is full
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(imap_fetch, "accept_many", store_one_then_crash)
        failed = fetch_mailbox(mailbox.pk)

    # The batch is rolled back as a whole and the server keeps both messages unread.
    assert failed.error
    assert not InboundMessage.objects.filter(workspace=workspace).exists()
    assert [SEEN in f for f in server_view(dovecot, mail_user).values()] == [False, False]

    Mailbox.objects.filter(pk=mailbox.pk).update(retry_at=None)
    assert fetch_mailbox(mailbox.pk).stored == 2


def test_a_message_the_server_will_not_send_holds_up_only_itself(
    workspace, dovecot, mail_user, monkeypatch
):
    dovecot.append(mail_user, email(1), email(2), email(3))
    mailbox = mailbox_for(workspace, dovecot, mail_user)
    real_download = imap_fetch._download

    def without_uid_2(imap, wanted):
        return ((uid, raw) for uid, raw in real_download(imap, wanted) if uid != 2)

    with monkeypatch.context() as patch:
        patch.setattr(imap_fetch, "_download", without_uid_2)
        failed = fetch_mailbox(mailbox.pk)

    assert "UID 2" in failed.error and failed.stored == 2
    assert {uid: SEEN in f for uid, f in server_view(dovecot, mail_user).items()} == {
        1: True,
        2: False,
        3: True,
    }
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 1

    Mailbox.objects.filter(pk=mailbox.pk).update(retry_at=None)
    again = fetch_mailbox(mailbox.pk)
    assert (again.stored, again.already_stored, again.error) == (1, 0, "")
    assert InboundMessage.objects.filter(workspace=workspace).count() == 3


def test_a_message_without_message_id_is_stored_once_across_refetches(
    workspace, dovecot, mail_user, monkeypatch
):
    raw = b"From: cy@example.com\r\nSubject: No id\r\n\r\nHello there.\r\n"
    dovecot.append(mail_user, raw)
    mailbox = mailbox_for(workspace, dovecot, mail_user)
    with monkeypatch.context() as patch:
        patch.setattr(imap_fetch, "_finish", lambda *a: (_ for _ in ()).throw(TimeoutError()))
        fetch_mailbox(mailbox.pk)
    Mailbox.objects.filter(pk=mailbox.pk).update(retry_at=None)

    again = fetch_mailbox(mailbox.pk)

    assert (again.stored, again.already_stored) == (0, 1)
    row = InboundMessage.objects.get(workspace=workspace)
    assert row.external_id.startswith("sha256:")


def test_a_renumbered_folder_is_scanned_again_without_doubling(workspace, dovecot, mail_user):
    dovecot.append(mail_user, email(1), email(2), email(3), folder="INBOX")
    imap = dovecot.client(mail_user)
    imap.create_folder("Support")
    imap.logout()
    dovecot.append(mail_user, email(1), email(2), email(3), folder="Support")
    mailbox = mailbox_for(workspace, dovecot, mail_user, folder="Support")
    assert fetch_mailbox(mailbox.pk).stored == 3
    mailbox.refresh_from_db()
    old_validity = mailbox.uid_validity

    # The folder is restored from a backup: new UIDVALIDITY, UIDs from 1 again, one new
    # message among the old ones. Without UIDVALIDITY, "after UID 3" would miss it.
    imap = dovecot.client(mail_user)
    imap.delete_folder("Support")
    time.sleep(1.1)  # Dovecot derives UIDVALIDITY from the clock
    imap.create_folder("Support")
    imap.logout()
    dovecot.append(mail_user, email(2), email(3), email(4), folder="Support")

    report = fetch_mailbox(mailbox.pk)

    mailbox.refresh_from_db()
    assert mailbox.uid_validity != old_validity
    assert report.rescanned
    assert (report.stored, report.already_stored) == (1, 2)
    assert InboundMessage.objects.filter(workspace=workspace).count() == 4


def test_an_oversized_message_is_refused_with_its_reason_and_left_on_the_server(
    workspace, dovecot, mail_user, settings, monkeypatch
):
    settings.OMBUDS_MAX_INBOUND_BYTES = 4000
    big = email(2, subject="Scans of my passport", body="x" * 10_000)
    dovecot.append(mail_user, email(1), big)
    mailbox = mailbox_for(workspace, dovecot, mail_user, archive_folder="Done")
    asked = []
    real_fetch = IMAPClient.fetch

    def spy(self, messages, data, modifiers=None):
        asked.append((list(messages), [bytes(d) for d in data]))
        return real_fetch(self, messages, data, modifiers)

    with monkeypatch.context() as patch:
        patch.setattr(IMAPClient, "fetch", spy)
        report = fetch_mailbox(mailbox.pk)

    assert (report.stored, report.refused) == (1, 1)
    downloads = [uids for uids, data in asked if b"BODY.PEEK[]" in data]
    assert downloads == [[1]]  # the large one was never downloaded
    refused = InboundMessage.objects.get(workspace=workspace, outcome="too_large")
    assert refused.status == InboundStatus.REJECTED
    assert "at most 4,000" in refused.error and refused.size > 10_000
    assert b"Scans of my passport" in bytes(refused.raw)
    # Left where it was, unread, for a person to deal with; the small one was archived.
    assert [SEEN in f for f in server_view(dovecot, mail_user).values()] == [False]
    assert len(server_view(dovecot, mail_user, "Done")) == 1

    # Refused once, not again on every poll; stored once the limit allows it.
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=0)
    assert fetch_mailbox(mailbox.pk).refused == 0
    settings.OMBUDS_MAX_INBOUND_BYTES = 40_000
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=0)
    assert fetch_mailbox(mailbox.pk).stored == 1
    assert server_view(dovecot, mail_user) == {}


def test_a_wrong_password_is_shown_on_the_mailbox_and_retried_later(workspace, dovecot, mail_user):
    mailbox = mailbox_for(workspace, dovecot, mail_user, password="not-the-password")

    report = fetch_mailbox(mailbox.pk)

    mailbox.refresh_from_db()
    assert "refused the user name or password" in report.error
    assert mailbox.last_error == report.error
    assert "not-the-password" not in mailbox.last_error
    assert mailbox.failures == 1
    assert timedelta(seconds=50) < mailbox.retry_at - timezone.now() <= timedelta(seconds=60)
    assert mailbox.pk not in mailboxes.due_mailbox_ids()
    assert mailbox.lease_owner == ""

    Mailbox.objects.filter(pk=mailbox.pk).update(retry_at=None)
    fetch_mailbox(mailbox.pk)
    mailbox.refresh_from_db()
    assert mailbox.failures == 2
    assert mailbox.retry_at - timezone.now() > timedelta(seconds=110)  # backs off


def test_an_unreachable_server_gets_a_clear_error(workspace, dovecot, mail_user):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    mailbox = mailbox_for(workspace, dovecot, mail_user, port=closed_port)

    report = fetch_mailbox(mailbox.pk)

    assert report.error == f"127.0.0.1:{closed_port} refused the connection."


def test_ssl_and_starttls_check_the_certificate(workspace, dovecot, mail_user, settings):
    dovecot.append(mail_user, email(1))
    over_ssl = mailbox_for(workspace, dovecot, mail_user, port=dovecot.ssl_port, security="ssl")
    with pytest.raises(MailboxError, match="could not be verified"):
        check_mailbox(over_ssl)

    settings.OMBUDS_IMAP_CA_FILE = str(dovecot.cert_file)
    starttls = mailbox_for(workspace, dovecot, mail_user, security="starttls")
    assert check_mailbox(over_ssl).messages == 1
    assert check_mailbox(starttls).messages == 1
    assert fetch_mailbox(starttls.pk).stored == 1


def test_the_connection_test_reports_the_folder_or_what_is_wrong(workspace, dovecot, mail_user):
    dovecot.append(mail_user, email(1), email(2))
    mailbox = mailbox_for(workspace, dovecot, mail_user)

    found = check_mailbox(mailbox)
    assert (found.messages, found.unseen, found.idle) == (2, 2, True)

    mailbox.folder = "Nowhere"
    with pytest.raises(MailboxError, match="'Nowhere' cannot be opened") as missing:
        check_mailbox(mailbox)
    assert missing.value.code == "imap_folder_missing"
    # A test changes nothing on the server.
    assert [SEEN in f for f in server_view(dovecot, mail_user).values()] == [False, False]


def test_a_mailbox_another_worker_is_fetching_is_skipped(workspace, dovecot, mail_user):
    dovecot.append(mail_user, email(1))
    mailbox = mailbox_for(workspace, dovecot, mail_user)
    assert mailboxes.claim_mailbox(mailbox_id=mailbox.pk, owner="worker-a")
    assert mailbox.pk not in mailboxes.due_mailbox_ids()

    assert fetch_mailbox(mailbox.pk, owner="worker-b").skipped
    assert not InboundMessage.objects.exists()

    # worker-a was killed: once its lease runs out, the mailbox is fetched again.
    Mailbox.objects.filter(pk=mailbox.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert fetch_mailbox(mailbox.pk, owner="worker-b").stored == 1


def test_the_periodic_poll_fetches_every_due_mailbox(workspace, dovecot, mail_user, dovecot_user_2):
    dovecot.append(mail_user, email(1))
    dovecot.append(dovecot_user_2, email(2))
    mailbox_for(workspace, dovecot, mail_user)
    failing = mailbox_for(workspace, dovecot, dovecot_user_2, address="sales@resale.test")
    Mailbox.objects.filter(pk=failing.pk).update(retry_at=timezone.now() + timedelta(minutes=5))

    assert poll_mailboxes.call_local() == 1

    assert [r.external_id for r in InboundMessage.objects.all()] == ["<m1@example.com>"]


@pytest.fixture
def dovecot_user_2(dovecot, mail_user):
    return dovecot.new_user()


def test_two_workspaces_mailboxes_stay_apart(
    workspace, other_workspace, dovecot, mail_user, dovecot_user_2
):
    # The same email, sent to both marketplaces.
    dovecot.append(mail_user, email(1))
    dovecot.append(dovecot_user_2, email(1), email(2))
    mine = mailbox_for(workspace, dovecot, mail_user)
    theirs = mailbox_for(other_workspace, dovecot, dovecot_user_2, address="help@other.test")

    assert fetch_mailbox(mine.pk).stored == 1
    assert fetch_mailbox(theirs.pk).stored == 2
    process_pending()

    assert InboundMessage.objects.filter(workspace=workspace).count() == 1
    assert InboundMessage.objects.filter(workspace=other_workspace).count() == 2
    assert set(
        InboundMessage.objects.filter(workspace=workspace).values_list("source", flat=True)
    ) == {f"mailbox:{mine.pk}"}
    mine_msg = Message.objects.get(workspace=workspace)
    assert mine_msg.case.workspace_id == workspace.pk
    assert mine_msg.case.requester.workspace_id == workspace.pk
    assert Message.objects.filter(workspace=other_workspace).count() == 2
