"""Deciding a dispute in the desk: the preview of its money, the decision and its
reasons, the appeal review by a colleague, resolving without a decision, and refusals
that say why and change nothing."""

from __future__ import annotations

import pytest

from ombuds.accounts.models import Membership
from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.models import Decision, Dispute, State
from ombuds.disputes.services.decisions import appeal_decision
from ombuds.disputes.services.responses import escalate_dispute
from ombuds.ledger.models import Transaction
from ombuds.marketplace.inputs import PaymentInput
from tests import builders
from tests.disputes.conftest import claim

KEY = "2b1f0d6e-8c4a-4d7e-9f3a-5e6d7c8b9a01"
REVIEW_KEY = "7d0c1b2a-3e4f-4a5b-8c6d-9e0f1a2b3c4d"


@pytest.fixture
def desk_agent(workspace, agent):
    return DisputeActor.agent(
        Membership.objects.select_related("user").get(workspace=workspace, user=agent)
    )


@pytest.fixture
def order(workspace, buyer, seller):
    """A 125.00 EUR order, captured in full."""
    return builders.order(
        workspace,
        "ORD-9",
        buyer=buyer,
        seller=seller,
        total=12500,
        payments=[PaymentInput("PAY-9", status="captured", amount=12500, captured_amount=12500)],
    )


@pytest.fixture
def mediated(workspace, order, desk_agent):
    dispute = claim(workspace, order, desk_agent, reason="not_as_described")
    escalate_dispute(dispute=dispute, actor=desk_agent, note="")
    dispute.refresh_from_db()
    assert dispute.state == State.IN_MEDIATION
    return dispute


def _url(dispute, action=""):
    return f"/w/resale/disputes/{dispute.reference}/{action}"


def _decision(**extra):
    return {
        "outcome": "partial_refund",
        "amount": "40,00",
        "bearer": "seller",
        "statement": "The photos show a stain the listing did not mention.",
        "key": KEY,
        **extra,
    }


def _decide(client, dispute, **extra):
    return client.post(_url(dispute, "decide/"), _decision(**extra))


def test_the_mediation_view_offers_the_decision_and_the_orders_money(agent_client, mediated):
    page = agent_client.get(_url(mediated)).content.decode()

    assert 'id="decide-form"' in page and "Statement of reasons" in page
    assert 'id="order-money"' in page and "€125.00" in page  # captured so far
    assert 'id="resolve-form"' in page


def test_the_preview_shows_the_entries_without_writing_them(agent_client, mediated):
    before = Transaction.objects.count()

    page = agent_client.post(
        _url(mediated, "decision/preview/"), _decision(statement="")
    ).content.decode()

    assert 'id="preview-legs"' in page and "€40.00" in page
    assert "Within your authority" in page
    assert Transaction.objects.count() == before
    assert not Decision.objects.exists()
    # Without htmx the whole page comes back, with what was typed kept.
    assert 'id="decide-form"' in page and 'value="40,00"' in page


