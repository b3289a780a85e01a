"""Money on the desk: the case's money panel and its refund and credit forms, the
approvals queue, the cost report and the commerce policy page."""

# The shared desk scenario's fixtures are imported by name; pytest injects them as arguments.

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ombuds.core.money import Money
from ombuds.ledger.authority import MoneyActor
from ombuds.ledger.models import ApprovalRequest, Transaction
from ombuds.ledger.services import credit_buyer, refund_buyer
from ombuds.policies.models import PolicyVersion
from tests import builders

HTMX = {"HTTP_HX_REQUEST": "true"}


def case_url(case) -> str:
    return f"/w/{case.workspace.slug}/cases/{case.reference}/"


def refund_post(amount="20.00", key="k-1", **extra):
    return {
        "refund-amount": amount,
        "refund-reason": "not_received",
        "refund-cause": "",
        "refund-bearer": "seller",
        "refund-outcome": "",
        "refund-note": "",
        "refund-idempotency_key": key,
        **{f"refund-{k}": v for k, v in extra.items()},
    }


@pytest.fixture
def supervisor(workspace):
    return builders.member(workspace, "sue@resale.test", role="supervisor", name="Sue Super")


@pytest.fixture
def supervisor_client(supervisor):
    # A client of its own: tests use it beside the agent's.
    own = Client()
    own.force_login(supervisor)
    return own


def test_the_money_panel_shows_the_orders_money_and_the_forms(agent_client, ticket_case):
    text = agent_client.get(case_url(ticket_case)).text
    assert 'id="money-panel"' in text
    # 249.50 captured, 50.00 refunded by the platform: 199.50 left
    assert "€249.50" in text
    assert "€199.50" in text
    assert 'id="refund-form"' in text
    assert 'id="credit-form"' in text
    assert "Your limit: €100.00" in text


def test_read_only_members_see_the_money_but_no_forms(client, workspace, ticket_case):
    viewer = builders.member(workspace, "viewer@resale.test", role="read_only")
    client.force_login(viewer)
    text = client.get(case_url(ticket_case)).text
    assert 'id="money-panel"' in text
    assert 'id="refund-form"' not in text
    answer = client.post(case_url(ticket_case) + "money/refund/", refund_post())
    assert answer.status_code == 403
    assert not Transaction.objects.exists()


def test_a_refund_from_the_case_page_moves_money_once(agent_client, ticket_case, agent):
    answer = agent_client.post(case_url(ticket_case) + "money/refund/", refund_post(), **HTMX)
    assert answer.status_code == 200, answer.text
    assert "Refunded €20.00." in answer.text
    assert 'id="timeline"' in answer.text
    assert 'id="money-panel"' in answer.text and 'hx-swap-oob="true"' in answer.text
    assert "refunded <strong>€20.00</strong> to the buyer, charged to <strong>Seller</strong>" in (
        answer.text
    )
    # The same form sent again (a double click) is the same refund
    again = agent_client.post(case_url(ticket_case) + "money/refund/", refund_post(), **HTMX)
    assert "This was already done; nothing moved twice." in again.text
    tx = Transaction.objects.get(kind="refund")
    assert (tx.amount, tx.actor_user, tx.case_id) == (2000, agent, ticket_case.pk)
    assert tx.key == "desk-k-1"


def test_without_htmx_a_refund_redirects_to_the_case(agent_client, ticket_case):
    answer = agent_client.post(case_url(ticket_case) + "money/refund/", refund_post(key="k-2"))
    assert answer.status_code == 302
    assert "Refunded €20.00." in agent_client.get(answer.url).text


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("12.345", "EUR has at most 2 decimals."),
        ("twelve", "Enter an amount like 12.50."),
        ("0", "The amount must be more than zero."),
    ],
)
def test_an_amount_that_is_not_one_is_refused(agent_client, ticket_case, amount, message):
    answer = agent_client.post(
        case_url(ticket_case) + "money/refund/", refund_post(amount=amount), **HTMX
    )
    assert answer.status_code == 422
    assert message in answer.text
    assert not Transaction.objects.exists()


def test_more_than_is_left_is_refused_with_what_is_left(agent_client, ticket_case):
    answer = agent_client.post(
        case_url(ticket_case) + "money/refund/", refund_post(amount="199.51"), **HTMX
    )
    assert answer.status_code == 409
    assert "At most €199.50 can still be refunded on this order." in answer.text


