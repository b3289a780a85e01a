"""Two agents refunding the same order at the same moment never refund more than was
captured: the second waits on the payment's row lock and then sees the first refund.
And PostgreSQL itself refuses to commit a transaction that does not balance."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Sum
from django.utils import timezone

from ombuds.accounts.models import Membership
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.models import Account, Entry, RefundAllocation, Transaction
from ombuds.ledger.services import refund_buyer
from ombuds.marketplace.inputs import PaymentInput
from tests import builders

AGENTS = 6


def _actors(workspace):
    actors = []
    for i in range(AGENTS):
        builders.member(workspace, f"agent{i}@race.test", role="supervisor")
        membership = Membership.objects.select_related("user").get(
            workspace=workspace, user__email=f"agent{i}@race.test"
        )
        actors.append(MoneyActor.member(membership))
    return actors


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_agents_refunding_the_same_order_at_once_never_over_refund():
    # Given an order of 125.00, captured in full
    workspace = builders.workspace("race", prefix="RACE")
    buyer = builders.party(workspace, "B", email="b@race.test")
    seller = builders.party(workspace, "S", kind="seller", name="Seller")
    order = builders.order(
        workspace,
        "ORD",
        buyer=buyer,
        seller=seller,
        total=12500,
        payments=[PaymentInput("PAY", status="captured", amount=12500, captured_amount=12500)],
    )
    actors = _actors(workspace)
    start = threading.Barrier(AGENTS)
    done, refused, failures = [], [], []

    # When six agents each refund 50.00 in the same instant, with keys of their own
    def refund(i):
        try:
            start.wait()
            result = refund_buyer(
                workspace=workspace,
                actor=actors[i],
                order=order,
                amount=Money(5000, "EUR"),
                bearer="seller",
                reason="not_as_described",
                idempotency_key=f"agent-{i}",
            )
            done.append(result.transaction.pk)
        except ApplicationError as refusal:
            refused.append(refusal.code)
        except BaseException as exc:  # reported below, not swallowed
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refund, args=(i,)) for i in range(AGENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then two refunds went through, the rest were refused, and 25.00 is left
    assert failures == []
    assert len(done) == 2
    assert refused == ["refund_exceeds_capture"] * (AGENTS - 2)
    allocated = RefundAllocation.objects.aggregate(total=Sum("amount"))["total"]
    assert allocated == 10000
    assert Transaction.objects.filter(kind="capture").count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_key_at_once_refunds_once():
    workspace = builders.workspace("dup", prefix="DUP")
    buyer = builders.party(workspace, "B", email="b@dup.test")
    order = builders.order(
        workspace,
        "ORD",
        buyer=buyer,
        total=12500,
        payments=[PaymentInput("PAY", status="captured", amount=12500, captured_amount=12500)],
    )
    actors = _actors(workspace)
    start = threading.Barrier(AGENTS)
    results, failures = [], []

    def refund(i):
        try:
            start.wait()
            result = refund_buyer(
                workspace=workspace,
                actor=actors[i],
                order=order,
                amount=Money(3000, "EUR"),
                bearer="platform",
                reason="damaged",
                idempotency_key="one-key",
            )
            results.append(result.transaction.pk)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refund, args=(i,)) for i in range(AGENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert len(set(results)) == 1 and len(results) == AGENTS
    assert Transaction.objects.filter(kind="refund").count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_postgres_refuses_to_commit_entries_that_do_not_balance(workspace):
    account = Account.objects.create(workspace=workspace, kind="platform_cost", key="")
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        tx = Transaction.objects.create(
            workspace=workspace,
            kind="credit",
            key="written-by-hand",
            amount=100,
            currency="EUR",
            created_at=timezone.now(),
        )
        Entry.objects.create(
            workspace=workspace, transaction=tx, account=account, amount=100, currency="EUR"
        )
        # The check is deferred to commit; asking for it now runs it as commit would.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ledger_entry_balanced IMMEDIATE")
    assert not Transaction.objects.filter(key="written-by-hand").exists()
