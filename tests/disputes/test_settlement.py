"""Settling between the parties: the seller accepts, the buyer takes an offer, or an agent
closes it as sorted out; what it pays moves through the ledger once."""

from __future__ import annotations

import pytest

from ombuds.core.errors import ApplicationError
from ombuds.core.models import WebhookDelivery
from ombuds.core.money import Money
from ombuds.disputes.models import Ending, OfferStatus, State
from ombuds.disputes.services.responses import propose_offer
from ombuds.disputes.services.settlement import accept_claim, accept_offer, resolve_dispute
from ombuds.ledger.models import MoneyAction
from tests.disputes.helpers import books_straight, endpoint, in_mediation, movements, refunded, told


def eur(cents):
    return Money(cents, "EUR")


def test_the_seller_accepting_refunds_the_claim_at_their_cost(workspace, dispute, seller_actor):
    endpoint(workspace)

    accept_claim(dispute=dispute, actor=seller_actor, note="Sorry, we will refund.")

    dispute.refresh_from_db()
    assert (dispute.state, dispute.ending) == (State.RESOLVED, Ending.SELLER_ACCEPTED)
    [refund] = movements(dispute)
    # Above an agent's limit, but the seller agreed to pay it: nothing waits for approval.
    assert (refund.kind, refund.amount, refund.bearer) == ("refund", 12500, "seller")
    assert "accepted your claim" in told(dispute) and "€125.00 is refunded to you" in told(dispute)
    hook = WebhookDelivery.objects.get(event="dispute.settled")
    assert hook.payload["money"]["transaction"] == refund.pk
    books_straight(workspace)


def test_accepting_twice_moves_the_money_once(workspace, dispute, seller_actor):
    accept_claim(dispute=dispute, actor=seller_actor)

    with pytest.raises(ApplicationError) as again:
        accept_claim(dispute=dispute, actor=seller_actor)

    assert (again.value.code, again.value.status) == ("invalid_transition", 409)
    assert len(movements(dispute)) == 1 and refunded(dispute) == 12500


def test_only_the_seller_accepts_the_claim(dispute, buyer_actor, agent_one):
    for actor in (buyer_actor, agent_one):
        with pytest.raises(ApplicationError) as refused:
            accept_claim(dispute=dispute, actor=actor)
        assert refused.value.status == 403
    dispute.refresh_from_db()
    assert dispute.state == State.AWAITING_SELLER and not MoneyAction.objects.exists()


@pytest.mark.parametrize(
    ("kind", "amount", "moved"),
    [
        ("partial_refund", 3000, ("refund", 3000)),
        ("return_and_refund", 12500, ("refund", 12500)),
        ("credit", 1000, ("credit", 1000)),
        ("replacement", None, None),
    ],
)
def test_accepting_an_offer_pays_what_it_says(
    workspace, dispute, seller_actor, buyer_actor, kind, amount, moved
):
    offer = propose_offer(
        dispute=dispute,
        actor=seller_actor,
        kind=kind,
        amount=eur(amount) if amount else None,
    )

    accept_offer(dispute=dispute, actor=buyer_actor, offer_number=offer.number)

    dispute.refresh_from_db()
    offer.refresh_from_db()
    assert (dispute.state, dispute.ending) == (State.RESOLVED, Ending.OFFER_ACCEPTED)
    assert offer.status == OfferStatus.ACCEPTED
    found = [(tx.kind, tx.amount) for tx in movements(dispute)]
    assert found == ([moved] if moved else [])
    assert all(tx.bearer == "seller" for tx in movements(dispute))
    books_straight(workspace)


def test_no_offer_no_acceptance(dispute, seller_actor, buyer_actor):
    offer = propose_offer(
        dispute=dispute, actor=seller_actor, kind="partial_refund", amount=eur(3000)
    )

    with pytest.raises(ApplicationError) as wrong:
        accept_offer(dispute=dispute, actor=buyer_actor, offer_number=offer.number + 1)
    assert (wrong.value.code, wrong.value.status) == ("no_pending_offer", 409)
    with pytest.raises(ApplicationError) as seller:
        accept_offer(dispute=dispute, actor=seller_actor)
    assert seller.value.status == 403
    assert not MoneyAction.objects.exists()


def test_a_platform_settlement_above_the_agents_authority_waits(
    workspace, dispute, agent_one, buyer_actor
):
    in_mediation(dispute, agent_one)
    propose_offer(
        dispute=dispute,
        actor=agent_one,
        kind="partial_refund",
        amount=eur(11000),
        bearer="platform",
    )

    accept_offer(dispute=dispute, actor=buyer_actor)

    dispute.refresh_from_db()
    assert dispute.state == State.RESOLVED
    [action] = MoneyAction.objects.all()
    assert (action.status, action.amount, action.params["bearer"]) == (
        "awaiting_approval",
        11000,
        "platform",
    )
    assert action.requested_by == agent_one.user and movements(dispute) == []


def test_an_agent_resolves_without_money(workspace, dispute, agent_one):
    endpoint(workspace)
    with pytest.raises(ApplicationError) as bare:
        resolve_dispute(dispute=dispute, actor=agent_one, note="")
    assert (bare.value.code, bare.value.status) == ("note_required", 422)

    resolve_dispute(dispute=dispute, actor=agent_one, note="The parcel turned up next door.")

    dispute.refresh_from_db()
    assert (dispute.state, dispute.ending) == (State.RESOLVED, Ending.RESCUED)
    assert movements(dispute) == [] and "is resolved" in told(dispute)
    assert WebhookDelivery.objects.filter(event="dispute.settled").count() == 1


def test_another_workspaces_party_cannot_settle(workspace, other_workspace, dispute):
    from ombuds.disputes.actors import DisputeActor
    from tests import builders

    stranger = builders.party(other_workspace, "S-1", kind="seller", name="Sam Elsewhere")

    with pytest.raises(ApplicationError) as refused:
        accept_claim(dispute=dispute, actor=DisputeActor.seller(stranger))

    assert refused.value.status == 404 and not MoneyAction.objects.exists()
