"""The deadline sweep: every dispute whose `next_due_at` has passed moves by policy.

- the contact period ended: the dispute opens and the seller's deadline starts;
- the seller stayed silent: the dispute escalates to mediation, or, when the policy
  says so, is decided for the buyer at the seller's cost (escalating after all when
  that decision cannot be made: the money was refunded meanwhile, say);
- the buyer left an offer or a contest unanswered: the dispute closes as lapsed, or
  escalates, by policy;
- the appeal window closed: the decision is final, unless its money still waits for
  an approval: then the dispute waits too, off the sweep's index, since a refusal
  sends it back to mediation; the approval puts it back when it is granted.

It reads the ids of what is due from one index range (never the disputes that are not
due), then acts on each in a transaction of its own under its row lock, so one failure
holds up nothing else and a dispute someone changed meanwhile is read as it is now.
What becomes due while it runs waits for the next sweep, a minute later.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ombuds.core.errors import ApplicationError

from ..actors import DisputeActor
from ..models import Dispute, Ending, MoneyStatus, OfferStatus, State
from ..terms import DECIDE, ESCALATE, terms_for
from . import notices
from .decisions import decide_for_silent_seller
from .machine import apply, check
from .responses import end_contact_period

log = logging.getLogger(__name__)
# More than this many at once (after an outage) are taken over the next sweeps.
MAX_PER_SWEEP = 10_000
DEADLINE = DisputeActor.system("deadline")


def due_ids(now: datetime, *, limit: int = MAX_PER_SWEEP) -> list[int]:
    """The disputes due by `now`, the longest overdue first."""
    return list(
        Dispute.objects.filter(next_due_at__lte=now)
        .order_by("next_due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def _escalate(dispute: Dispute, action: str, now: datetime, **data) -> None:
    move = check(dispute, action, DEADLINE, now)
    dispute.escalated_at = now
    apply(dispute, action, DEADLINE, now=now, checked=move, fields=("escalated_at",), data=data)
    notices.tell_buyer(dispute, "escalated")
    notices.tell_seller(dispute, "escalated")


def _silent_seller(dispute: Dispute, now: datetime, silent_seller: str) -> str:
    if silent_seller == DECIDE:
        try:
            with transaction.atomic():
                decide_for_silent_seller(dispute=dispute, actor=DEADLINE, now=now)
            return "deadline_decide"
        except ApplicationError as refused:
            # Nothing of the decision was written (its savepoint rolled back): the dispute
            # goes to a person instead, and the timeline says why.
            log.info(
                "dispute.silent_seller_not_decided",
                extra={"dispute": dispute.pk, "code": refused.code},
            )
            dispute.refresh_from_db()
            _escalate(dispute, "deadline_escalate", now, not_decided=refused.code)
            return "deadline_escalate"
    _escalate(dispute, "deadline_escalate", now)
    return "deadline_escalate"


def _silent_buyer(dispute: Dispute, now: datetime, silent_buyer: str) -> str:
    if silent_buyer == ESCALATE:
        _escalate(dispute, "buyer_deadline_escalate", now)
        return "buyer_deadline_escalate"
    move = check(dispute, "deadline_lapse", DEADLINE, now)
    dispute.offers.filter(status=OfferStatus.PENDING).update(
        status=OfferStatus.LAPSED, answered_at=now
    )
    dispute.ending = Ending.LAPSED
    apply(dispute, "deadline_lapse", DEADLINE, now=now, checked=move, fields=("ending",))
    notices.tell_buyer(dispute, "lapsed")
    notices.tell_seller(dispute, "lapsed")
    return "deadline_lapse"


def act_on(pk: int, now: datetime) -> str | None:
    """Move one due dispute by policy; the action taken, or None if it was not due."""
    with transaction.atomic():
        dispute = (
            Dispute.objects.select_for_update(of=("self",))
            .select_related("workspace", "case", "order", "buyer", "seller")
            .filter(pk=pk, next_due_at__lte=now)
            .first()
        )
        if dispute is None:
            return None
        if dispute.is_frozen or not dispute.is_open:
            Dispute.objects.filter(pk=pk).update(next_due_at=None)
            return None
        terms = terms_for(dispute.workspace)
        if dispute.state == State.AWAITING_CONTACT:
            end_contact_period(dispute=dispute, actor=DEADLINE)
            return "contact_over"
        if dispute.state == State.AWAITING_SELLER:
            return _silent_seller(dispute, now, terms.silent_seller)
        if dispute.state in (State.OFFER_PENDING, State.CONTESTED):
            return _silent_buyer(dispute, now, terms.silent_buyer)
        if dispute.state == State.DECIDED:
            decision = dispute.latest_decision
            if decision is not None and decision.money_status == MoneyStatus.AWAITING_APPROVAL:
                Dispute.objects.filter(pk=pk).update(next_due_at=None)
                return "waits_for_approval"
            move = check(dispute, "appeal_window_over", DEADLINE, now)
            dispute.ending = Ending.DECIDED
            apply(
                dispute, "appeal_window_over", DEADLINE, now=now, checked=move, fields=("ending",)
            )
            return "appeal_window_over"
        # Nothing is due in this state: the column was stale.
        Dispute.objects.filter(pk=pk).update(next_due_at=None)
        return None


def sweep_due_disputes(*, now: datetime | None = None) -> dict[str, int]:
    """Act on every dispute due by `now`; a count per action taken."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for pk in due_ids(now):
        try:
            action = act_on(pk, now)
        except Exception:
            # Left due: the next sweep tries again; the others go on now.
            log.exception("dispute.sweep_failed", extra={"dispute": pk})
            action = "failed"
        if action is not None:
            done[action] = done.get(action, 0) + 1
    return done
