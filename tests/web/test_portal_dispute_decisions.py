"""The decision in the buyer's and the seller's portal: accepting an offer or the claim,
reading the decision and its reasons, appealing once within the window; refusals say
why and change nothing, and no one reaches another's dispute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ombuds.accounts.models import Membership
from ombuds.core.money import Money
from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.models import Dispute, State
from ombuds.disputes.services.decisions import decide_dispute
from ombuds.disputes.services.responses import escalate_dispute, propose_offer
from ombuds.marketplace.inputs import PaymentInput
from ombuds.marketplace.models import PartyIdentity
from ombuds.web.portal import magic_links
from tests import builders
from tests.disputes.conftest import claim

REASONS = "The photos show a stain the listing did not mention."


@pytest.fixture
def order(workspace, buyer, seller):
    return builders.order(
        workspace,
        "ORD-55",
        buyer=buyer,
        seller=seller,
        total=8000,
        payments=[PaymentInput("P-55", status="captured", amount=8000, captured_amount=8000)],
    )


@pytest.fixture
def desk_agent(workspace, agent):
    return DisputeActor.agent(
        Membership.objects.select_related("user").get(workspace=workspace, user=agent)
    )


@pytest.fixture
def dispute(workspace, order, buyer):
    return claim(workspace, order, DisputeActor.buyer(buyer), reason="not_as_described")


@pytest.fixture
def decided(dispute, desk_agent):
    escalate_dispute(dispute=dispute, actor=desk_agent, note="")
    decide_dispute(
        dispute=Dispute.objects.get(pk=dispute.pk),
        actor=desk_agent,
        outcome="partial_refund",
        amount=Money(3000, "EUR"),
        bearer="seller",
        statement=REASONS,
    )
    return Dispute.objects.get(pk=dispute.pk)


@pytest.fixture
def buyer_client(client, workspace, buyer):
    identity = PartyIdentity.objects.get(party=buyer, kind="email")
    client.get(f"/help/{workspace.slug}/portal/login/{magic_links.make_token(identity)}/")
    return client


@pytest.fixture
def seller_client(seller):
    client = Client()
    identity = PartyIdentity.objects.get(party=seller, kind="email")
    token = magic_links.make_token(identity, audience=magic_links.SELLER)
    client.get(f"/help/resale/seller/login/{token}/")
    return client


def _buyer(dispute, action=""):
    return f"/help/resale/portal/disputes/{dispute.reference}/{action}"


def _seller(dispute, action=""):
    return f"/help/resale/seller/disputes/{dispute.reference}/{action}"


def test_the_buyer_accepts_the_sellers_offer(buyer_client, dispute, seller):
    propose_offer(
        dispute=dispute,
        actor=DisputeActor.seller(seller),
        kind="partial_refund",
        amount=Money(2000, "EUR"),
        note="Sorry about the stain.",
    )
    assert b'id="accept-offer"' in buyer_client.get(_buyer(dispute)).content

    response = buyer_client.post(_buyer(dispute, "accept_offer/"), {"offer": "1"})

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == State.RESOLVED
    assert dispute.offers.get().status == "accepted"


def test_accepting_when_no_offer_waits_says_why(buyer_client, dispute):
    response = buyer_client.post(_buyer(dispute, "accept_offer/"), {"offer": "1"})

    assert 400 <= response.status_code < 500
    page = response.content.decode()
    assert "no offer waiting" in page or "not possible at this stage" in page
    assert Dispute.objects.get(pk=dispute.pk).state == dispute.state


def test_the_seller_accepts_the_claim(seller_client, dispute):
    page = seller_client.get(_seller(dispute)).content.decode()
    assert 'id="accept-form"' in page

    response = seller_client.post(_seller(dispute, "accept/"), {"note": "Our mistake."})

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == State.RESOLVED and dispute.ending == "seller_accepted"


def test_both_parties_read_the_decision_and_its_reasons(buyer_client, seller_client, decided):
    for page in (
        buyer_client.get(_buyer(decided)).content.decode(),
        seller_client.get(_seller(decided)).content.decode(),
    ):
        assert 'id="decision"' in page
        assert REASONS in page
        assert "€30.00" in page and "borne by the seller" in page
        assert 'id="appeal-deadline"' in page and 'id="appeal-form"' in page


def test_the_buyer_appeals_once(buyer_client, decided):
    grounds = {"grounds": "The stain does not wash out; the jacket cannot be worn."}

    assert buyer_client.post(_buyer(decided, "appeal/"), grounds).status_code == 302
    assert Dispute.objects.get(pk=decided.pk).state == State.UNDER_APPEAL

    again = buyer_client.post(_buyer(decided, "appeal/"), grounds)
    assert 400 <= again.status_code < 500
    assert Dispute.objects.get(pk=decided.pk).state == State.UNDER_APPEAL


def test_the_seller_appeals(seller_client, decided):
    response = seller_client.post(
        _seller(decided, "appeal/"), {"grounds": "The stain is in the listing's third photo."}
    )

    assert response.status_code == 302
    assert Dispute.objects.get(pk=decided.pk).state == State.UNDER_APPEAL


def test_an_appeal_after_the_window_is_refused(buyer_client, decided):
    Dispute.objects.filter(pk=decided.pk).update(
        appeal_due_at=timezone.now() - timedelta(minutes=1)
    )

    response = buyer_client.post(_buyer(decided, "appeal/"), {"grounds": "Too late, I know."})

    assert response.status_code == 409
    assert "The time to appeal is over." in response.content.decode()
    assert Dispute.objects.get(pk=decided.pk).state == State.DECIDED


def test_an_appeal_without_grounds_is_refused_on_the_form(buyer_client, decided):
    response = buyer_client.post(_buyer(decided, "appeal/"), {"grounds": ""})

    assert response.status_code == 422
    assert Dispute.objects.get(pk=decided.pk).state == State.DECIDED


def test_no_one_reaches_another_partys_dispute(workspace, buyer_client, seller_client):
    other = builders.party(workspace, "B-2", email="other@example.com")
    elsewhere = builders.party(workspace, "S-2", kind="seller", email="s2@example.com")
    foreign_order = builders.order(workspace, "ORD-66", buyer=other, seller=elsewhere, total=5000)
    foreign = claim(workspace, foreign_order, DisputeActor.buyer(other))

    assert buyer_client.get(_buyer(foreign)).status_code == 404
    assert buyer_client.post(_buyer(foreign, "appeal/"), {"grounds": "x"}).status_code == 404
    assert seller_client.post(_seller(foreign, "accept/"), {"note": ""}).status_code == 404
    assert Dispute.objects.get(pk=foreign.pk).state == foreign.state


def test_the_decision_reads_in_dutch(buyer_client, decided):
    page = buyer_client.get(_buyer(decided), HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert REASONS in page
    assert "Beroep aantekenen" in page
