"""The rescue panel on the case page, driven through the desk's forms."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ombuds.ledger.models import Transaction
from ombuds.rescue import services as rescue
from ombuds.rescue.models import Ladder, LadderStatus
from tests import builders

from .test_ladder import to_rebooking


def act(client, case, action, **data):
    url = reverse(
        "web:rescue_act",
        kwargs={"slug": case.workspace.slug, "reference": case.reference, "action": action},
    )
    return client.post(url, data)


def page(client, case):
    return client.get(
        reverse("web:case", kwargs={"slug": case.workspace.slug, "reference": case.reference})
    )


def test_an_agent_climbs_the_ladder_from_the_case_page(client, agent, hotel_case):
    client.force_login(agent.user)
    shown = page(client, hotel_case).content.decode()
    assert "Start the rescue" in shown
    assert act(client, hotel_case, "start", reason="transfer_refused").status_code == 302
    assert act(client, hotel_case, "original", worked="no", note="Hotel says no").status_code == 302
    answer = act(
        client,
        hotel_case,
        "alternatives",
        label_1="Hotel V Nesplein",
        supplier_1="Hotel V",
        amount_1="80,00",
        label_2="Pulitzer",
        amount_2="220.00",
    )
    assert answer.status_code == 302
    shown = page(client, hotel_case).content.decode()
    assert "Hotel V Nesplein" in shown and "above budget: needs approval" in shown
    assert act(client, hotel_case, "rebook", option="0", idempotency_key="k1").status_code == 302
    ladder = Ladder.objects.get()
    assert ladder.status == LadderStatus.SUCCEEDED
    assert Transaction.objects.get(kind="rebooking").amount == 8000


def test_bad_input_is_refused_with_a_4xx_and_changes_nothing(client, agent, hotel_case):
    client.force_login(agent.user)
    act(client, hotel_case, "start", reason="transfer_refused")
    assert act(client, hotel_case, "start", reason="transfer_refused").status_code == 409
    # Step 1 offers nothing to book yet.
    assert act(client, hotel_case, "rebook", option="0", idempotency_key="k").status_code == 422
    assert act(client, hotel_case, "refund", amount="10.00", idempotency_key="k").status_code == 409
    act(client, hotel_case, "original", worked="no")
    answer = act(client, hotel_case, "alternatives", label_1="Somewhere", amount_1="abc")
    assert answer.status_code == 422
    assert act(client, hotel_case, "alternatives", label_1="No cost given").status_code == 422
    assert Ladder.objects.get().step == 2


def test_a_viewer_sees_the_panel_but_cannot_act(client, workspace, hotel_case):
    viewer = builders.member(workspace, "vic@desk.test", role="read_only")
    client.force_login(viewer)
    assert page(client, hotel_case).status_code == 200
    assert act(client, hotel_case, "start", reason="transfer_refused").status_code == 403
    assert not Ladder.objects.exists()


def test_another_workspaces_member_gets_404(client, other_workspace, hotel_case):
    stranger = builders.member(other_workspace, "x@other.test", role="admin")
    client.force_login(stranger)
    answer = act(client, hotel_case, "start", reason="transfer_refused")
    assert answer.status_code in (403, 404)
    assert not Ladder.objects.exists()


def test_the_panel_reads_a_fixed_number_of_queries(client, agent, hotel_case):
    from ombuds.rescue.services import give_up_step, start_ladder

    client.force_login(agent.user)
    ladder = start_ladder(
        case=hotel_case, order=hotel_case.order, actor=agent, reason="transfer_refused"
    )
    with CaptureQueriesContext(connection) as two_steps:
        page(client, hotel_case)
    give_up_step(ladder=ladder, actor=agent)
    give_up_step(ladder=ladder, actor=agent)
    with CaptureQueriesContext(connection) as four_steps:
        page(client, hotel_case)
    assert len(four_steps) <= len(two_steps) + 1


def test_the_steps_read_as_sentences_on_the_timeline(client, supervisor, hotel_case):
    from ombuds.core.money import Money
    from ombuds.rescue.services import give_up_step, refund, start_ladder

    client.force_login(supervisor.user)
    ladder = start_ladder(
        case=hotel_case, order=hotel_case.order, actor=supervisor, reason="transfer_refused"
    )
    give_up_step(ladder=ladder, actor=supervisor)
    give_up_step(ladder=ladder, actor=supervisor)
    refund(ladder=ladder, actor=supervisor, amount=Money(40000, "EUR"), idempotency_key="r")
    shown = page(client, hotel_case).content.decode()
    assert "rescue.refunded" not in shown
    assert "the buyer was refunded" in shown


def test_the_desk_panel_shows_and_preselects_the_buyers_choice(
    client, hotel_case, hotel_order, agent, buyer
):
    ladder = to_rebooking(hotel_case, hotel_order, agent)
    rescue.choose_alternative(ladder=ladder, party=buyer, option_index=1)
    client.force_login(agent.user)

    shown = page(client, hotel_case).content.decode()

    assert "Buyer prefers: Pulitzer Amsterdam, 2 nights" in shown
    assert '<option value="1" selected>Pulitzer Amsterdam, 2 nights</option>' in shown
    assert "the buyer said which alternative they prefer" in shown
