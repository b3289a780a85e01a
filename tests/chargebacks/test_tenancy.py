"""One workspace's Stripe account, secret and charges never reach another's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ombuds.chargebacks.connections import ConnectionInput, connect_psp
from ombuds.chargebacks.models import Chargeback, PspEvent
from ombuds.chargebacks.receiving import process_pending_events
from tests import builders

from . import documented as doc
from .conftest import paid_order, post_event

OTHER_SECRET = "whsec_otherWorkspace000000"
DUE = datetime.now(UTC) + timedelta(days=5)


@pytest.fixture
def other_stripe(other_workspace):
    admin = builders.member(other_workspace, "admin@other.test", role="admin")
    return connect_psp(
        workspace=other_workspace,
        by=admin,
        spec=ConnectionInput(
            provider="stripe",
            name="Stripe",
            account_id="acct_1OtherPlatform0",
            secret_key="sk_test_51OtherWorkspaceKey0000",
            webhook_secret=OTHER_SECRET,
        ),
    )


@pytest.fixture
def other_order(other_workspace):
    buyer = builders.party(other_workspace, "OB-1", name="Olga", email="olga@example.com")
    seller = builders.party(other_workspace, "OS-1", kind="seller", name="Other Shop")
    return paid_order(other_workspace, "OTH-1", buyer=buyer, seller=seller, charge="ch_3Other01")


def test_another_workspaces_charge_does_not_land_here(
    client, stripe_connection, other_stripe, other_order
):
    payload = doc.event("charge.dispute.created", doc.dispute(charge="ch_3Other01", due_by=DUE))
    assert post_event(client, stripe_connection, payload).status_code == 200
    process_pending_events()
    assert PspEvent.objects.get().outcome == "unknown_charge"
    assert not Chargeback.objects.exists()
    assert not other_order.cases.exists()


def test_the_same_charge_id_in_two_workspaces_stays_apart(
    client, workspace, buyer, seller, stripe_connection, other_stripe, other_order
):
    mine = paid_order(workspace, "ORD-9", buyer=buyer, seller=seller, charge="ch_3Other01")
    payload = doc.event("charge.dispute.created", doc.dispute(charge="ch_3Other01", due_by=DUE))
    post_event(client, stripe_connection, payload)
    process_pending_events()
    chargeback = Chargeback.objects.get()
    assert chargeback.workspace == workspace and chargeback.order == mine
    assert chargeback.case.workspace == workspace


def test_another_workspaces_secret_opens_nothing_here(
    client, stripe_connection, other_stripe, order
):
    payload = doc.event("charge.dispute.created", doc.dispute(due_by=DUE))
    response = post_event(client, stripe_connection, payload, secret=OTHER_SECRET)
    assert response.status_code == 401
    assert not PspEvent.objects.exists()


def test_the_same_event_id_in_two_workspaces_is_two_events(
    client, workspace, stripe_connection, other_stripe, other_order, order
):
    shared = "evt_1SharedAcrossTenants"
    mine = doc.event("charge.dispute.created", doc.dispute(due_by=DUE), ident=shared)
    theirs = doc.event(
        "charge.dispute.created", doc.dispute(charge="ch_3Other01", due_by=DUE), ident=shared
    )
    post_event(client, stripe_connection, mine)
    post_event(client, other_stripe, theirs, secret=OTHER_SECRET)
    process_pending_events()
    assert PspEvent.objects.count() == 2
    assert {c.workspace_id for c in Chargeback.objects.all()} == {
        workspace.pk,
        other_stripe.workspace_id,
    }


def test_a_connected_accounts_event_is_ignored_without_connect(client, stripe_connection, order):
    payload = doc.event(
        "charge.dispute.created", doc.dispute(due_by=DUE), account="acct_1SomeSellerAccount"
    )
    post_event(client, stripe_connection, payload)
    process_pending_events()
    assert PspEvent.objects.get().outcome == "other_account"
    assert not Chargeback.objects.exists()
