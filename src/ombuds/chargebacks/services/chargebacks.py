"""Applying what a provider reports about a dispute: the chargeback opens, moves and
closes as the provider says, and its case, timeline, money and the marketplace follow.

Reports may arrive in any order and more than once. The stored state is that of the
report that ranks highest (`states.precedence`); a lower one changes nothing but what
only grows (the provider's submission count) and the money, whose movements are keyed by
what they are, so any order of the same reports ends in the same chargeback and the same
ledger (ADR 0041).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ombuds.conversations.events import Actor
from ombuds.core.errors import ApplicationError
from ombuds.core.selectors import business_calendar
from ombuds.ledger.authority import MoneyActor
from ombuds.marketplace.models import Payment

from .. import announce, events
from ..models import Chargeback, FundsStatus, PspConnection, SubmissionStatus
from ..reports import DisputeReport
from ..states import STRIPE, is_closed, precedence, states_for
from .cases import case_for_chargeback
from .freezing import keep_disputes_in_step
from .money import apply_dispute_money

# A calendar open less than this often warns by the hours alone.
WARNING_SEARCH_DAYS = 31


@dataclass(frozen=True)
class Applied:
    """What became of one report: applied (or why not), and the chargeback it is about."""

    applied: bool
    outcome: str
    detail: str = ""
    chargeback_id: int | None = None


def provider_label(connection: PspConnection) -> str:
    return "Stripe" if connection.provider == STRIPE else connection.name


def origin_refusal(connection: PspConnection, livemode, account: str) -> Applied | None:
    """A report from another mode or another account than the connection's is not ours."""
    if connection.is_stripe and livemode is not None and livemode != connection.livemode:
        mode = "live" if livemode else "test"
        return Applied(False, "other_mode", f"A {mode}-mode event; the key is not.")
    if account and not connection.connect_enabled and account != connection.account_id:
        return Applied(False, "other_account", f"The event is about account {account}.")
    return None


def payment_for(workspace_id: int, *ids: str) -> Payment | None:
    """The workspace's payment a provider's charge (or payment intent) id names. Only
    this workspace's payments are looked at: another tenant's ids never match."""
    wanted = [i for i in ids if i]
    if not wanted:
        return None
    found = {
        p.external_id: p
        for p in Payment.objects.filter(
            workspace_id=workspace_id, external_id__in=wanted
        ).select_related("order", "order__buyer")
    }
    return next((found[i] for i in wanted if i in found), None)


def warning_time(workspace, due_by: datetime | None) -> datetime | None:
    """When the desk is told an evidence deadline is near: early enough to leave both
    OMBUDS_CHARGEBACK_WARNING_HOURS of wall time and the opening of the business day
    OMBUDS_CHARGEBACK_WARNING_BUSINESS_DAYS before the deadline's (the workspace's
    calendar: a deadline on Monday warns on Thursday morning, not during the weekend)."""
    if due_by is None:
        return None
    by_hours = due_by - timedelta(hours=settings.OMBUDS_CHARGEBACK_WARNING_HOURS)
    days = settings.OMBUDS_CHARGEBACK_WARNING_BUSINESS_DAYS
    if days <= 0:
        return by_hours
    calendar = business_calendar(workspace=workspace)
    day, counted = calendar.local_date(due_by), 0
    for _ in range(WARNING_SEARCH_DAYS):
        day -= timedelta(days=1)
        if calendar.is_business_day(day):
            counted += 1
            if counted == days:
                return min(by_hours, calendar.openings_on(day)[0][0])
    return by_hours


def _snapshot(report: DisputeReport) -> dict:
    return {
        "amount": report.amount,
        "currency": report.currency,
        "reason": report.reason,
        "network_reason_code": report.network_reason_code,
        "state": report.state,
        "is_charge_refundable": report.is_charge_refundable,
        "evidence_due_by": report.due_by,
        "payment_intent_id": report.payment_intent_id,
        "observed_at": report.observed_at,
        "observed_event_id": report.report_id,
        "provider_object": report.provider_object,
    }


def _lock_or_create(
    connection: PspConnection, report: DisputeReport, payment: Payment
) -> tuple[Chargeback, bool]:
    lookup = {
        "workspace_id": connection.workspace_id,
        "provider": connection.provider,
        "provider_dispute_id": report.dispute_id,
    }
    found = Chargeback.objects.select_for_update().filter(**lookup).first()
    if found is not None:
        return found, False
    values = _snapshot(report)
    closed = is_closed(report.state)
    try:
        with transaction.atomic():
            created = Chargeback.objects.create(
                **lookup,
                connection=connection,
                charge_id=report.charge_id,
                order=payment.order,
                payment=payment,
                opened_at=report.opened_at,
                closed_at=report.observed_at if closed else None,
                due_warning_at=None
                if closed
                else warning_time(connection.workspace, report.due_by),
                **values,
            )
    except IntegrityError:
        # Another worker created it a moment ago: take its lock and apply on top.
        return Chargeback.objects.select_for_update().get(**lookup), False
    return created, True


