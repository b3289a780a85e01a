"""The desk hears of an evidence deadline before it passes, once, and only while the
evidence is still to be sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ombuds.automation.models import Notification
from ombuds.chargebacks.models import Chargeback
from ombuds.chargebacks.services.deadlines import sweep_deadlines
from ombuds.conversations.models import CaseEvent, Priority

from . import documented as doc


@pytest.fixture
def due(deliver, order, finance, agent):
    finance.members.add(agent)
    due_by = datetime.now(UTC) + timedelta(days=4)
    deliver(doc.event("charge.dispute.created", doc.dispute(due_by=due_by)))
    return Chargeback.objects.get()


def test_the_warning_comes_48_hours_before_and_only_once(due, agent):
    assert sweep_deadlines(now=due.due_warning_at - timedelta(minutes=1)) == 0
    assert sweep_deadlines(now=due.due_warning_at) == 1
    assert sweep_deadlines(now=due.due_warning_at + timedelta(hours=1)) == 0
    due.refresh_from_db()
    assert due.due_warned_at is not None
    case = due.case
    case.refresh_from_db()
    assert case.priority == Priority.URGENT
    assert CaseEvent.objects.filter(case=case, kind="chargeback.due_soon").count() == 1
    notice = Notification.objects.get(user=agent)
    assert case.reference in notice.title and "€125.00" in notice.body


def test_no_warning_once_evidence_was_sent(deliver, due):
    deliver(
        doc.event(
            "charge.dispute.updated",
            doc.dispute(status="under_review", due_by=due.evidence_due_by, submission_count=1),
        )
    )
    assert sweep_deadlines(now=due.evidence_due_by) == 0
    assert not CaseEvent.objects.filter(kind="chargeback.due_soon").exists()


def test_a_closed_chargeback_is_never_warned(deliver, due):
    deliver(
        doc.event("charge.dispute.closed", doc.dispute(status="won", due_by=due.evidence_due_by))
    )
    due.refresh_from_db()
    assert due.due_warning_at is None
    assert sweep_deadlines(now=due.evidence_due_by) == 0


def test_the_sweep_reads_only_what_is_due(due, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert sweep_deadlines(now=due.due_warning_at - timedelta(hours=1)) == 0


def test_the_warning_leaves_two_business_days_of_the_workspaces_calendar(workspace, settings):
    from ombuds.chargebacks.services.chargebacks import warning_time

    # Tuesday 10:00 in Amsterdam: Friday and Monday are the two business days before it.
    tuesday = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    assert warning_time(workspace, tuesday) == datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    settings.OMBUDS_CHARGEBACK_WARNING_BUSINESS_DAYS = 0
    assert warning_time(workspace, tuesday) == tuesday - timedelta(hours=48)
