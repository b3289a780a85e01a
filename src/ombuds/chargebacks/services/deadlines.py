"""Evidence deadlines: the desk is warned before a chargeback's due-by passes.

Each open chargeback that awaits evidence carries `due_warning_at` (indexed, only rows
not yet warned): the sweep reads just the warnings that fell due, so its cost follows
what is due, not how many chargebacks exist. A warning goes on the case's timeline,
raises the case to urgent and tells the case's assignee and team (or the supervisors
when nobody has it) through the desk's notifications.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ombuds.automation.notifications import notify, recipients_for
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Priority
from ombuds.conversations.services import update_case
from ombuds.core.money import Money

from .. import events
from ..models import Chargeback, SubmissionStatus
from ..selectors import due_warnings
from ..states import AWAITING_EVIDENCE

DEADLINES = Actor.system("deadlines")


def _still_awaited(chargeback: Chargeback) -> bool:
    return (
        chargeback.state in AWAITING_EVIDENCE
        and chargeback.submission_status in (SubmissionStatus.NONE, SubmissionStatus.REFUSED)
        and chargeback.provider_submission_count == 0
    )


def warn_of_deadline(chargeback_id: int) -> bool:
    """Warn the desk of one chargeback's near deadline (once); whether it warned."""
    with transaction.atomic():
        chargeback = (
            Chargeback.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case", "order")
            .filter(pk=chargeback_id, due_warned_at__isnull=True)
            .first()
        )
        if chargeback is None:
            return False
        chargeback.due_warned_at = timezone.now()
        chargeback.save(update_fields=["due_warned_at", "updated_at"])
        if not _still_awaited(chargeback) or chargeback.case is None:
            return False
        case = chargeback.case
        events.due_soon(chargeback)
        if case.priority != Priority.URGENT:
            case = update_case(case=case, actor=DEADLINES, priority=Priority.URGENT)
        targets = ("assignee", "team") if case.assignee_id or case.team_id else ("supervisors",)
        amount = Money(chargeback.amount, chargeback.currency).format()
        notify(
            workspace=chargeback.workspace,
            users=recipients_for(case, targets),
            title=_("Chargeback evidence due soon: %(case)s") % {"case": case.reference},
            body=_(
                "Evidence for the chargeback of %(amount)s on order %(order)s "
                "is due by %(due)s UTC."
            )
            % {
                "amount": amount,
                "order": chargeback.order.external_id,
                "due": chargeback.evidence_due_by.strftime("%Y-%m-%d %H:%M"),
            },
            case=case,
            by_label="deadlines",
        )
        return True


def sweep_deadlines(now=None) -> int:
    """Give every warning that is due; returns how many were given."""
    now = now or timezone.now()
    warned, seen = 0, set()
    # A row another worker holds is skipped, and stays due for the next sweep.
    while ids := [pk for pk in due_warnings(now, limit=100 + len(seen)) if pk not in seen]:
        seen.update(ids)
        warned += sum(1 for pk in ids if warn_of_deadline(pk))
    return warned
