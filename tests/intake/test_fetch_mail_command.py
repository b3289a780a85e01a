"""`ombuds fetch-mail`: fetches, files and says what it did; a mailbox that cannot be
fetched makes it fail loudly."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ombuds.conversations.models import Message
from tests.intake.dovecot import email, mailbox_for


def test_fetch_mail_once_fetches_files_and_reports(workspace, other_workspace, dovecot, mail_user):
    dovecot.append(mail_user, email(1), email(2))
    mailbox_for(workspace, dovecot, mail_user)
    mailbox_for(other_workspace, dovecot, mail_user, address="x@other.test", password="wrong")
    out = io.StringIO()

    call_command("fetch-mail", "--once", "--workspace", workspace.slug, stdout=out)

    text = out.getvalue()
    assert "resale · support@resale.test" in text and "2 new" in text
    assert "Filed 2 stored message(s)" in text
    assert "other.test" not in text
    assert Message.objects.filter(workspace=workspace).count() == 2


def test_fetch_mail_once_fails_loudly_when_a_mailbox_cannot_be_fetched(
    workspace, dovecot, mail_user
):
    mailbox_for(workspace, dovecot, mail_user, password="wrong")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 mailbox"):
        call_command("fetch-mail", "--once", stdout=out)
    assert "refused the user name or password" in out.getvalue()
