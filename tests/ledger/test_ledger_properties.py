"""Random sequences of money actions never unbalance the ledger, never refund more than
was captured, and replaying any of them with its key changes nothing."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ombuds.accounts.models import Membership
from ombuds.accounts.services import add_member, create_workspace
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.models import (
    AccountKind,
    ApprovalRequest,
    Entry,
    MoneyAction,
    RefundAllocation,
    Transaction,
)
from ombuds.ledger.selectors import unbalanced_transactions
from ombuds.ledger.services import (
    credit_buyer,
    decide_approval,
    refund_buyer,
    reverse_transaction,
    settle_refund,
)
from ombuds.ledger.tallies import tally_mismatches
from ombuds.marketplace.inputs import OrderInput, PaymentInput
from ombuds.marketplace.models import Payment
from ombuds.marketplace.services import upsert_order, upsert_party

PAYMENTS = {"PAY-1": 10000, "PAY-2": 5000}  # external id -> amount authorised
ROLES = ("agent", "supervisor", "finance")
amounts = st.integers(min_value=1, max_value=16000)
bearers = st.sampled_from(["seller", "platform", "carrier"])
roles = st.sampled_from(ROLES)


class MoneyMachine(RuleBasedStateMachine):
    """One order with two payments the platform captures bit by bit, and a desk of an
    agent, a supervisor and finance moving money on it."""

    asked = Bundle("asked")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.workspace = create_workspace(slug="prop", name="Prop", case_prefix="PRP")
        self.buyer = upsert_party(
            workspace=self.workspace, external_id="B", kind="buyer", name="Buyer"
        )[0]
        upsert_party(workspace=self.workspace, external_id="S", kind="seller", name="Seller")
        self.captured = dict.fromkeys(PAYMENTS, 0)
        self.order = self._upsert()
        self.actors = {}
        for role in ROLES:
            add_member(workspace=self.workspace, email=f"{role}@prop.test", role=role)
            membership = Membership.objects.select_related("user").get(
                workspace=self.workspace, user__email=f"{role}@prop.test"
            )
            self.actors[role] = MoneyActor.member(membership)
        self.keys = 0
        self.movements: list[Transaction] = []

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _upsert(self):
        refunded = dict(
            Payment.objects.filter(workspace=self.workspace).values_list(
                "external_id", "refunded_amount"
            )
        )
        spec = OrderInput(
            buyer="B",
            seller="S",
            kind="goods",
            currency="EUR",
            total=sum(PAYMENTS.values()),
            payments=[
                PaymentInput(
                    ext,
                    status="captured" if self.captured[ext] else "authorized",
                    amount=amount,
                    captured_amount=self.captured[ext],
                    refunded_amount=refunded.get(ext, 0),
                )
                for ext, amount in PAYMENTS.items()
            ],
        )
        return upsert_order(workspace=self.workspace, external_id="ORD", spec=spec)[0]

    def _key(self) -> str:
        self.keys += 1
        return f"key-{self.keys}"

    def _try(self, call):
        """Run a money action; refusals are part of the game, as long as they are ours."""
        try:
            with transaction.atomic():
                result = call()
        except ApplicationError as refusal:
            assert refusal.status in (403, 409, 422), refusal.as_dict()
            return None
        moved = getattr(result, "transaction", None) or result
        if isinstance(moved, Transaction):
            self.movements.append(moved)
        return result

    def _snapshot(self):
        return (
            Transaction.objects.count(),
            Entry.objects.count(),
            MoneyAction.objects.count(),
            ApprovalRequest.objects.count(),
            list(Payment.objects.order_by("pk").values_list("refunded_amount", flat=True)),
        )

    # --- what the platform does --------------------------------------------------------

    @rule(payment=st.sampled_from(sorted(PAYMENTS)), share=st.integers(1, 100))
    def platform_captures(self, payment, share):
        self.captured[payment] = max(self.captured[payment], PAYMENTS[payment] * share // 100)
        self.order = self._upsert()

    # --- what the desk does ------------------------------------------------------------

    @rule(target=asked, amount=amounts, bearer=bearers, role=roles)
    def refund(self, amount, bearer, role):
        kwargs = dict(
            workspace=self.workspace,
            actor=self.actors[role],
            order=self.order,
            amount=Money(amount, "EUR"),
            bearer=bearer,
            reason="not_received",
            idempotency_key=self._key(),
        )
        result = self._try(lambda: refund_buyer(**kwargs))
        return (refund_buyer, kwargs, result)

    @rule(target=asked, amount=amounts, role=roles)
    def credit(self, amount, role):
        kwargs = dict(
            workspace=self.workspace,
            actor=self.actors[role],
            buyer=self.buyer,
            amount=Money(amount, "EUR"),
            bearer="platform",
            reason="late_delivery",
            idempotency_key=self._key(),
        )
        result = self._try(lambda: credit_buyer(**kwargs))
        return (credit_buyer, kwargs, result)

    @precondition(lambda self: self.movements)
    @rule(target=asked, data=st.data(), role=roles)
    def reverse(self, data, role):
        movement = data.draw(st.sampled_from(self.movements))
        kwargs = dict(
            workspace=self.workspace,
            actor=self.actors[role],
            transaction=movement,
            idempotency_key=self._key(),
        )
        result = self._try(lambda: reverse_transaction(**kwargs))
        return (reverse_transaction, kwargs, result)

    @precondition(lambda self: any(m.kind == "refund" for m in self.movements))
    @rule(data=st.data())
    def psp_pays_out(self, data):
        refund = data.draw(st.sampled_from([m for m in self.movements if m.kind == "refund"]))
        self._try(
            lambda: settle_refund(
                workspace=self.workspace, refund=refund, actor=MoneyActor.system("psp")
            )
        )

    @precondition(lambda self: ApprovalRequest.objects.filter(status="pending").exists())
    @rule(approve=st.booleans(), role=st.sampled_from(["supervisor", "finance"]))
    def decide_oldest(self, approve, role):
        approval = ApprovalRequest.objects.filter(status="pending").order_by("pk").first()
        self._try(
            lambda: decide_approval(
                workspace=self.workspace,
                approval=approval,
                actor=self.actors[role],
                approve=approve,
                note="" if approve else "No.",
            )
        )

    @rule(request=consumes(asked))
    def replay(self, request):
        action, kwargs, first = request
        if action is None or first is None:
            return
        before = self._snapshot()
        again = action(**kwargs)
        assert again.replayed
        assert again.action.pk == first.action.pk
        assert self._snapshot() == before

    @rule(request=asked, amount=amounts)
    def same_key_other_request(self, request, amount):
        action, kwargs, first = request
        if action is None or first is None or "amount" not in kwargs:
            return
        if amount == kwargs["amount"].amount:
            return
        before = self._snapshot()
        with pytest.raises(ApplicationError) as refused:
            action(**{**kwargs, "amount": Money(amount, "EUR")})
        assert (refused.value.code, refused.value.status) == ("idempotency_key_reused", 409)
        assert self._snapshot() == before

    # --- what must always hold ---------------------------------------------------------

    @invariant()
    def every_transaction_balances(self):
        assert unbalanced_transactions(workspace=self.workspace) == []

    @invariant()
    def refunds_never_exceed_captures(self):
        pending = dict(
            RefundAllocation.objects.filter(settled_at__isnull=True, released=False)
            .values("payment_id")
            .annotate(total=Sum("amount"))
            .values_list("payment_id", "total")
        )
        for payment in Payment.objects.filter(workspace=self.workspace):
            assert payment.refunded_amount + pending.get(payment.pk, 0) <= payment.captured_amount

    @invariant()
    def the_cost_tallies_agree_with_the_transactions(self):
        assert tally_mismatches(workspace=self.workspace) == {}

    @invariant()
    def accounts_agree_with_the_refunds(self):
        entries = Entry.objects.filter(workspace=self.workspace)

        def total(query):
            return query.aggregate(total=Sum("amount"))["total"] or 0

        live = RefundAllocation.objects.filter(released=False)
        pending = live.filter(settled_at__isnull=True).aggregate(t=Sum("amount"))["t"] or 0
        paid = live.filter(settled_at__isnull=False).aggregate(t=Sum("amount"))["t"] or 0
        booked = total(
            entries.filter(transaction__kind="capture", account__kind=AccountKind.PSP_CLEARING)
        )
        # What is owed to the buyer is exactly the refunds not yet paid out…
        assert total(entries.filter(account__kind=AccountKind.BUYER_REFUNDS_PAYABLE)) == -pending
        # …and the PSP holds what was captured less what it paid back on the desk's word.
        assert total(entries.filter(account__kind=AccountKind.PSP_CLEARING)) == booked - paid
        assert paid <= booked <= sum(self.captured.values())


@pytest.mark.django_db
def test_money_actions_in_any_order_keep_the_books_straight():
    run_state_machine_as_test(
        MoneyMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