def test_above_the_limit_it_goes_to_approval_and_a_supervisor_decides(
    agent_client, client, workspace, ticket_case, supervisor
):
    asked = agent_client.post(
        case_url(ticket_case) + "money/refund/",
        refund_post(amount="150,00", note="Seller vanished"),
        **HTMX,
    )
    assert "€150.00 is above your limit: sent for approval to supervisor." in asked.text
    approval = ApprovalRequest.objects.get()
    queue = agent_client.get("/w/resale/approvals/").text
    assert ticket_case.reference in queue and "Seller vanished" in queue
    assert f'action="/w/resale/approvals/{approval.pk}/decide/"' not in queue
    # An agent cannot decide, not even by posting
    assert (
        agent_client.post(
            f"/w/resale/approvals/{approval.pk}/decide/", {"decision": "approve"}
        ).status_code
        == 403
    )
    client.force_login(supervisor)
    queue = client.get("/w/resale/approvals/").text
    assert f'action="/w/resale/approvals/{approval.pk}/decide/"' in queue
    rejected = client.post(f"/w/resale/approvals/{approval.pk}/decide/", {"decision": "reject"})
    assert rejected.status_code == 422
    assert "Say why the request is rejected." in rejected.text
    done = client.post(
        f"/w/resale/approvals/{approval.pk}/decide/", {"decision": "approve", "note": "fine"}
    )
    assert done.status_code == 302
    assert "Approved; the money has moved." in client.get(done.url).text
    assert Transaction.objects.get(kind="refund").amount == 15000
    page = client.get(case_url(ticket_case)).text
    assert "approved the <strong>refund</strong> of <strong>€150.00</strong>" in page


def test_a_supervisor_cannot_decide_their_own_request(supervisor_client, workspace, ticket_case):
    supervisor_client.post(
        case_url(ticket_case) + "money/credit/",
        {
            "credit-amount": "90.00",
            "credit-reason": "late_delivery",
            "credit-cause": "",
            "credit-bearer": "platform",
            "credit-outcome": "compensation",
            "credit-note": "",
            "credit-idempotency_key": "c-1",
        },
    )
    approval = ApprovalRequest.objects.get()
    assert approval.hold_reason == "over_budget"
    queue = supervisor_client.get("/w/resale/approvals/").text
    assert "Your own request: a colleague decides it." in queue
    answer = supervisor_client.post(
        f"/w/resale/approvals/{approval.pk}/decide/", {"decision": "approve"}
    )
    assert answer.status_code == 403
    assert ApprovalRequest.objects.get().status == "pending"


def test_a_credit_from_the_case_page(agent_client, ticket_case):
    answer = agent_client.post(
        case_url(ticket_case) + "money/credit/",
        {
            "credit-amount": "10",
            "credit-reason": "late_delivery",
            "credit-cause": "",
            "credit-bearer": "platform",
            "credit-outcome": "goodwill",
            "credit-note": "",
            "credit-idempotency_key": "c-2",
        },
        **HTMX,
    )
    assert "Credited €10.00." in answer.text
    assert "gave <strong>€10.00</strong> store credit" in answer.text
    assert "The requester holds €10.00 in store credit." in answer.text


def test_another_workspaces_approvals_do_not_exist_here(
    client, workspace, other_workspace, supervisor, ticket_case, agent
):
    stranger = builders.party(other_workspace, "X-1", name="X", email="x@example.com")
    from ombuds.marketplace.inputs import PaymentInput

    theirs = builders.order(
        other_workspace,
        "O-1",
        buyer=stranger,
        payments=[PaymentInput("P-1", status="captured", amount=50000, captured_amount=50000)],
    )
    boss = builders.member(other_workspace, "boss@other.test", role="agent")
    from ombuds.accounts.models import Membership

    actor = MoneyActor.member(Membership.objects.get(user=boss, workspace=other_workspace))
    far = refund_buyer(
        workspace=other_workspace,
        actor=actor,
        order=theirs,
        amount=Money(40000, "EUR"),
        bearer="platform",
        reason="other",
        idempotency_key="far",
    ).approval
    client.force_login(supervisor)
    assert "O-1" not in client.get("/w/resale/approvals/").text
    answer = client.post(f"/w/resale/approvals/{far.pk}/decide/", {"decision": "approve"})
    assert answer.status_code == 404
    assert client.get("/w/other/approvals/").status_code == 404
    assert ApprovalRequest.objects.get(pk=far.pk).status == "pending"


