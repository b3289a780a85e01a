"""Whatever order Stripe's events about one dispute arrive in, and however often, the
chargeback ends the same, and so does the ledger."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ombuds.chargebacks.models import Chargeback
from ombuds.chargebacks.receiving import accept_event, process_event
from ombuds.conversations.models import CaseEvent
from ombuds.ledger.models import Entry, Transaction
from ombuds.ledger.selectors import unbalanced_transactions

from . import documented as doc

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
DUE = T0 + timedelta(days=7)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def withdrawal():
    return doc.balance_transaction(-12500, 1500, ident="txn_1Withdrawal")


def reinstatement():
    return doc.balance_transaction(12500, 0, ident="txn_1Reinstatement")


LOST = [
    doc.event("charge.dispute.created", doc.dispute(due_by=DUE), created=at(0), ident="evt_c"),
    doc.event(
        "charge.dispute.funds_withdrawn",
        doc.dispute(due_by=DUE, balance_transactions=[withdrawal()]),
        created=at(1),
        ident="evt_w",
    ),
    doc.event(
        "charge.dispute.updated",
        doc.dispute(status="under_review", due_by=DUE, submission_count=1),
        created=at(60),
        ident="evt_u",
    ),
    doc.event(
        "charge.dispute.closed",
        doc.dispute(status="lost", due_by=DUE, submission_count=1),
        created=at(900),
        ident="evt_l",
    ),
]
WON = [
    *LOST[:3],
    doc.event(
        "charge.dispute.closed",
        doc.dispute(
            status="won",
            due_by=DUE,
            submission_count=1,
            balance_transactions=[withdrawal(), reinstatement()],
        ),
        created=at(900),
        ident="evt_won",
    ),
    doc.event(
        "charge.dispute.funds_reinstated",
        doc.dispute(
            status="won",
            due_by=DUE,
            submission_count=1,
            balance_transactions=[withdrawal(), reinstatement()],
        ),
        created=at(901),
        ident="evt_r",
    ),
]


def outcome(connection, events) -> tuple:
    for event in events:
        stored, _created = accept_event(connection=connection, raw=json.dumps(event).encode())
        process_event(stored.pk)
    chargeback = Chargeback.objects.get()
    ledger = (
        Entry.objects.exclude(transaction__kind="capture")
        .values("account__kind")
        .annotate(total=Sum("amount"))
        .order_by("account__kind")
    )
    assert unbalanced_transactions() == []
    return (
        tuple((row["account__kind"], row["total"]) for row in ledger),
        Transaction.objects.exclude(kind="capture").count(),
        chargeback.state,
        chargeback.submission_status,
        chargeback.provider_submission_count,
        chargeback.evidence_due_by,
        chargeback.closed_at,
        chargeback.funds,
        CaseEvent.objects.filter(kind="chargeback.opened").count(),
    )


def run_in_rollback(connection, events) -> tuple:
    with transaction.atomic():
        result = outcome(connection, events)
        transaction.set_rollback(True)
    return result


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_order_and_repetition_ends_the_same(stripe_connection, order, data):
    story = data.draw(st.sampled_from([LOST, WON]))
    baseline = run_in_rollback(stripe_connection, story)
    shuffled = data.draw(st.permutations(story))
    repeats = data.draw(st.lists(st.sampled_from(story), max_size=3))
    assert run_in_rollback(stripe_connection, [*shuffled, *repeats]) == baseline
    assert baseline[2] == ("lost" if story is LOST else "won")
    # Lost: the amount and the fee stay with the platform; won: only the fee does.
    platform_cost = 14000 if story is LOST else 1500
    assert baseline[0] == (("platform_cost", platform_cost), ("psp_clearing", -platform_cost))
