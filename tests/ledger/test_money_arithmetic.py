"""Properties of the ledger's arithmetic: legs always balance, refunds spread over
payments add up and stay within each payment, budgets never exceed share or cap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ombuds.core.money import Money
from ombuds.ledger.legs import _pair, capture_legs, payout_legs
from ombuds.ledger.models import AccountKind
from ombuds.ledger.postings import AccountRef, Leg, UnbalancedTransaction, check_balanced
from ombuds.ledger.room import PaymentRoom, allocate
from ombuds.marketplace.models import Order, Payment
from ombuds.policies.document import default_policy

amounts = st.integers(min_value=1, max_value=10**12)
currencies = st.sampled_from(["EUR", "USD", "JPY", "KWD"])
PLATFORM = AccountRef(AccountKind.PLATFORM_COST)
CLEARING = AccountRef(AccountKind.PSP_CLEARING)


@given(amounts, currencies)
def test_every_pair_of_legs_balances(amount, currency):
    check_balanced(_pair(PLATFORM, CLEARING, Money(amount, currency)))
    check_balanced(payout_legs(7, Money(amount, currency)))
    order = Order(seller_id=3, currency=currency)
    check_balanced(capture_legs(order, Money(-amount, currency)))


@given(st.lists(st.tuples(amounts, currencies), min_size=1, max_size=6))
def test_legs_that_cancel_per_currency_balance_and_others_are_refused(parts):
    legs = [Leg(PLATFORM, a, c) for a, c in parts] + [Leg(CLEARING, -a, c) for a, c in parts]
    check_balanced(legs)
    # Moving one leg to another currency breaks the balance of both.
    broken = [Leg(PLATFORM, parts[0][0], "GBP"), *legs[1:]]
    with pytest.raises(UnbalancedTransaction):
        check_balanced(broken)


def test_a_lone_or_empty_leg_is_refused():
    for legs in ([], [Leg(PLATFORM, 1, "EUR")], [Leg(PLATFORM, 0, "EUR"), Leg(CLEARING, 0, "EUR")]):
        with pytest.raises(UnbalancedTransaction):
            check_balanced(legs)


room_sizes = st.lists(
    st.tuples(st.integers(0, 10**7), st.integers(0, 10**7), st.integers(0, 10**7)),
    min_size=1,
    max_size=5,
)


@given(room_sizes, st.data())
def test_a_refund_spread_over_payments_adds_up_and_fits_each(sizes, data):
    rooms = []
    for i, (captured, refunded, pending) in enumerate(sizes):
        refunded = min(refunded, captured)
        payment = Payment(pk=i + 1, captured_amount=captured, refunded_amount=refunded)
        rooms.append(PaymentRoom(payment, min(pending, captured - refunded)))
    available = sum(r.room for r in rooms)
    if available == 0:
        return
    amount = data.draw(st.integers(1, available))
    parts = allocate(amount, rooms)
    assert sum(part for _, part in parts) == amount
    by_payment = {r.payment.pk: r.room for r in rooms}
    assert all(0 < part <= by_payment[p.pk] for p, part in parts)
    # The earliest payments are used up first: only the last one used can be partial.
    used = [p.pk for p, _ in parts]
    assert used == sorted(used)
    for payment, part in parts[:-1]:
        assert part == by_payment[payment.pk]


@given(st.integers(0, 10**12), st.sampled_from(["rebooking", "compensation"]), currencies)
def test_a_budget_never_exceeds_its_share_or_its_cap(total, kind, currency):
    policy = default_policy()
    budget = policy.budget(kind, Money(total, currency))
    rule = policy.budgets[kind]
    assert 0 <= budget.amount <= total * rule.share_bp // 10_000
    if currency in rule.caps:
        assert budget.amount <= rule.caps[currency]
    # More order means at least as much budget.
    assert policy.budget(kind, Money(total + 1, currency)).amount >= budget.amount
