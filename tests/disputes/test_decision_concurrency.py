"""Agents deciding and refunding the same dispute's order at the same moment never refund
more than was captured, and the dispute is decided once (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.db.models import Sum
from django.utils import timezone

from ombuds.accounts.models import Membership
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.models import Decision, State
from ombuds.disputes.services.decisions import decide_dispute
from ombuds.disputes.services.opening import open_dispute
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.models import RefundAllocation
from ombuds.ledger.selectors import unbalanced_transactions
from ombuds.ledger.services import refund_buyer
from ombuds.marketplace.inputs import PaymentInput
from tests import builders

AGENTS = 4


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_agents_deciding_and_refunding_one_order_at_once_never_over_refund():
    # Given a 125.00 order in mediation and four supervisors at their desks
    workspace = builders.workspace("race", prefix="RACE")
    buyer = builders.party(workspace, "B", email="b@race.test")
    seller = builders.party(workspace, "S", kind="seller", name="Seller")
    order = builders.order(
        workspace,
        "ORD",
        buyer=buyer,
        seller=seller,
        total=12500,
        placed_at=timezone.now() - timedelta(days=3),
        payments=[PaymentInput("PAY", status="captured", amount=12500, captured_amount=12500)],
    )
    members = []
    for i in range(AGENTS):
        builders.member(workspace, f"sup{i}@race.test", role="supervisor")
        members.append(
            Membership.objects.select_related("user").get(
                workspace=workspace, user__email=f"sup{i}@race.test"
            )
        )
    dispute = open_dispute(
        workspace=workspace,
        order=order,
        actor=DisputeActor.agent(members[0]),
        reason="duplicate_charge",
        description="Charged twice.",
        desired_outcome="full_refund",
        amount=Money(9000, "EUR"),
    )
    assert dispute.state == State.IN_MEDIATION
    start = threading.Barrier(AGENTS)
    decided, refunds, refused, failures = [], [], [], []

    # When two decide a 90.00 refund and two refund 60.00 on the case, all at once
    def act(i):
        try:
            start.wait()
            if i % 2 == 0:
                decision = decide_dispute(
                    dispute=dispute,
                    actor=DisputeActor.agent(members[i]),
                    outcome="full_refund",
                    amount=None,
                    bearer="platform",
                    statement="Charged twice: the platform refunds the second charge.",
                )
                decided.append(decision.pk)
            else:
                refund_buyer(
                    workspace=workspace,
                    actor=MoneyActor.member(members[i]),
                    order=order,
                    amount=Money(6000, "EUR"),
                    bearer="platform",
                    reason="duplicate_charge",
                    idempotency_key=f"desk-{i}",
                )
                refunds.append(i)
        except ApplicationError as refusal:
            refused.append(refusal.code)
        except BaseException as exc:  # reported below, not swallowed
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(i,)) for i in range(AGENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then at most 125.00 was refunded, the dispute was decided once, the books balance
    assert failures == []
    assert len(decided) <= 1 and Decision.objects.filter(dispute=dispute).count() == len(decided)
    assert set(refused) <= {"refund_exceeds_capture", "invalid_transition"}
    allocated = RefundAllocation.objects.aggregate(total=Sum("amount"))["total"] or 0
    assert allocated == 9000 * len(decided) + 6000 * len(refunds)
    assert allocated <= 12500
    assert len(decided) + len(refunds) >= 1
    assert unbalanced_transactions(workspace=workspace) == []
