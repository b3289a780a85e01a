"""Two workers applying events of the same dispute at the same moment make one
chargeback, one case and one withdrawal (PostgreSQL: row locks, parallel writers)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections

from ombuds.chargebacks.connections import ConnectionInput, connect_psp
from ombuds.chargebacks.models import Chargeback
from ombuds.chargebacks.receiving import accept_event, process_event
from ombuds.conversations.models import Case
from ombuds.ledger.models import Transaction
from tests import builders

from . import documented as doc
from .conftest import paid_order

WORKERS = 4


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_reports_of_one_dispute_open_it_once():
    workspace = builders.workspace("race", prefix="RACE")
    admin = builders.member(workspace, "admin@race.test", role="admin")
    buyer = builders.party(workspace, "B", email="b@race.test")
    seller = builders.party(workspace, "S", kind="seller", name="Seller")
    paid_order(workspace, "ORD", buyer=buyer, seller=seller)
    connection = connect_psp(
        workspace=workspace,
        by=admin,
        spec=ConnectionInput(
            provider="stripe",
            name="Stripe",
            secret_key=doc.SECRET_KEY,
            webhook_secret=doc.WEBHOOK_SECRET,
        ),
    )
    due = datetime.now(UTC) + timedelta(days=5)
    withdrawal = doc.balance_transaction(-12500, 1500, ident="txn_race")
    stored = [
        accept_event(
            connection=connection,
            raw=json.dumps(
                doc.event(
                    "charge.dispute.funds_withdrawn" if i % 2 else "charge.dispute.created",
                    doc.dispute(due_by=due, balance_transactions=[withdrawal]),
                    ident=f"evt_race_{i}",
                )
            ).encode(),
        )[0]
        for i in range(WORKERS)
    ]
    start = threading.Barrier(WORKERS)
    failures = []

    def work(event):
        try:
            start.wait()
            process_event(event.pk)
        except BaseException as exc:  # reported below, not swallowed
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(e,)) for e in stored]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert Chargeback.objects.count() == 1
    assert Case.objects.filter(workspace=workspace).count() == 1
    moved = Transaction.objects.filter(workspace=workspace, kind="chargeback")
    assert sorted(moved.values_list("amount", flat=True)) == [1500, 12500]
