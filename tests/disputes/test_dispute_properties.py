"""Random sequences of dispute actions by random roles (with the clock moved forward for
the deadline sweep) never reach an invalid state, change nothing when refused, keep the
ledger balanced, never refund more than was captured, and replaying a money action with
its key changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ombuds.accounts.models import Membership
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.disputes import transitions
from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.models import (
    Decision,
    Dispute,
    DisputeEvent,
    Evidence,
    Offer,
    OfferKind,
    Outcome,
    State,
)
from ombuds.disputes.services import decisions, responses, settlement
from ombuds.disputes.services.opening import open_dispute
from ombuds.disputes.services.sweep import sweep_due_disputes
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.models import Entry, MoneyAction, RefundAllocation, Transaction
from ombuds.ledger.selectors import unbalanced_transactions
from ombuds.ledger.services import refund_buyer
from ombuds.marketplace.inputs import PaymentInput
from ombuds.marketplace.models import Payment
from ombuds.policies.services import open_default_policy, revise_policy
from tests import builders

TOTAL = 12500
ROLES = ("buyer", "seller", "agent", "colleague", "supervisor")
roles = st.sampled_from(ROLES)
amounts = st.one_of(st.none(), st.integers(min_value=1, max_value=TOTAL + 500))
bearers = st.sampled_from(["seller", "platform", "carrier", "buyer"])


def by(*likely: str):
    """Mostly whoever may take the action, sometimes anyone (to be refused)."""
    return st.one_of(st.sampled_from(likely), st.sampled_from(likely), roles)


class DisputeMachine(RuleBasedStateMachine):
    """One captured order of 125.00, its buyer and seller, and a desk of two agents and
    a supervisor, doing whatever they like to the order's dispute."""

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.workspace = builders.workspace("prop", prefix="PRP")
        buyer = builders.party(self.workspace, "B", name="Buyer", email="b@prop.test")
        seller = builders.party(
            self.workspace, "S", kind="seller", name="Seller", email="s@prop.test"
        )
        self.order = builders.order(
            self.workspace,
            "ORD",
            buyer=buyer,
            seller=seller,
            total=TOTAL,
            placed_at=timezone.now() - timedelta(days=4),
            payments=[PaymentInput("PAY", status="captured", amount=TOTAL, captured_amount=TOTAL)],
        )
        self.actors = {"buyer": DisputeActor.buyer(buyer), "seller": DisputeActor.seller(seller)}
        for name, role in (
            ("agent", "agent"),
            ("colleague", "agent"),
            ("supervisor", "supervisor"),
        ):
            builders.member(self.workspace, f"{name}@prop.test", role=role)
            membership = Membership.objects.select_related("user").get(
                workspace=self.workspace, user__email=f"{name}@prop.test"
            )
            self.actors[name] = DisputeActor.agent(membership)
        self.admin = builders.member(self.workspace, "admin@prop.test", role="admin")
        self.dispute: Dispute | None = None
        self.keys = 0
        self.money_calls: list[dict] = []
        self.decision_calls: list[dict] = []
        self.later = timedelta()

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers -----------------------------------------------------------------------

    def _key(self) -> str:
        self.keys += 1
        return f"prop-{self.keys}"

    def _snapshot(self):
        disputes = list(Dispute.objects.values_list("pk", "state", "ending", "frozen_at"))
        offers = list(Offer.objects.values_list("pk", "status"))
        return (
            disputes,
            offers,
            DisputeEvent.objects.count(),
            Decision.objects.count(),
            Evidence.objects.filter(locked_at__isnull=False).count(),
            MoneyAction.objects.count(),
            Transaction.objects.count(),
            Entry.objects.count(),
        )

    def _try(self, call):
        """Take an action; a refusal is part of the game if it is a clean 4xx that
        changed nothing."""
        before = self._snapshot()
        try:
            with transaction.atomic():
                return call()
        except ApplicationError as refusal:
            assert refusal.status in (403, 404, 409, 422), refusal.as_dict()
            assert self._snapshot() == before, refusal.as_dict()
            return None

    def _money(self, amount):
        return Money(amount, "EUR") if amount is not None else None

    # --- the actions --------------------------------------------------------------------

    @initialize(
        who=st.sampled_from(["buyer", "agent"]),
        reason=st.sampled_from(["not_received", "not_as_described", "duplicate_charge"]),
        amount=st.integers(min_value=1, max_value=TOTAL),
        silent_seller=st.sampled_from(["escalate", "decide"]),
    )
    def first_dispute(self, who, reason, amount, silent_seller):
        self.admin_changes_the_dispute_terms(silent_seller, "close", 48, 3)
        self.open(who, reason, amount)

    @precondition(lambda self: self.dispute is None or not self.dispute.is_open)
    @rule(
        who=st.sampled_from(["buyer", "agent"]),
        reason=st.sampled_from(["not_received", "not_as_described", "duplicate_charge"]),
        amount=st.integers(min_value=1, max_value=TOTAL),
    )
    def open(self, who, reason, amount):
        found = self._try(
            lambda: open_dispute(
                workspace=self.workspace,
                order=self.order,
                actor=self.actors[who],
                reason=reason,
                description="Something went wrong with this order.",
                desired_outcome="full_refund",
                amount=Money(amount, "EUR"),
            )
        )
        if found is not None:
            self.dispute = found

    @precondition(lambda self: self.dispute is not None)
    @rule(
        who=by("seller", "agent"),
        kind=st.sampled_from(OfferKind.values),
        amount=amounts,
        bearer=st.sampled_from(["seller", "platform"]),
    )
    def offer(self, who, kind, amount, bearer):
        self._try(
            lambda: responses.propose_offer(
                dispute=self.dispute,
                actor=self.actors[who],
                kind=kind,
                amount=self._money(amount),
                bearer=bearer,
            )
        )

    @precondition(lambda self: self.dispute is not None)
    @rule(who=by("seller"))
    def contest(self, who):
        self._try(
            lambda: responses.contest_claim(
                dispute=self.dispute, actor=self.actors[who], statement="It was delivered."
            )
        )

    @precondition(lambda self: self.dispute is not None)
    @rule(who=by("seller"))
    def accept_claim(self, who):
        self._try(lambda: settlement.accept_claim(dispute=self.dispute, actor=self.actors[who]))

    @precondition(lambda self: self.dispute is not None)
    @rule(who=by("buyer"))
    def accept_offer(self, who):
        self._try(lambda: settlement.accept_offer(dispute=self.dispute, actor=self.actors[who]))

    @precondition(lambda self: self.dispute is not None)
    @rule(who=by("buyer", "agent"))
    def escalate(self, who):
        self._try(lambda: responses.escalate_dispute(dispute=self.dispute, actor=self.actors[who]))

    @precondition(lambda self: self.dispute is not None)
    @rule(
        who=by("agent", "supervisor"),
        outcome=st.sampled_from(Outcome.values),
        amount=amounts,
        bearer=bearers,
    )
    def decide(self, who, outcome, amount, bearer):
        call = {
            "dispute": self.dispute,
            "actor": self.actors[who],
            "outcome": outcome,
            "amount": self._money(amount),
            "bearer": bearer,
            "statement": "Decided on the evidence.",
            "idempotency_key": self._key(),
        }
        if self._try(lambda: decisions.decide_dispute(**call)) is not None:
            self.decision_calls.append(call)

    @precondition(lambda self: self.dispute is not None)
    @rule(who=by("buyer", "seller"))
    def appeal(self, who):
        self._try(
            lambda: decisions.appeal_decision(
                dispute=self.dispute, actor=self.actors[who], grounds="I disagree."
            )
        )

    @precondition(lambda self: self.dispute is not None)
    @rule(
        who=by("colleague", "supervisor"),
        verdict=st.sampled_from(["uphold", "revise"]),
        outcome=st.sampled_from(Outcome.values),
        amount=amounts,
        bearer=bearers,
    )
    def review(self, who, verdict, outcome, amount, bearer):
        self._try(
            lambda: decisions.review_appeal(
                dispute=self.dispute,
                actor=self.actors[who],
                verdict=verdict,
                statement="Reviewed.",
                outcome=outcome,
                amount=self._money(amount),
                bearer=bearer,
            )
        )

    @precondition(lambda self: self.dispute is not None)
    @rule(who=roles)
    def withdraw(self, who):
        self._try(lambda: responses.withdraw_dispute(dispute=self.dispute, actor=self.actors[who]))

    @precondition(lambda self: self.dispute is not None)
    @rule(who=roles)
    def resolve(self, who):
        self._try(
            lambda: settlement.resolve_dispute(
                dispute=self.dispute, actor=self.actors[who], note="Sorted out."
            )
        )

    @rule(
        silent_seller=st.sampled_from(["escalate", "decide"]),
        silent_buyer=st.sampled_from(["close", "escalate"]),
        contact_hours=st.sampled_from([0, 48]),
        seller_days=st.integers(min_value=1, max_value=5),
    )
    def admin_changes_the_dispute_terms(
        self, silent_seller, silent_buyer, contact_hours, seller_days
    ):
        # Mid-process: a running deadline stays; silence is judged by the new terms.
        version = open_default_policy(workspace=self.workspace)
        document = {
            **version.document,
            "disputes": {
                **version.document.get("disputes", {}),
                "silent_seller": silent_seller,
                "silent_buyer": silent_buyer,
                "contact_hours": contact_hours,
                "seller_days": seller_days,
            },
        }
        revise_policy(
            workspace=self.workspace, by=self.admin, document=document, based_on=version.number
        )

    @rule(days=st.integers(min_value=1, max_value=40))
    def time_passes(self, days):
        self.later += timedelta(days=days)
        sweep_due_disputes(now=timezone.now() + self.later)

    @rule(
        who=st.sampled_from(["agent", "supervisor"]),
        amount=st.integers(min_value=1, max_value=TOTAL + 500),
        bearer=st.sampled_from(["seller", "platform", "carrier"]),
    )
    def agent_refunds(self, who, amount, bearer):
        actor = self.actors[who]
        call = {
            "workspace": self.workspace,
            "actor": MoneyActor(user=actor.user, role=actor.member_role),
            "order": self.order,
            "amount": Money(amount, "EUR"),
            "bearer": bearer,
            "reason": "not_received",
            "idempotency_key": self._key(),
        }
        if self._try(lambda: refund_buyer(**call)) is not None:
            self.money_calls.append(call)

    @precondition(lambda self: self.money_calls or self.decision_calls)
    @rule(data=st.data())
    def replay(self, data):
        before = self._snapshot()
        if self.money_calls and (not self.decision_calls or data.draw(st.booleans())):
            call = data.draw(st.sampled_from(self.money_calls))
            result = refund_buyer(**call)
            assert result.replayed
        else:
            call = data.draw(st.sampled_from(self.decision_calls))
            decisions.decide_dispute(**call)
        assert self._snapshot() == before

    # --- what must always hold ---------------------------------------------------------

    @invariant()
    def the_state_is_a_state(self):
        for state in Dispute.objects.values_list("state", flat=True):
            assert state in State.values

    @invariant()
    def the_history_only_takes_moves_of_the_table(self):
        for move in DisputeEvent.objects.values_list("action", "from_state", "to_state"):
            assert move in transitions.ALLOWED_MOVES, move

    @invariant()
    def the_ledger_balances(self):
        assert unbalanced_transactions(workspace=self.workspace) == []
        totals = Entry.objects.values("currency").annotate(total=Sum("amount"))
        assert all(row["total"] == 0 for row in totals)

    @invariant()
    def refunds_never_exceed_captures(self):
        for payment in Payment.objects.filter(workspace=self.workspace):
            live = RefundAllocation.objects.filter(payment=payment, released=False)
            pending = live.filter(settled_at__isnull=True).aggregate(t=Sum("amount"))["t"] or 0
            assert payment.refunded_amount + pending <= payment.captured_amount


@pytest.mark.django_db
def test_dispute_actions_in_any_order_keep_the_process_and_the_books_straight():
    run_state_machine_as_test(
        DisputeMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
