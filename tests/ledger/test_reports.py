"""The cost of resolutions by reason, outcome, seller and month, and sellers' rates,
from tallies that always add up to the transactions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ombuds.core.money import Money
from ombuds.ledger.models import CostTally, Transaction
from ombuds.ledger.reports import cost_report, last_months, seller_rates
from ombuds.ledger.services import credit_buyer, refund_buyer, reverse_transaction
from ombuds.ledger.tallies import rebuild_cost_tallies, tally_mismatches
from ombuds.marketplace.inputs import PaymentInput
from tests import builders
from tests.ledger.conftest import key


def eur(cents):
    return Money(cents, "EUR")


@pytest.fixture
def other_seller(workspace):
    return builders.party(workspace, "S-2", kind="seller", name="Other Shop")


def sold(workspace, buyer, seller, ref, total=10000):
    return builders.order(
        workspace,
        ref,
        buyer=buyer,
        seller=seller,
        total=total,
        placed_at=timezone.now(),
        payments=[PaymentInput(f"{ref}-P", status="captured", amount=total, captured_amount=total)],
    )


def test_costs_by_reason_outcome_seller_and_month(
    workspace, buyer, seller, other_seller, supervisor_actor
):
    first = sold(workspace, buyer, seller, "A")
    second = sold(workspace, buyer, other_seller, "B")
    third = sold(workspace, buyer, seller, "C")
    money = {"workspace": workspace, "actor": supervisor_actor}
    refund_buyer(
        **money,
        order=first,
        amount=eur(10000),
        bearer="seller",
        reason="damaged",
        idempotency_key=key(),
    )
    refund_buyer(
        **money,
        order=second,
        amount=eur(2500),
        bearer="platform",
        reason="not_received",
        idempotency_key=key(),
    )
    credit = credit_buyer(
        **money,
        order=third,
        amount=eur(500),
        bearer="platform",
        reason="late_delivery",
        idempotency_key=key(),
    ).transaction
    reverse_transaction(**money, transaction=credit, idempotency_key=key())
    since, until = last_months(workspace, 1, timezone.now())
    report = cost_report(workspace=workspace, since=since, until=until)
    by = lambda rows: {(r.key, r.currency): (r.cost, r.resolutions) for r in rows}  # noqa: E731
    assert by(report.by_reason) == {
        ("damaged", "EUR"): (10000, 1),
        ("not_received", "EUR"): (2500, 1),
        ("late_delivery", "EUR"): (0, 1),  # credited, then reversed
    }
    assert by(report.by_outcome) == {
        ("full_refund", "EUR"): (10000, 1),
        ("partial_refund", "EUR"): (2500, 1),
        ("compensation", "EUR"): (0, 1),
    }
    assert by(report.by_seller) == {
        (str(seller.pk), "EUR"): (10000, 2),
        (str(other_seller.pk), "EUR"): (2500, 1),
    }
    assert report.sellers[seller.pk] == seller
    assert [(r.cost, r.resolutions) for r in report.by_month] == [(12500, 3)]
    assert report.by_month_and_bearer["EUR"][report.by_month[0].key] == {
        "seller": 10000,
        "platform": 2500,
    }
    rates = {r.seller.pk: r for r in seller_rates(workspace=workspace, since=since, until=until)}
    assert (rates[seller.pk].orders, rates[seller.pk].resolutions, rates[seller.pk].rate) == (
        2,
        2,
        1.0,
    )
    assert rates[seller.pk].borne == {"EUR": 10000}
    assert rates[other_seller.pk].costs == {"EUR": 2500}
    assert rates[other_seller.pk].borne == {}


def test_the_tallies_are_rebuilt_from_the_transactions(workspace, buyer, seller, supervisor_actor):
    order = sold(workspace, buyer, seller, "A")
    refund_buyer(
        workspace=workspace,
        actor=supervisor_actor,
        order=order,
        amount=eur(3000),
        bearer="seller",
        reason="damaged",
        idempotency_key=key(),
    )
    assert tally_mismatches(workspace=workspace) == {}
    # Moved back in time (an import of older history): the tallies no longer agree…
    Transaction.objects.filter(kind="refund").update(created_at=datetime(2025, 3, 4, tzinfo=UTC))
    CostTally.objects.filter(workspace=workspace).update(cost=1)
    assert tally_mismatches(workspace=workspace) != {}
    # …until they are rebuilt, in the month the refund now belongs to.
    assert rebuild_cost_tallies(workspace=workspace) == 2
    assert tally_mismatches(workspace=workspace) == {}
    march = cost_report(
        workspace=workspace,
        since=datetime(2025, 3, 1, tzinfo=UTC),
        until=datetime(2025, 3, 31, tzinfo=UTC),
    )
    assert [(r.key, r.cost) for r in march.by_month] == [("2025-03", 3000)]


def test_the_report_reads_a_fixed_number_of_queries(workspace, buyer, seller, supervisor_actor):
    def refund_some(n, start):
        for i in range(start, start + n):
            shop = builders.party(workspace, f"S-{i + 10}", kind="seller", name=f"Shop {i}")
            order = sold(workspace, buyer, shop, f"Q-{i}")
            refund_buyer(
                workspace=workspace,
                actor=supervisor_actor,
                order=order,
                amount=eur(1000),
                bearer="seller",
                reason=["damaged", "other"][i % 2],
                idempotency_key=key(),
            )

    since, until = last_months(workspace, 12, timezone.now())

    def queries():
        with CaptureQueriesContext(connection) as captured:
            cost_report(workspace=workspace, since=since, until=until)
            seller_rates(workspace=workspace, since=since, until=until)
        return len(captured.captured_queries)

    refund_some(2, 0)
    few = queries()
    refund_some(8, 2)
    assert queries() == few <= 5


def test_last_months_are_whole_months_of_the_workspace_calendar(workspace):
    since, until = last_months(workspace, 3, datetime(2026, 1, 15, 12, tzinfo=UTC))
    assert since.isoformat() == "2025-11-01T00:00:00+01:00"
    assert until == datetime(2026, 1, 15, 12, tzinfo=UTC)
