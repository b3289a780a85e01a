"""Who bears the cost: the party at fault sorts it out, and the answer names its rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.marketplace.inputs import BookingInput, ShipmentInput
from ombuds.policies.document import default_document, default_policy
from ombuds.policies.fault import apply_fault_rules, attribute_fault, return_window
from ombuds.policies.selectors import current_policy
from ombuds.policies.services import revise_policy
from tests import builders

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def seller(workspace):
    return builders.party(workspace, "S-1", kind="seller", name="Sam Seller")


def parcel(workspace, buyer, seller, status="delivered", delivered_days_ago=3, ref="ORD-1"):
    return builders.order(
        workspace,
        ref,
        buyer=buyer,
        seller=seller,
        placed_at=NOW - timedelta(days=10),
        shipments=[
            ShipmentInput(
                f"{ref}-SH",
                carrier="PostNL",
                status=status,
                delivered_at=NOW - timedelta(days=delivered_days_ago)
                if status == "delivered"
                else None,
            )
        ],
    )


@pytest.mark.parametrize(
    ("cause", "at_fault", "bears", "return_by", "shipping"),
    [
        ("not_as_described", "seller", "seller", "seller", "seller"),
        ("wrong_address", "buyer", "buyer", "buyer", "buyer"),
        ("wrong_size", "buyer", "buyer", "buyer", "buyer"),
        ("carrier_loss", "carrier", "carrier", "none", None),
        ("platform_error", "platform", "platform", "none", None),
    ],
)
def test_the_party_at_fault_bears_it(
    workspace, buyer, seller, cause, at_fault, bears, return_by, shipping
):
    order = parcel(workspace, buyer, seller)
    found = attribute_fault(policy=current_policy(workspace), cause=cause, order=order, at=NOW)
    assert (found.at_fault, found.bears, found.return_by, found.return_shipping_paid_by) == (
        at_fault,
        bears,
        return_by,
        shipping,
    )
    assert found.rule == f"fault.{cause}"
    assert found.policy_number == 1
    assert found.ledger_bearer == (None if bears == "buyer" else bears)


def test_a_buyer_who_changed_their_mind_pays_postage_as_the_return_rule_says(
    workspace, buyer, seller
):
    admin = builders.member(workspace, "admin@resale.test", role="admin")
    order = parcel(workspace, buyer, seller)
    assert (
        attribute_fault(
            policy=current_policy(workspace), cause="changed_mind", order=order, at=NOW
        ).return_shipping_paid_by
        == "buyer"
    )
    document = default_document()
    document["returns"]["goods"]["shipping_paid_by"] = "platform"
    revise_policy(workspace=workspace, by=admin, document=document, based_on=1)
    found = attribute_fault(
        policy=current_policy(workspace), cause="changed_mind", order=order, at=NOW
    )
    assert found.return_shipping_paid_by == "platform"
    assert found.policy_number == 2


def test_a_changed_rule_changes_who_bears_it_and_says_which_version(workspace, buyer, seller):
    admin = builders.member(workspace, "admin@resale.test", role="admin")
    document = default_document()
    document["fault_rules"]["carrier_loss"]["bears"] = "platform"
    revise_policy(workspace=workspace, by=admin, document=document, based_on=1)
    found = attribute_fault(
        policy=current_policy(workspace),
        cause="carrier_loss",
        order=parcel(workspace, buyer, seller),
    )
    assert (found.bears, found.policy_number) == ("platform", 2)


def test_the_return_window_runs_from_delivery_for_goods(workspace, buyer, seller):
    policy = current_policy(workspace)
    fresh = parcel(workspace, buyer, seller, delivered_days_ago=3)
    window = return_window(policy, fresh)
    assert window.days == 14
    assert window.closes_at == NOW - timedelta(days=3) + timedelta(days=14)
    assert window.is_open(NOW)
    old = parcel(workspace, buyer, seller, delivered_days_ago=20, ref="ORD-2")
    assert not return_window(policy, old).is_open(NOW)
    found = attribute_fault(policy=policy, cause="wrong_size", order=old, at=NOW)
    assert found.return_window_open is False


def test_tickets_cannot_be_returned(workspace, buyer, seller):
    order = builders.order(workspace, "T-1", buyer=buyer, seller=seller, kind="event_ticket")
    assert not return_window(current_policy(workspace), order).is_open(NOW)


@pytest.mark.parametrize(
    ("reason", "shipment", "cause"),
    [
        ("not_received", "lost", "carrier_loss"),
        ("damaged", "damaged", "carrier_damage"),
        ("late_delivery", "delayed", "carrier_delay"),
        ("not_as_described", "delivered", "not_as_described"),
        ("duplicate_charge", "delivered", "duplicate_charge"),
    ],
)
def test_the_orders_data_shows_the_cause(workspace, buyer, seller, reason, shipment, cause):
    order = parcel(workspace, buyer, seller, status=shipment)
    found = apply_fault_rules(policy=current_policy(workspace), reason=reason, order=order, at=NOW)
    assert (found.cause, found.inferred) == (cause, True)


def test_a_failed_transfer_is_the_sellers(workspace, buyer, seller):
    order = builders.order(
        workspace,
        "T-1",
        buyer=buyer,
        seller=seller,
        kind="event_ticket",
        bookings=[
            BookingInput("BK-1", kind="event_ticket", title="Concert", transfer_status="failed")
        ],
    )
    found = apply_fault_rules(policy=current_policy(workspace), reason="not_received", order=order)
    assert (found.cause, found.bears) == ("transfer_not_made", "seller")


def test_when_the_data_does_not_say_a_person_must(workspace, buyer, seller):
    order = parcel(workspace, buyer, seller, status="delivered")
    policy = current_policy(workspace)
    with pytest.raises(ApplicationError) as refused:
        apply_fault_rules(policy=policy, reason="not_received", order=order)
    assert (refused.value.code, refused.value.status) == ("cause_needed", 422)
    named = apply_fault_rules(
        policy=policy, reason="not_received", order=order, cause="wrong_address"
    )
    assert (named.bears, named.inferred) == ("buyer", False)


def test_unknown_codes_are_refused(workspace):
    policy = current_policy(workspace)
    with pytest.raises(ApplicationError) as refused:
        attribute_fault(policy=policy, cause="act_of_god")
    assert refused.value.code == "unknown_cause"
    with pytest.raises(ApplicationError) as refused:
        apply_fault_rules(policy=policy, reason="meh")
    assert refused.value.code == "unknown_reason"


def test_budgets_are_a_share_of_the_total_capped_per_currency():
    policy = default_policy()
    # 25 % of 400.00 is 100.00, under the 250.00 cap
    assert policy.budget("rebooking", Money(40000, "EUR")) == Money(10000, "EUR")
    # 25 % of 2,000.00 would be 500.00: capped at 250.00
    assert policy.budget("rebooking", Money(200000, "EUR")) == Money(25000, "EUR")
    # No cap set for yen: the share alone
    assert policy.budget("rebooking", Money(40000, "JPY")) == Money(10000, "JPY")
