"""Sellers sign in by mailed link and see the disputes about their own orders only."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache

from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.models import Offer, State
from ombuds.marketplace.models import PartyIdentity
from ombuds.web.portal import magic_links
from tests import builders
from tests.disputes.conftest import claim


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


@pytest.fixture
def order(workspace, buyer, seller):
    return builders.order(workspace, "ORD-77", buyer=buyer, seller=seller, total=9900)


@pytest.fixture
def dispute(workspace, order, agent):
    from ombuds.accounts.models import Membership

    membership = Membership.objects.get(workspace=workspace, user=agent)
    return claim(workspace, order, DisputeActor.agent(membership))


def _identity(party):
    return PartyIdentity.objects.get(party=party, kind="email")


@pytest.fixture
def seller_client(client, seller):
    token = magic_links.make_token(_identity(seller), audience=magic_links.SELLER)
    client.get(f"/help/resale/seller/login/{token}/")
    return client


def test_a_seller_asks_for_a_link_and_lands_on_their_disputes(client, seller, dispute):
    response = client.post("/help/resale/seller/", {"email": "sam@tickets.example"})
    assert response["Location"] == "/help/resale/seller/sent/"
    link = re.search(r"https?://\S+/seller/login/\S+", mail.outbox[-1].body).group(0)

    response = client.get("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert response["Location"] == "/help/resale/seller/disputes/"
    page = client.get("/help/resale/seller/disputes/").content.decode()
    assert dispute.reference in page


def test_a_buyer_address_gets_no_seller_link(client, buyer):
    client.post("/help/resale/seller/", {"email": "bram@example.com"})

    assert mail.outbox == []


def test_a_buyer_link_does_not_open_the_seller_portal_nor_the_other_way(
    client, buyer, seller, dispute
):
    buyer_token = magic_links.make_token(_identity(buyer))
    assert client.get(f"/help/resale/seller/login/{buyer_token}/").status_code == 400
    seller_token = magic_links.make_token(_identity(seller), audience=magic_links.SELLER)
    assert client.get(f"/help/resale/portal/login/{seller_token}/").status_code == 400
    assert client.get(f"/help/resale/seller/disputes/{dispute.reference}/")["Location"] == (
        "/help/resale/seller/"
    )


def test_a_seller_sees_only_disputes_about_their_own_orders(
    seller_client, workspace, buyer, agent, dispute
):
    from ombuds.accounts.models import Membership

    rival = builders.party(workspace, "S-2", kind="seller", name="Rival Shop")
    rival_order = builders.order(workspace, "ORD-78", buyer=buyer, seller=rival)
    membership = Membership.objects.get(workspace=workspace, user=agent)
    theirs = claim(workspace, rival_order, DisputeActor.agent(membership))

    listing = seller_client.get("/help/resale/seller/disputes/").content.decode()
    assert dispute.reference in listing and theirs.reference not in listing
    assert seller_client.get(f"/help/resale/seller/disputes/{theirs.reference}/").status_code == 404
    assert (
        seller_client.post(
            f"/help/resale/seller/disputes/{theirs.reference}/contest/", {"statement": "x"}
        ).status_code
        == 404
    )


def test_the_seller_makes_an_offer_before_the_deadline(seller_client, dispute):
    page = seller_client.get(f"/help/resale/seller/disputes/{dispute.reference}/")
    assert b"offer-form" in page.content and b"contest-form" in page.content

    response = seller_client.post(
        f"/help/resale/seller/disputes/{dispute.reference}/offer/",
        {
            "kind": "partial_refund",
            "amount": "30.00",
            "note": "Sorry!",
            "key": "0b7a3b1c-7f0e-4b59-8a39-0e2d55f1c0aa",
        },
    )

    assert response.status_code == 302
    offer = Offer.objects.get()
    assert (offer.kind, offer.amount, offer.made_by_role) == ("partial_refund", 3000, "seller")
    dispute.refresh_from_db()
    assert dispute.state == State.OFFER_PENDING


def test_the_seller_contests_with_evidence(seller_client, dispute):
    from django.core.files.uploadedfile import SimpleUploadedFile

    receipt = SimpleUploadedFile("pod.pdf", b"%PDF-1.4 proof", content_type="application/pdf")
    response = seller_client.post(
        f"/help/resale/seller/disputes/{dispute.reference}/contest/",
        {"statement": "Signed for by B. Buyer.", "attachments": [receipt], "visibility": "parties"},
    )

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == State.CONTESTED
    assert dispute.evidence.filter(filename="pod.pdf", submitted_by_role="seller").exists()
    download = seller_client.get(
        f"/help/resale/seller/disputes/{dispute.reference}/files/"
        f"{dispute.evidence.get(filename='pod.pdf').number}/"
    )
    assert download.status_code == 200


def test_the_scorecard_counts_disputes_per_order_sold(seller_client, dispute, workspace, seller):
    page = seller_client.get("/help/resale/seller/scorecard/").content.decode()

    assert "Dispute rate" in page
    assert "100.0%" in page  # one dispute on one order sold


def test_the_dispute_page_costs_the_same_queries_for_a_long_thread(
    seller_client, dispute, workspace, agent, seller, django_assert_max_num_queries
):
    from ombuds.accounts.models import Membership
    from ombuds.disputes.services.evidence import submit_evidence
    from ombuds.disputes.services.thread import post_message

    platform = DisputeActor.agent(Membership.objects.get(workspace=workspace, user=agent))
    url = f"/help/resale/seller/disputes/{dispute.reference}/"
    post_message(dispute=dispute, actor=platform, body="Your label, please.", visibility="seller")
    seller_client.get(url)
    with django_assert_max_num_queries(40) as short:
        seller_client.get(url)
    for i in range(8):
        # Messages from the platform name the workspace; they must not read it each time.
        post_message(
            dispute=dispute,
            actor=platform,
            body=f"Note {i}",
            visibility="seller" if i % 2 else "parties",
        )
        post_message(
            dispute=dispute, actor=DisputeActor.seller(seller), body=f"Answer {i}", visibility=None
        )
        submit_evidence(dispute=dispute, actor=DisputeActor.seller(seller), text=f"proof {i}")
    with django_assert_max_num_queries(len(short.captured_queries)):
        response = seller_client.get(url)
    assert response.content.decode().count('<li class="bubble') == 17
