"""Notifications to staff: rows for the desk header, and an email through an outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ombuds.accounts.services import create_team
from ombuds.automation.models import Notification
from ombuds.automation.notifications import (
    mark_read,
    notify,
    recipients_for,
    send_due_emails,
    unread_count,
)
from ombuds.conversations.events import Actor
from ombuds.conversations.services import update_case
from tests import builders


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_a_notification_is_emailed_once(workspace, agent, buyer, locmem):
    case = builders.case(workspace, requester=buyer)
    notify(workspace=workspace, users=[agent], title="Needs you", case=case, by_label="rule: X")
    assert unread_count(workspace=workspace, user=agent) == 1
    assert send_due_emails() == 1
    assert send_due_emails() == 0
    (email,) = mail.outbox
    assert email.subject == f"[{case.reference}] Needs you"
    assert email.to == [agent.email]
    assert f"/w/resale/cases/{case.reference}/" in email.body
    assert Notification.objects.get().email_status == "sent"
    mark_read(workspace=workspace, user=agent)
    assert unread_count(workspace=workspace, user=agent) == 0


def test_a_failing_mail_server_is_retried_then_given_up(workspace, agent, settings, monkeypatch):
    import ombuds.automation.notifications as notifications

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notifications, "send_mail", refuse)
    notify(workspace=workspace, users=[agent], title="Hello")
    row = Notification.objects.get()
    for attempt in range(1, notifications.MAX_ATTEMPTS + 1):
        Notification.objects.filter(pk=row.pk).update(email_due_at=timezone.now())
        send_due_emails()
        row.refresh_from_db()
        assert row.email_attempts == attempt
    assert row.email_status == "failed"
    assert "smtp down" in row.email_error
    assert row.email_due_at is None


def test_recipients_are_members_of_the_case_workspace(workspace, other_workspace, agent, buyer):
    sue = builders.member(workspace, "sue@resale.test", role="supervisor")
    outsider = builders.member(other_workspace, "out@other.test", role="supervisor")
    team = create_team(workspace=workspace, name="Goods", members=[agent])
    case = builders.case(workspace, requester=buyer)
    update_case(case=case, actor=Actor(user=agent), team=team, assignee=agent)
    case.refresh_from_db()
    assert recipients_for(case, ["assignee"]) == [agent]
    assert recipients_for(case, ["team"]) == [agent]
    assert recipients_for(case, ["supervisors"]) == [sue]
    assert recipients_for(case, [outsider.email]) == []
    notify(workspace=workspace, users=[outsider], title="Not for you")
    assert not Notification.objects.exists()


def test_the_desk_lists_only_ones_own_notifications(workspace, agent, buyer):
    from ombuds.automation.notifications import notifications_for

    other = builders.member(workspace, "ben@resale.test")
    notify(workspace=workspace, users=[agent], title="Mine", email=False)
    notify(workspace=workspace, users=[other], title="Ben's", email=False)
    assert [n.title for n in notifications_for(workspace=workspace, user=agent)] == ["Mine"]
    assert Notification.objects.get(title="Mine").email_status == "none"
    assert timezone.now() - Notification.objects.get(title="Mine").created_at < timedelta(minutes=1)