def test_the_htmx_preview_is_the_panel_alone_and_says_when_approval_is_needed(
    agent_client, mediated
):
    response = agent_client.post(
        _url(mediated, "decision/preview/"),
        _decision(outcome="full_refund", amount="125,00", statement=""),
        headers={"HX-Request": "true", "HX-Target": "decision-preview"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="decision-preview"')
    assert "waits for approval" in page
    assert "€125.00" in page


def test_an_agent_decides_with_reasons_and_the_decision_shows(agent_client, mediated):
    response = _decide(agent_client, mediated)

    assert response.status_code == 302
    mediated.refresh_from_db()
    assert mediated.state == State.DECIDED and mediated.appeal_due_at is not None
    decision = Decision.objects.get(dispute=mediated)
    assert decision.outcome == "partial_refund"
    assert (decision.amount, decision.bearer) == (4000, "seller")

    page = agent_client.get(_url(mediated)).content.decode()
    assert 'id="decision"' in page
    assert "The photos show a stain the listing did not mention." in page
    assert "borne by the seller" in page
    assert 'id="appeal-deadline"' in page
    assert 'id="decide-form"' not in page


def test_sending_the_decision_twice_decides_once(agent_client, mediated):
    _decide(agent_client, mediated)
    _decide(agent_client, mediated)

    assert Decision.objects.filter(dispute=mediated).count() == 1


def test_a_decision_without_reasons_is_refused_and_changes_nothing(agent_client, mediated):
    response = _decide(agent_client, mediated, statement="   ")

    assert response.status_code == 422
    assert "Please check the form." in response.content.decode()
    mediated.refresh_from_db()
    assert mediated.state == State.IN_MEDIATION
    assert not Decision.objects.exists()


def test_deciding_outside_mediation_says_why(agent_client, workspace, order, desk_agent):
    dispute = claim(workspace, order, desk_agent)  # the seller's turn still

    response = _decide(agent_client, dispute)

    assert response.status_code == 409
    assert "Not possible in this state of the dispute." in response.content.decode()
    assert Dispute.objects.get(pk=dispute.pk).state == State.AWAITING_SELLER
    assert not Decision.objects.exists()


def test_the_deciding_agent_cannot_review_the_appeal(agent_client, mediated, buyer):
    _decide(agent_client, mediated)
    appeal_decision(
        dispute=Dispute.objects.get(pk=mediated.pk),
        actor=DisputeActor.buyer(buyer),
        grounds="The stain washes out; the jacket is simply the wrong colour.",
    )

    page = agent_client.get(_url(mediated)).content.decode()
    assert 'id="same-reviewer"' in page and 'id="review-form"' not in page

    response = agent_client.post(
        _url(mediated, "review/"),
        {"verdict": "uphold", "statement": "The photos are clear.", "key": REVIEW_KEY},
    )

    assert response.status_code in (403, 409)
    assert "a colleague must review it" in response.content.decode()
    assert Dispute.objects.get(pk=mediated.pk).state == State.UNDER_APPEAL
    assert Decision.objects.filter(dispute=mediated).count() == 1


def test_a_colleague_revises_the_decision_on_appeal(
    agent_client, client, workspace, mediated, buyer
):
    _decide(agent_client, mediated)
    appeal_decision(
        dispute=Dispute.objects.get(pk=mediated.pk),
        actor=DisputeActor.buyer(buyer),
        grounds="The jacket cannot be worn; I want all my money back.",
    )
    colleague = builders.member(workspace, "ben@resale.test", role="supervisor", name="Ben")
    client.force_login(colleague)

    assert 'id="review-form"' in client.get(_url(mediated)).content.decode()
    response = client.post(
        _url(mediated, "review/"),
        {
            "verdict": "revise",
            "statement": "The stain covers the front; a partial refund does not fix it.",
            "outcome": "full_refund",
            "amount": "125,00",
            "bearer": "seller",
            "key": REVIEW_KEY,
        },
    )

    assert response.status_code == 302
    review = Decision.objects.get(dispute=mediated, kind="appeal_review")
    assert (review.verdict, review.outcome, review.amount) == ("revise", "full_refund", 12500)
    page = client.get(_url(mediated)).content.decode()
    assert "Revised on appeal" in page
    assert "The stain covers the front" in page


def test_a_revision_without_its_outcome_is_refused_on_the_form(
    client, workspace, agent_client, mediated, buyer
):
    _decide(agent_client, mediated)
    appeal_decision(
        dispute=Dispute.objects.get(pk=mediated.pk), actor=DisputeActor.buyer(buyer), grounds="No."
    )
    client.force_login(builders.member(workspace, "ben@resale.test", role="supervisor"))

    response = client.post(
        _url(mediated, "review/"), {"verdict": "revise", "statement": "Changed.", "key": REVIEW_KEY}
    )

    assert response.status_code == 422
    assert "A revised decision names its outcome." in response.content.decode()
    assert Dispute.objects.get(pk=mediated.pk).state == State.UNDER_APPEAL


def test_an_agent_resolves_it_without_a_decision(agent_client, mediated):
    response = agent_client.post(
        _url(mediated, "resolve/"), {"note": "The seller sent the right jacket."}
    )

    assert response.status_code == 302
    mediated.refresh_from_db()
    assert mediated.state == State.RESOLVED
    assert not Decision.objects.exists()


def test_a_viewer_cannot_decide_nor_preview(client, workspace, mediated):
    client.force_login(builders.member(workspace, "viewer@resale.test", role="read_only"))

    page = client.get(_url(mediated)).content.decode()
    assert 'id="decide-form"' not in page

    assert _decide(client, mediated).status_code == 403
    assert client.post(_url(mediated, "decision/preview/"), _decision()).status_code == 403
    assert Dispute.objects.get(pk=mediated.pk).state == State.IN_MEDIATION


def test_another_workspaces_dispute_cannot_be_decided(agent_client, other_workspace):
    buyer = builders.party(other_workspace, "B-1", email="x@example.com")
    seller = builders.party(other_workspace, "S-1", kind="seller")
    order = builders.order(other_workspace, "ORD-1", buyer=buyer, seller=seller)
    foreign = claim(other_workspace, order, DisputeActor.buyer(buyer))

    assert _decide(agent_client, foreign).status_code == 404
    assert agent_client.post(_url(foreign, "decision/preview/"), _decision()).status_code == 404
    assert agent_client.post(_url(foreign, "resolve/"), {"note": "x"}).status_code == 404
    assert not Decision.objects.exists()


def test_the_decision_speaks_dutch(agent_client, agent, mediated):
    agent.language = "nl"
    agent.save()

    page = agent_client.get(_url(mediated), HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert "Motivering" in page


def test_the_preview_names_its_problems_in_the_agents_language(agent_client, agent, mediated):
    agent.language = "nl"
    agent.save()

    page = agent_client.post(
        _url(mediated, "decision/preview/"),
        _decision(outcome="replacement", amount="10,00", statement=""),
        headers={"HX-Request": "true", "HX-Target": "decision-preview"},
        HTTP_ACCEPT_LANGUAGE="nl",
    ).content.decode()

    assert "This outcome pays the buyer no money" not in page
    assert "Deze uitkomst betaalt de koper geen geld" in page
