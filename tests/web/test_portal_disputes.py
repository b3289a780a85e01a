"""The buyer's disputes in the portal: open one on their own order, follow it, answer,
and never see another buyer's dispute or what is not meant for them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.models import Dispute, State
from ombuds.disputes.services.thread import post_message
from ombuds.marketplace.inputs import PaymentInput
from ombuds.marketplace.models import PartyIdentity
from ombuds.web.portal import magic_links
from tests import builders

KEY = "6f1c2f0e-3b7e-4a4e-9a43-1d2c3b4a5f60"


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
def buyer_client(client, workspace, buyer):
    identity = PartyIdentity.objects.get(party=buyer, kind="email")
    client.get(f"/help/{workspace.slug}/portal/login/{magic_links.make_token(identity)}/")
    return client


def _open(client, order, **extra):
    data = {
        "key": KEY,
        "reason": "not_as_described",
        "description": "The jacket is a different colour.",
        "desired_outcome": "partial_refund",
        "amount": "25,50",
        **extra,
    }
    return client.post(f"/help/resale/portal/disputes/new/?order={order.external_id}", data)


def test_a_buyer_opens_a_dispute_on_their_order(buyer_client, order, seller):
    photo = SimpleUploadedFile("jacket.jpg", b"\xff\xd8\xffjpeg", content_type="image/jpeg")
    response = _open(buyer_client, order, attachments=[photo])

    dispute = Dispute.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/help/resale/portal/disputes/{dispute.reference}/"
    assert dispute.amount == 2550 and dispute.reason == "not_as_described"
    assert dispute.state == State.AWAITING_CONTACT  # the seller first gets a contact period
    assert dispute.evidence.filter(kind="file", filename="jacket.jpg").exists()
    page = buyer_client.get(response["Location"]).content.decode()
    assert dispute.reference in page and "Not as described" in page
    assert "jacket.jpg" in page


def test_sending_the_form_twice_opens_one_dispute(buyer_client, order):
    _open(buyer_client, order)
    again = _open(buyer_client, order)

    assert again.status_code == 302
    assert Dispute.objects.count() == 1


def test_more_than_the_order_total_is_refused_on_the_form(buyer_client, order):
    response = _open(buyer_client, order, amount="80.01")

    assert response.status_code == 422
    assert "more than the order" in response.content.decode()
    assert not Dispute.objects.exists()


def test_another_buyers_order_and_dispute_are_not_there(buyer_client, workspace, seller):
    other = builders.party(workspace, "B-2", email="olga@example.com")
    their_order = builders.order(workspace, "ORD-66", buyer=other, seller=seller)
    from tests.disputes.conftest import claim

    theirs = claim(workspace, their_order, DisputeActor.buyer(other))

    assert (
        buyer_client.get(
            f"/help/resale/portal/disputes/new/?order={their_order.external_id}"
        ).status_code
        == 404
    )
    assert buyer_client.get(f"/help/resale/portal/disputes/{theirs.reference}/").status_code == 404
    assert (
        buyer_client.post(
            f"/help/resale/portal/disputes/{theirs.reference}/message/", {"body": "hi"}
        ).status_code
        == 404
    )


def test_another_workspaces_dispute_is_not_there(buyer_client, other_workspace):
    from tests.disputes.conftest import claim

    foreign_buyer = builders.party(other_workspace, "B-1", email="bram@example.com")
    foreign_seller = builders.party(other_workspace, "S-9", kind="seller")
    foreign_order = builders.order(
        other_workspace, "ORD-1", buyer=foreign_buyer, seller=foreign_seller
    )
    foreign = claim(other_workspace, foreign_order, DisputeActor.buyer(foreign_buyer))

    assert buyer_client.get(f"/help/resale/portal/disputes/{foreign.reference}/").status_code == 404


def test_the_buyer_reads_only_messages_meant_for_them(buyer_client, order, seller):
    _open(buyer_client, order)
    dispute = Dispute.objects.get()
    post_message(
        dispute=dispute, actor=DisputeActor.seller(seller), body="Seller aside", visibility="seller"
    )
    post_message(
        dispute=dispute,
        actor=DisputeActor.seller(seller),
        body="Sorry about that",
        visibility="parties",
    )

    page = buyer_client.get(f"/help/resale/portal/disputes/{dispute.reference}/").content.decode()

    assert "Sorry about that" in page
    assert "Seller aside" not in page


def test_the_buyer_writes_and_withdraws(buyer_client, order):
    _open(buyer_client, order)
    dispute = Dispute.objects.get()
    base = f"/help/resale/portal/disputes/{dispute.reference}/"

    assert (
        buyer_client.post(
            base + "message/", {"body": "Any news?", "visibility": "parties"}
        ).status_code
        == 302
    )
    assert (
        buyer_client.post(base + "withdraw/", {"note": "Sorted with the seller."}).status_code
        == 302
    )

    dispute.refresh_from_db()
    assert dispute.state == State.WITHDRAWN
    assert dispute.messages.filter(body="Any news?").exists()


def test_escalating_too_early_shows_why(buyer_client, order):
    _open(buyer_client, order)
    dispute = Dispute.objects.get()

    response = buyer_client.post(
        f"/help/resale/portal/disputes/{dispute.reference}/escalate/", {"note": ""}
    )

    assert response.status_code == 409
    assert "still has time" in response.content.decode()


def test_the_portal_speaks_dutch(buyer_client, order):
    _open(buyer_client, order)
    dispute = Dispute.objects.get()

    page = buyer_client.get(
        f"/help/resale/portal/disputes/{dispute.reference}/", HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()

    assert "Niet zoals beschreven" in page
    assert "Berichten" in page


def test_the_dispute_page_costs_the_same_queries_for_a_long_thread(
    buyer_client, order, workspace, agent, django_assert_max_num_queries
):
    from ombuds.accounts.models import Membership

    _open(buyer_client, order)
    dispute = Dispute.objects.get()
    platform = DisputeActor.agent(Membership.objects.get(workspace=workspace, user=agent))
    url = f"/help/resale/portal/disputes/{dispute.reference}/"
    post_message(dispute=dispute, actor=platform, body="Photos, please.", visibility="buyer")
    buyer_client.get(url)
    with django_assert_max_num_queries(40) as short:
        buyer_client.get(url)
    for i in range(8):
        # Messages from the platform name the workspace; they must not read it each time.
        post_message(dispute=dispute, actor=platform, body=f"Note {i}", visibility="parties")
    with django_assert_max_num_queries(len(short.captured_queries)):
        response = buyer_client.get(url)
    assert response.content.decode().count('<li class="bubble') == 9
