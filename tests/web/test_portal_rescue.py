"""The buyer follows the rescue of a failed booking on their case page, and chooses among
the alternatives at the rebooking step."""

import pytest
from django.core.cache import cache
from django.test import Client

from ombuds.conversations.events import Actor
from ombuds.core.money import Money
from ombuds.marketplace.inputs import BookingInput, PaymentInput
from ombuds.marketplace.models import PartyIdentity
from ombuds.rescue import services as rescue
from ombuds.rescue.models import Step
from ombuds.web.portal.magic_links import make_token
from tests import builders

OPTIONS = [
    {"label": "Hotel V Nesplein, 2 nights", "supplier": "Hotel V", "amount": 8000},
    {"label": "Pulitzer Amsterdam, 2 nights", "supplier": "Pulitzer", "amount": 22000},
]


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def sign_in(client, party):
    identity = PartyIdentity.objects.get(party=party, kind="email")
    response = client.get(f"/help/{party.workspace.slug}/portal/login/{make_token(identity)}/")
    assert response.status_code == 302
    return client


@pytest.fixture
def signed_in(client, buyer):
    return sign_in(client, buyer)


@pytest.fixture
def desk(agent):
    return Actor(user=agent)


def hotel_case(workspace, buyer, seller, hotel, number="1"):
    order = builders.order(
        workspace,
        f"ORD-R{number}",
        buyer=buyer,
        seller=seller,
        kind="hotel",
        total=40000,
        payments=[
            PaymentInput(f"PAY-R{number}", status="captured", amount=40000, captured_amount=40000)
        ],
        bookings=[
            BookingInput(
                f"BK-R{number}",
                kind="hotel",
                title="Hotel Aurora, 2 nights",
                third_party=hotel.external_id,
                confirmation_code="AUR-1",
                transfer_status="failed",
            )
        ],
    )
    case = builders.case(workspace, requester=buyer, order=order, subject="No room for me")
    return case, order


@pytest.fixture
def rescued(workspace, buyer, seller, hotel, desk):
    """A case whose hotel booking failed, with two alternatives proposed to the buyer."""
    case, order = hotel_case(workspace, buyer, seller, hotel)
    ladder = rescue.start_ladder(case=case, order=order, actor=desk, reason="transfer_refused")
    rescue.record_original_outcome(ladder=ladder, actor=desk, worked=False)
    rescue.propose_alternatives(ladder=ladder, actor=desk, options=OPTIONS)
    return case, ladder


def page_of(client, case, **headers):
    return client.get(f"/help/{case.workspace.slug}/portal/cases/{case.reference}/", **headers)


def choose(client, case, option):
    return client.post(
        f"/help/{case.workspace.slug}/portal/cases/{case.reference}/rescue/choose/",
        {"option": option},
    )


def test_the_buyer_sees_the_alternatives_and_chooses_one(signed_in, rescued):
    case, ladder = rescued

    shown = page_of(signed_in, case).content.decode()
    assert "Hotel V Nesplein, 2 nights" in shown and "Pulitzer" in shown
    assert Money(8000, "EUR").format("en") in shown
    assert 'type="radio" name="option" value="1"' in shown
    assert "Choose this alternative" in shown
    assert "csrfmiddlewaretoken" in shown

    answer = choose(signed_in, case, "1")

    assert answer.status_code == 302 and answer["Location"].endswith("#rescue")
    assert Step.objects.get(ladder=ladder, number=3).buyer_choice == 1
    shown = page_of(signed_in, case).content.decode()
    assert "You chose Pulitzer Amsterdam, 2 nights" in shown
    assert "The desk will confirm the booking" in shown
    assert 'value="1" checked' in shown


def test_after_the_agent_rebooks_the_page_shows_what_was_booked(signed_in, rescued, desk):
    case, ladder = rescued
    choose(signed_in, case, "0")

    rescue.rebook(ladder=ladder, actor=desk, option_index=0, idempotency_key="p-rb")

    shown = page_of(signed_in, case).content.decode()
    assert "We booked Hotel V Nesplein, 2 nights for you" in shown
    assert "Choose this alternative" not in shown
    refused = choose(signed_in, case, "1")
    assert refused.status_code == 409
    assert "the rescue has moved on" in refused.content.decode()


def test_other_steps_say_what_is_being_tried(signed_in, workspace, buyer, seller, hotel, desk):
    case, order = hotel_case(workspace, buyer, seller, hotel)
    ladder = rescue.start_ladder(case=case, order=order, actor=desk, reason="transfer_refused")

    shown = page_of(signed_in, case).content.decode()
    assert "asking the seller and the provider" in shown
    assert "Choose this alternative" not in shown
    assert choose(signed_in, case, "0").status_code == 409

    rescue.record_original_outcome(ladder=ladder, actor=desk, worked=False)
    assert "looking for alternatives" in page_of(signed_in, case).content.decode()


def test_a_case_without_a_rescue_shows_none(signed_in, workspace, buyer):
    case = builders.case(workspace, requester=buyer)

    assert 'id="rescue"' not in page_of(signed_in, case).content.decode()
    assert choose(signed_in, case, "0").status_code == 404


def test_a_bad_choice_is_refused_on_the_page(signed_in, rescued):
    case, ladder = rescued

    for option in ("7", "-1", "x", ""):
        answer = choose(signed_in, case, option)
        assert answer.status_code == 422
        assert "Please choose one of the alternatives." in answer.content.decode()

    assert Step.objects.get(ladder=ladder, number=3).buyer_choice is None


def test_another_buyers_case_is_not_there(
    client, rescued, workspace, seller, hotel, other_workspace
):
    case, ladder = rescued
    olga = builders.party(workspace, "B-2", email="olga@example.com")
    sign_in(client, olga)

    assert page_of(client, case).status_code == 404
    assert choose(client, case, "0").status_code == 404
    assert Step.objects.get(ladder=ladder, number=3).buyer_choice is None

    stranger = Client()
    foreign = builders.party(other_workspace, "B-1", email="bram@example.com")
    sign_in(stranger, foreign)
    url = f"/help/{other_workspace.slug}/portal/cases/{case.reference}/rescue/choose/"
    assert stranger.post(url, {"option": "0"}).status_code == 404


def test_choosing_is_a_post_with_a_csrf_token(signed_in, rescued, buyer):
    case, _ladder = rescued
    url = f"/help/resale/portal/cases/{case.reference}/rescue/choose/"

    assert signed_in.get(url).status_code == 405

    strict = sign_in(Client(enforce_csrf_checks=True), buyer)
    assert strict.post(url, {"option": "0"}).status_code == 403


def test_a_signed_out_visitor_is_asked_to_sign_in(client, rescued):
    case, _ladder = rescued

    answer = choose(client, case, "0")

    assert answer.status_code == 302 and "/portal/" in answer["Location"]


def test_the_rescue_speaks_dutch(signed_in, rescued):
    case, _ladder = rescued

    shown = page_of(signed_in, case, HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert "Kies dit alternatief" in shown
    assert "Je boeking Hotel Aurora, 2 nights" in shown
    assert Money(8000, "EUR").format("nl") in shown
