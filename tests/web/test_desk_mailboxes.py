"""Admins connect, edit and test the workspace's mailboxes; nobody else sees them, and the
password never comes back to the browser."""

from __future__ import annotations

import pytest

from ombuds.intake.email.imap import fetch_mailbox
from ombuds.intake.mailboxes import MailboxSettings, create_mailbox
from ombuds.intake.models import Mailbox
from tests import builders
from tests.intake.dovecot import PASSWORD


@pytest.fixture
def admin_client(client, workspace):
    client.force_login(builders.member(workspace, "ada@resale.test", role="admin"))
    return client


def form_data(dovecot, user, **overrides):
    return {
        "address": "support@resale.test",
        "host": dovecot.host,
        "port": dovecot.port,
        "security": "plain",
        "username": user,
        "password": PASSWORD,
        "folder": "INBOX",
        "after_fetch": "seen",
        "archive_folder": "",
        "is_active": "on",
        **overrides,
    }


def test_an_admin_adds_a_mailbox_and_sees_it_listed(admin_client, workspace, dovecot, mail_user):
    answer = admin_client.post(
        "/w/resale/settings/mailboxes/new/", form_data(dovecot, mail_user, action="save")
    )

    assert answer.status_code == 302
    mailbox = Mailbox.objects.get(workspace=workspace)
    assert (mailbox.username, mailbox.password, mailbox.use_ssl) == (mail_user, PASSWORD, False)
    page = admin_client.get("/w/resale/settings/mailboxes/").content.decode()
    assert "support@resale.test" in page and "Not fetched yet" in page
    assert PASSWORD not in page


def test_testing_the_connection_reports_the_folder_and_saves_nothing(
    admin_client, workspace, dovecot, mail_user
):
    dovecot.append(mail_user, b"From: a@example.com\r\nSubject: hi\r\n\r\nHello\r\n")

    answer = admin_client.post(
        "/w/resale/settings/mailboxes/new/", form_data(dovecot, mail_user, action="test")
    )

    page = answer.content.decode()
    assert answer.status_code == 200
    assert "Connected. The folder INBOX holds 1 email" in page and "1 unread" in page
    assert "offers IDLE" in page
    assert not Mailbox.objects.exists()
    assert PASSWORD not in page  # the password field is not filled back in


def test_a_failing_test_says_what_is_wrong(admin_client, dovecot, mail_user):
    answer = admin_client.post(
        "/w/resale/settings/mailboxes/new/",
        form_data(dovecot, mail_user, password="wrong", action="test"),
    )

    page = answer.content.decode()
    assert "The server refused the user name or password." in page
    assert "AUTHENTICATIONFAILED" in page  # the server's own words, for the admin
    assert 'value="wrong"' not in page  # a typed password is not sent back either


def test_the_test_in_dutch(admin_client, dovecot, mail_user):
    admin_client.cookies["django_language"] = "nl"
    answer = admin_client.post(
        "/w/resale/settings/mailboxes/new/",
        form_data(dovecot, mail_user, password="wrong", action="test"),
    )
    page = answer.content.decode()
    assert "De server weigerde de gebruikersnaam of het wachtwoord." in page
    assert "Verbinding testen" in page


def test_editing_keeps_the_password_when_left_empty(admin_client, workspace, dovecot, mail_user):
    mailbox = create_mailbox(
        workspace=workspace,
        spec=MailboxSettings(
            address="support@resale.test",
            host=dovecot.host,
            port=dovecot.port,
            security="plain",
            username=mail_user,
            password=PASSWORD,
        ),
    )
    url = f"/w/resale/settings/mailboxes/{mailbox.pk}/"
    assert PASSWORD not in admin_client.get(url).content.decode()

    # Testing an edit uses the stored password when the field is left empty.
    tested = admin_client.post(url, form_data(dovecot, mail_user, password="", action="test"))
    assert "Connected." in tested.content.decode()

    admin_client.post(
        url,
        form_data(dovecot, mail_user, password="", after_fetch="archive", archive_folder="Done")
        | {"action": "save"},
    )
    mailbox.refresh_from_db()
    assert (mailbox.password, mailbox.archive_folder) == (PASSWORD, "Done")


def test_a_failing_mailbox_shows_its_error_on_the_list(admin_client, workspace, dovecot, mail_user):
    mailbox = create_mailbox(
        workspace=workspace,
        spec=MailboxSettings(
            address="support@resale.test",
            host=dovecot.host,
            port=dovecot.port,
            security="plain",
            username=mail_user,
            password="not-it",
        ),
    )
    fetch_mailbox(mailbox.pk)

    page = admin_client.get("/w/resale/settings/mailboxes/").content.decode()

    assert "Failing" in page
    assert "refused the user name or password" in page
    assert "next try" in page
    assert "not-it" not in page


def test_moving_mail_needs_a_folder(admin_client, dovecot, mail_user):
    answer = admin_client.post(
        "/w/resale/settings/mailboxes/new/",
        form_data(dovecot, mail_user, after_fetch="archive", action="save"),
    )
    assert answer.status_code == 422
    assert "Name the folder to move fetched mail to." in answer.content.decode()
    assert not Mailbox.objects.exists()


def test_agents_may_not_manage_mailboxes(client, workspace):
    client.force_login(builders.member(workspace, "al@resale.test", role="agent"))
    assert client.get("/w/resale/settings/mailboxes/").status_code == 403
    assert client.post("/w/resale/settings/mailboxes/new/", {}).status_code == 403
    assert "settings/mailboxes" not in client.get("/w/resale/inbox/").content.decode()


def test_another_workspaces_mailbox_is_not_found(admin_client, other_workspace):
    theirs = create_mailbox(
        workspace=other_workspace,
        spec=MailboxSettings(
            address="help@other.test",
            host="imap.other.test",
            port=993,
            security="ssl",
            username="help",
            password="theirs",
        ),
    )
    assert admin_client.get(f"/w/resale/settings/mailboxes/{theirs.pk}/").status_code == 404
    assert admin_client.get("/w/other/settings/mailboxes/").status_code == 404
    assert (
        "help@other.test" not in admin_client.get("/w/resale/settings/mailboxes/").content.decode()
    )