def test_the_case_page_does_not_grow_with_movements(agent_client, workspace, ticket_case, agent):
    from ombuds.accounts.models import Membership

    actor = MoneyActor.member(Membership.objects.get(user=agent, workspace=workspace))

    def move(n):
        for i in range(n):
            refund_buyer(
                workspace=workspace,
                actor=actor,
                order=ticket_case.order,
                amount=Money(100, "EUR"),
                bearer="platform",
                reason="other",
                case=ticket_case,
                idempotency_key=f"q-{n}-{i}",
            )
            credit_buyer(
                workspace=workspace,
                actor=actor,
                order=ticket_case.order,
                amount=Money(100, "EUR"),
                bearer="platform",
                reason="other",
                case=ticket_case,
                idempotency_key=f"qc-{n}-{i}",
            )
            refund_buyer(
                workspace=workspace,
                actor=actor,
                order=ticket_case.order,
                amount=Money(15000, "EUR"),
                bearer="platform",
                reason="other",
                case=ticket_case,
                idempotency_key=f"qa-{n}-{i}",
            )

    def queries():
        agent_client.get(case_url(ticket_case))
        with CaptureQueriesContext(connection) as captured:
            assert agent_client.get(case_url(ticket_case)).status_code == 200
        return len(captured.captured_queries)

    move(1)
    few = queries()
    move(4)
    assert queries() == few


# --- the cost report -----------------------------------------------------------------------


def test_the_cost_report_is_for_supervisors_and_shows_a_chart(
    agent_client, supervisor_client, workspace, ticket_case, agent
):
    from ombuds.accounts.models import Membership

    actor = MoneyActor.member(Membership.objects.get(user=agent, workspace=workspace))
    refund_buyer(
        workspace=workspace,
        actor=actor,
        order=ticket_case.order,
        amount=Money(4000, "EUR"),
        bearer="seller",
        reason="seller_cancelled",
        idempotency_key="rep-1",
    )
    assert agent_client.get("/w/resale/money/").status_code == 403
    page = supervisor_client.get("/w/resale/money/?months=12")
    assert page.status_code == 200
    text = page.text
    assert "<svg" in text and 'class="chart-bar chart-bar--0"' in text
    assert "Seller cancelled or backed out" in text
    assert "Sam Seller" in text
    assert "100.0 %" in text  # one order sold, one refunded
    assert "€40.00" in text


def test_the_cost_report_reads_a_fixed_number_of_queries(
    supervisor_client, workspace, ticket_case, agent, buyer, seller
):
    from ombuds.accounts.models import Membership
    from ombuds.marketplace.inputs import PaymentInput

    actor = MoneyActor.member(Membership.objects.get(user=agent, workspace=workspace))

    def sell_and_refund(n, start):
        for i in range(start, start + n):
            other_seller = builders.party(workspace, f"S-{i}", kind="seller", name=f"Shop {i}")
            order = builders.order(
                workspace,
                f"R-{i}",
                buyer=buyer,
                seller=other_seller,
                total=3000,
                payments=[
                    PaymentInput(f"RP-{i}", status="captured", amount=3000, captured_amount=3000)
                ],
            )
            refund_buyer(
                workspace=workspace,
                actor=actor,
                order=order,
                amount=Money(1000, "EUR"),
                bearer="platform",
                reason=["damaged", "not_received", "other"][i % 3],
                idempotency_key=f"rr-{i}",
            )

    def queries():
        supervisor_client.get("/w/resale/money/")
        with CaptureQueriesContext(connection) as captured:
            assert supervisor_client.get("/w/resale/money/").status_code == 200
        return len(captured.captured_queries)

    sell_and_refund(2, 0)
    few = queries()
    sell_and_refund(8, 2)
    assert queries() == few


# --- the policy page -----------------------------------------------------------------------


@pytest.fixture
def admin_client(client, workspace):
    admin = builders.member(workspace, "ada@resale.test", role="admin", name="Ada Admin")
    client.force_login(admin)
    return client


def _form_values(workspace) -> dict:
    from django import forms

    from ombuds.policies.selectors import latest_version
    from ombuds.web.desk.policy_forms import PolicyForm

    version = latest_version(workspace)
    form = PolicyForm(document=version.document, based_on=version.number)
    values = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        if isinstance(field, forms.BooleanField):
            if value:
                values[name] = "on"
            continue
        values[name] = "" if value is None else str(value)
    return values