def _check(connection: PspConnection, report: DisputeReport, payment: Payment) -> None:
    if report.state not in states_for(connection.provider):
        raise ApplicationError(
            "unknown_state",
            f"{report.state!r} is not a state {provider_label(connection)} reports.",
            details={"allowed": sorted(states_for(connection.provider))},
            status=422,
        )
    if report.currency != payment.currency:
        raise ApplicationError(
            "currency_mismatch",
            "The dispute's currency is not the payment's.",
            details={"dispute": report.currency, "payment": payment.currency},
            status=422,
        )


def apply_dispute_report(*, connection: PspConnection, report: DisputeReport) -> Applied:
    """Open or move the chargeback the report is about (inside the event's transaction)."""
    refusal = origin_refusal(connection, report.livemode, report.account)
    if refusal is not None:
        return refusal
    payment = payment_for(connection.workspace_id, report.charge_id, report.payment_intent_id)
    if payment is None:
        return Applied(
            False,
            "unknown_charge",
            f"No payment {report.charge_id} in this workspace (yet); a later report of "
            "the same dispute opens it once the payment is known.",
        )
    _check(connection, report, payment)
    chargeback, created = _lock_or_create(connection, report, payment)
    actor = events.provider_actor(provider_label(connection))
    if created:
        _opened(chargeback, connection, actor)
        outcome = "opened"
    else:
        outcome = _moved(chargeback, report, actor)
    if is_closed(report.state) and chargeback.closed_at != _earliest(
        chargeback.closed_at, report.observed_at
    ):
        # A closing reported twice (closed, then funds_reinstated) closed it the first time.
        chargeback.closed_at = _earliest(chargeback.closed_at, report.observed_at)
        chargeback.save(update_fields=["closed_at", "updated_at"])
    _count_submissions(chargeback, report, actor)
    apply_dispute_money(
        chargeback=chargeback, report=report, by=MoneyActor.system(provider_label(connection))
    )
    keep_disputes_in_step(chargeback, actor)
    return Applied(True, outcome, chargeback_id=chargeback.pk)


def _earliest(current: datetime | None, seen: datetime) -> datetime:
    return seen if current is None or seen < current else current


def _opened(chargeback: Chargeback, connection: PspConnection, actor: Actor) -> None:
    chargeback.case = case_for_chargeback(chargeback=chargeback, connection=connection, actor=actor)
    chargeback.save(update_fields=["case", "updated_at"])
    events.opened(chargeback, actor)
    announce.announce_chargeback(chargeback, announce.OPENED)
    if is_closed(chargeback.state):
        announce.announce_chargeback(chargeback, announce.CLOSED)


def _moved(chargeback: Chargeback, report: DisputeReport, actor: Actor) -> str:
    ours = precedence(chargeback.state, chargeback.observed_at, chargeback.observed_event_id)
    theirs = precedence(report.state, report.observed_at, report.report_id)
    if theirs <= ours:
        # Older than (or the same as) what is stored: it can reopen nothing.
        return "stale"
    before_state, before_due = chargeback.state, chargeback.evidence_due_by
    for name, value in _snapshot(report).items():
        setattr(chargeback, name, value)
    if is_closed(chargeback.state):
        chargeback.closed_at = _earliest(chargeback.closed_at, report.observed_at)
        chargeback.due_warning_at = None
    elif chargeback.evidence_due_by != before_due and chargeback.due_warned_at is None:
        chargeback.due_warning_at = warning_time(chargeback.workspace, chargeback.evidence_due_by)
    chargeback.save()
    if chargeback.state != before_state:
        events.state_changed(chargeback, actor, before=before_state)
        name = announce.CLOSED if is_closed(chargeback.state) else announce.UPDATED
        announce.announce_chargeback(chargeback, name, before=before_state)
        return "state_changed"
    if chargeback.evidence_due_by != before_due:
        events.due_changed(chargeback, actor, before=before_due)
        announce.announce_chargeback(chargeback, announce.UPDATED, before=before_state)
    return "updated"


def _count_submissions(chargeback: Chargeback, report: DisputeReport, actor: Actor) -> None:
    """The provider's submission count only grows. Evidence submitted outside the desk
    (in Stripe's dashboard) uses up the single submission all the same."""
    if report.submission_count <= chargeback.provider_submission_count:
        return
    chargeback.provider_submission_count = report.submission_count
    fields = ["provider_submission_count", "updated_at"]
    if chargeback.submission_status == SubmissionStatus.NONE:
        chargeback.submission_status = SubmissionStatus.SUBMITTED
        chargeback.evidence_submitted_at = chargeback.evidence_submitted_at or timezone.now()
        fields += ["submission_status", "evidence_submitted_at"]
        events.evidence_submitted_elsewhere(chargeback, actor)
    chargeback.save(update_fields=fields)


def set_funds(chargeback: Chargeback, funds: str) -> None:
    if chargeback.funds != funds:
        chargeback.funds = funds
        chargeback.save(update_fields=["funds", "updated_at"])


__all__ = ["Applied", "FundsStatus", "apply_dispute_report", "payment_for", "set_funds"]
