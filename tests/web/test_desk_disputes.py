"""The desk's disputes: the list and its filters, the mediation view, and who may act."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ombuds.accounts.models import Membership
from ombuds.disputes.actors import DisputeActor
from ombuds.disputes.models import Dispute, State
from ombuds.disputes.services.evidence import submit_evidence
from ombuds.disputes.services.responses import contest_claim
from ombuds.disputes.services.thread import post_message
from tests import builders
from tests.disputes.conftest import claim


@pytest.fixture
def desk_agent(workspace, agent):
    return DisputeActor.agent(Membership.objects.get(workspace=workspace, user=agent))


def _disputes(workspace, seller, actor, count, *, reason="not_received"):
    made = []
    for i in range(count):
        buyer = builders.party(workspace, f"B-{reason}-{i}", email=f"{reason}{i}@example.com")
        order = builders.order(workspace, f"ORD-{reason}-{i}", buyer=buyer, seller=seller)
        made.append(claim(workspace, order, actor, reason=reason))
    return made


def test_the_list_filters_by_state_reason_and_deadline(agent_client, workspace, seller, desk_agent):
    late = _disputes(workspace, seller, desk_agent, 2, reason="late_delivery")
    damaged = _disputes(workspace, seller, desk_agent, 1, reason="damaged")
    Dispute.objects.filter(pk=late[0].pk).update(next_due_at=timezone.now() - timedelta(hours=1))

    page = agent_client.get("/w/resale/disputes/?reason=damaged").content.decode()
    assert damaged[0].reference in page and late[0].reference not in page

    page = agent_client.get("/w/resale/disputes/?deadline=overdue").content.decode()
    assert late[0].reference in page and late[1].reference not in page

    page = agent_client.get("/w/resale/disputes/?state=in_mediation").content.decode()
    assert "No disputes match." in page


def test_the_list_costs_the_same_queries_for_many_rows(
    agent_client, workspace, seller, desk_agent, django_assert_max_num_queries
):
    _disputes(workspace, seller, desk_agent, 3)
    with django_assert_max_num_queries(12) as few:
        agent_client.get("/w/resale/disputes/")
    _disputes(workspace, seller, desk_agent, 12, reason="damaged")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = agent_client.get("/w/resale/disputes/")
    assert response.content.decode().count('class="ref"') == 15


def test_the_mediation_view_shows_both_positions(agent_client, workspace, seller, desk_agent):
    [dispute] = _disputes(workspace, seller, desk_agent, 1)
    contest_claim(
        dispute=dispute, actor=DisputeActor.seller(seller), statement="Signed for on the 3rd."
    )
    post_message(
        dispute=dispute, actor=desk_agent, body="Checking with PostNL.", visibility="internal"
    )

    page = agent_client.get(f"/w/resale/disputes/{dispute.reference}/").content.decode()

    assert 'id="buyer-position"' in page and 'id="seller-position"' in page
    assert "The parcel never arrived." in page
    assert "Signed for on the 3rd." in page
    assert "Checking with PostNL." in page and "Platform only" in page
    assert "Seller must respond by" in page


def test_the_mediation_view_costs_a_fixed_number_of_queries(
    agent_client, workspace, seller, desk_agent, django_assert_max_num_queries
):
    [dispute] = _disputes(workspace, seller, desk_agent, 1)
    with django_assert_max_num_queries(40) as first:
        agent_client.get(f"/w/resale/disputes/{dispute.reference}/")
    for i in range(8):
        post_message(dispute=dispute, actor=desk_agent, body=f"note {i}", visibility="internal")
        submit_evidence(dispute=dispute, actor=DisputeActor.seller(seller), text=f"proof {i}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        agent_client.get(f"/w/resale/disputes/{dispute.reference}/")


def test_an_agent_takes_it_into_mediation_and_writes_privately(
    agent_client, workspace, seller, desk_agent
):
    [dispute] = _disputes(workspace, seller, desk_agent, 1)
    base = f"/w/resale/disputes/{dispute.reference}/"

    assert agent_client.post(base + "escalate/", {"note": ""}).status_code == 302
    assert (
        agent_client.post(
            base + "message/", {"body": "Seller, the label please.", "visibility": "seller"}
        ).status_code
        == 302
    )

    dispute.refresh_from_db()
    assert dispute.state == State.IN_MEDIATION
    assert dispute.messages.get().visibility == "seller"


def test_a_refused_action_says_why_with_its_status(agent_client, workspace, seller, desk_agent):
    [dispute] = _disputes(workspace, seller, desk_agent, 1)
    agent_client.post(f"/w/resale/disputes/{dispute.reference}/withdraw/", {"note": ""})

    response = agent_client.post(f"/w/resale/disputes/{dispute.reference}/escalate/", {"note": ""})

    assert response.status_code == 409
    assert "Not possible in this state" in response.content.decode()


def test_a_read_only_member_cannot_act(client, workspace, seller, desk_agent):
    [dispute] = _disputes(workspace, seller, desk_agent, 1)
    viewer = builders.member(workspace, "viewer@resale.test", role="read_only")
    client.force_login(viewer)

    assert client.get(f"/w/resale/disputes/{dispute.reference}/").status_code == 200
    assert (
        client.post(f"/w/resale/disputes/{dispute.reference}/escalate/", {"note": ""}).status_code
        == 403
    )


def test_another_workspaces_dispute_is_a_404(agent_client, other_workspace):
    buyer = builders.party(other_workspace, "B-1", email="x@example.com")
    seller = builders.party(other_workspace, "S-1", kind="seller")
    order = builders.order(other_workspace, "ORD-1", buyer=buyer, seller=seller)
    foreign = claim(other_workspace, order, DisputeActor.buyer(buyer))

    assert agent_client.get(f"/w/resale/disputes/{foreign.reference}/").status_code == 404
    assert (
        agent_client.post(
            f"/w/resale/disputes/{foreign.reference}/escalate/", {"note": ""}
        ).status_code
        == 404
    )
    assert agent_client.get(f"/w/other/disputes/{foreign.reference}/").status_code == 404


def test_the_report_counts_disputes_by_reason_and_seller(
    agent_client, workspace, seller, desk_agent
):
    _disputes(workspace, seller, desk_agent, 2, reason="damaged")

    page = agent_client.get("/w/resale/disputes/report/").content.decode()

    assert "Damaged" in page and "<svg" in page
    assert seller.name in page


def test_the_desk_speaks_dutch(agent_client, workspace, seller, desk_agent, agent):
    [dispute] = _disputes(workspace, seller, desk_agent, 1)
    agent.language = "nl"
    agent.save()

    page = agent_client.get(
        f"/w/resale/disputes/{dispute.reference}/", HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()

    assert "Niet ontvangen" in page


def test_the_list_finds_a_dispute_by_its_order_or_case_as_well(
    agent_client, workspace, seller, desk_agent
):
    wanted, _other = _disputes(workspace, seller, desk_agent, 2)

    for q in (wanted.reference.lower(), wanted.order.external_id, wanted.case.reference):
        page = agent_client.get(f"/w/resale/disputes/?q={q}").content.decode()
        assert page.count('class="ref"') == 1 and wanted.reference in page, q
    assert "No disputes match." in agent_client.get("/w/resale/disputes/?q=ORD-X").content.decode()