def test_an_admin_changes_the_policy_and_it_becomes_version_2(admin_client, workspace):
    page = admin_client.get("/w/resale/policy/")
    assert page.status_code == 200
    assert "Save as a new version" in page.text
    values = _form_values(workspace)
    # Unchanged: nothing is written
    same = admin_client.post("/w/resale/policy/", values)
    assert same.status_code == 302
    assert PolicyVersion.objects.filter(workspace=workspace).count() == 1
    values["limit_agent_refund_EUR"] = "150.00"
    values["fault_carrier_loss_bears"] = "platform"
    values["note"] = "Agents refund up to 150"
    saved = admin_client.post("/w/resale/policy/", values)
    assert saved.status_code == 302
    assert "Saved as version 2." in admin_client.get(saved.url).text
    latest = PolicyVersion.objects.get(workspace=workspace, number=2)
    assert latest.document["authority"]["agent"]["refund"]["EUR"] == 15000
    assert latest.document["fault_rules"]["carrier_loss"]["bears"] == "platform"
    history = admin_client.get("/w/resale/policy/").text
    assert "authority.agent.refund.EUR" in history
    assert "Agents refund up to 150" in history


def test_an_admin_sets_the_dispute_terms_on_the_policy_page(admin_client, workspace):
    page = admin_client.get("/w/resale/policy/").text
    assert "Dispute terms" in page and "When the seller stays silent" in page
    values = {
        **_form_values(workspace),
        "disputes_seller_days": "5",
        "disputes_silent_seller": "decide",
    }
    assert admin_client.post("/w/resale/policy/", values).status_code == 302
    latest = PolicyVersion.objects.get(workspace=workspace, number=2)
    assert latest.document["disputes"]["seller_days"] == 5
    assert latest.document["disputes"]["silent_seller"] == "decide"
    history = admin_client.get("/w/resale/policy/").text
    assert "disputes.seller_days" in history and "disputes.silent_seller" in history
    # Out of bounds: refused, and nothing stored.
    answer = admin_client.post(
        "/w/resale/policy/", {**_form_values(workspace), "disputes_seller_days": "0"}
    )
    assert answer.status_code == 422
    assert PolicyVersion.objects.filter(workspace=workspace).count() == 2


def test_a_stale_policy_form_is_refused(admin_client, workspace):
    values = _form_values(workspace)
    first = {**values, "returns_goods_days": "30"}
    admin_client.post("/w/resale/policy/", first)
    stale = {**values, "returns_goods_days": "7"}
    answer = admin_client.post("/w/resale/policy/", stale)
    assert answer.status_code == 409
    assert "Someone changed the policy meanwhile" in answer.text


def test_bad_policy_values_are_refused(admin_client, workspace):
    values = {**_form_values(workspace), "returns_goods_days": "400", "currencies": "EUR, XXQ"}
    answer = admin_client.post("/w/resale/policy/", values)
    assert answer.status_code == 422
    assert "Not ISO 4217 currencies: XXQ" in answer.text
    assert PolicyVersion.objects.filter(workspace=workspace).count() == 1


def test_agents_read_the_policy_but_cannot_change_it(agent_client, workspace):
    page = agent_client.get("/w/resale/policy/").text
    assert "Only admins change the policy." in page
    assert "disabled" in page
    answer = agent_client.post("/w/resale/policy/", _form_values(workspace))
    assert answer.status_code == 403


def test_money_pages_speak_dutch(agent_client, supervisor_client, ticket_case):
    agent_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    text = agent_client.get(case_url(ticket_case)).text
    for label in ("Geld", "Terugbetalen aan de koper", "Tegoed geven", "Nog terug te betalen"):
        assert label in text, label
    answer = agent_client.post(case_url(ticket_case) + "money/refund/", refund_post(), **HTMX)
    assert "€\N{NO-BREAK SPACE}20,00 terugbetaald." in answer.text
    assert "betaalde <strong>€\N{NO-BREAK SPACE}20,00</strong> terug aan de koper" in answer.text
    supervisor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    report = supervisor_client.get("/w/resale/money/").text
    assert "Kosten van oplossingen" in report
    # SVG coordinates stay numbers for the browser, not Dutch decimals.
    assert not re.search(r'(?:x|y|width|height)="-?\d+,\d', report)
    assert 'class="chart-bar chart-bar--0"' in report
    assert "Goedkeuringen" in supervisor_client.get("/w/resale/approvals/").text
    assert "Handelsbeleid" in supervisor_client.get("/w/resale/policy/").text
