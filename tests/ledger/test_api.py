"""/api/v1/ledger: moving money with an Idempotency-Key, deciding approvals, reading an
order's money and the ledger's accounts, all within the token's workspace."""

from __future__ import annotations

import pytest

from ombuds.core.models import IdempotencyRecord
from ombuds.ledger.models import ApprovalRequest, Transaction
from ombuds.marketplace.inputs import PaymentInput
from tests import builders
from tests.api.client import Api, assert_error

REFUND = {"amount": 2500, "currency": "EUR", "bearer": "seller", "reason": "not_as_described"}


def key(value: str) -> dict:
    return {"Idempotency-Key": value}


@pytest.fixture
def agent_api(workspace):
    return Api(builders.token(workspace, "agent-api@resale.test", role="agent"))


@pytest.fixture
def supervisor_api(workspace):
    return Api(builders.token(workspace, "sup-api@resale.test", role="supervisor"))


@pytest.fixture
def finance_api(workspace):
    return Api(builders.token(workspace, "fin-api@resale.test", role="finance"))


@pytest.fixture
def admin_api(workspace):
    return Api(builders.token(workspace, "admin-api@resale.test", role="admin"))


@pytest.fixture
def other_api(other_workspace):
    return Api(builders.token(other_workspace, "admin@other.test", role="admin"))


def test_a_refund_answers_201_with_its_transaction_and_a_retry_replays_it(
    agent_api, paid_order, order_case
):
    body = {**REFUND, "case": order_case.reference, "note": "Item had a crack"}
    first = agent_api.post("/ledger/orders/ORD-1/refunds", body, headers=key("r-1"))
    assert first.status_code == 201, first.content
    answer = first.json()
    assert (answer["status"], answer["idempotency_key"], answer["approval"]) == (
        "executed",
        "r-1",
        None,
    )
    tx = answer["transaction"]
    assert (tx["kind"], tx["amount"], tx["bearer"], tx["order"], tx["case"]) == (
        "refund",
        2500,
        "seller",
        "ORD-1",
        order_case.reference,
    )
    assert tx["policy_version"] == 1
    assert tx["actor"]["type"] == "user"
    retry = agent_api.post("/ledger/orders/ORD-1/refunds", body, headers=key("r-1"))
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == answer
    assert Transaction.objects.filter(kind="refund").count() == 1


def test_the_ledger_remembers_a_key_after_the_http_record_is_gone(agent_api, paid_order):
    agent_api.post("/ledger/orders/ORD-1/refunds", REFUND, headers=key("r-2"))
    IdempotencyRecord.objects.all().delete()  # the day-long HTTP replay window has passed
    same = agent_api.post("/ledger/orders/ORD-1/refunds", REFUND, headers=key("r-2"))
    assert same.status_code == 201
    assert Transaction.objects.filter(kind="refund").count() == 1
    IdempotencyRecord.objects.all().delete()
    other = agent_api.post(
        "/ledger/orders/ORD-1/refunds", {**REFUND, "amount": 2600}, headers=key("r-2")
    )
    assert_error(other, 409, "idempotency_key_reused")


def test_moving_money_needs_a_key(agent_api, paid_order):
    assert_error(
        agent_api.post("/ledger/orders/ORD-1/refunds", REFUND), 422, "idempotency_key_required"
    )


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"amount": 12.5}, 422, "validation_error"),
        ({"amount": "2500"}, 422, "validation_error"),
        ({"amount": 0}, 422, "validation_error"),
        ({"bearer": "buyer"}, 422, "validation_error"),
        ({"reason": "bored"}, 422, "validation_error"),
        ({"currency": "USD"}, 422, "currency_mismatch"),
        ({"amount": 99999}, 409, "refund_exceeds_capture"),
        ({"surprise": 1}, 422, "validation_error"),
    ],
)
def test_bad_refunds_are_refused_and_write_nothing(agent_api, paid_order, change, status, code):
    response = agent_api.post(
        "/ledger/orders/ORD-1/refunds", {**REFUND, **change}, headers=key("r-bad")
    )
    assert_error(response, status, code)
    assert not Transaction.objects.exists()
    assert not IdempotencyRecord.objects.exists()


def test_above_the_limit_the_answer_is_202_and_a_supervisor_decides(
    agent_api, supervisor_api, paid_order, order_case
):
    asked = agent_api.post(
        "/ledger/orders/ORD-1/refunds",
        {**REFUND, "amount": 12000, "case": order_case.reference, "note": "Three weeks late"},
        headers=key("big"),
    )
    assert asked.status_code == 202, asked.content
    approval = asked.json()["approval"]
    assert (approval["status"], approval["routed_to"], approval["hold_reason"]) == (
        "pending",
        "supervisor",
        "over_limit",
    )
    assert asked.json()["transaction"] is None
    waiting = supervisor_api.get("/ledger/approvals").json()
    assert [a["id"] for a in waiting] == [approval["id"]]
    # The requester's own token cannot decide it
    own = agent_api.post(
        f"/ledger/approvals/{approval['id']}/decision", {"approve": True}, headers=key("d-0")
    )
    assert_error(own, 403, "forbidden")
    decided = supervisor_api.post(
        f"/ledger/approvals/{approval['id']}/decision",
        {"approve": True, "note": "ok"},
        headers=key("d-1"),
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "executed"
    assert decided.json()["transaction"]["amount"] == 12000
    assert ApprovalRequest.objects.get().status == "approved"
    again = supervisor_api.post(
        f"/ledger/approvals/{approval['id']}/decision", {"approve": False, "note": "no"}
    )
    assert_error(again, 409, "approval_decided")


def test_a_read_only_token_cannot_move_money(workspace, paid_order):
    viewer = Api(builders.token(workspace, "viewer@resale.test", role="read_only"))
    assert_error(
        viewer.post("/ledger/orders/ORD-1/refunds", REFUND, headers=key("v")), 403, "forbidden"
    )
    assert viewer.get("/ledger/orders/ORD-1/money").status_code == 200


def test_the_orders_money_and_movements(agent_api, paid_order):
    agent_api.post("/ledger/orders/ORD-1/refunds", REFUND, headers=key("m-1"))
    agent_api.post(
        "/ledger/orders/ORD-1/credits",
        {"amount": 1000, "currency": "EUR", "bearer": "platform", "reason": "late_delivery"},
        headers=key("m-2"),
    )
    money = agent_api.get("/ledger/orders/ORD-1/money").json()
    assert money == {
        "currency": "EUR",
        "total": 12500,
        "captured": 12500,
        "refunded_reported": 0,
        "refunds_pending": 2500,
        "refundable": 10000,
        "refunded_by_desk": 2500,
        "credits": 1000,
        "seller_debits": 0,
        "rebookings": 0,
        "cost": 3500,
    }
    kinds = [t["kind"] for t in agent_api.get("/ledger/orders/ORD-1/transactions").json()]
    assert kinds == ["credit", "refund", "capture"]
    refund_id = Transaction.objects.get(kind="refund").pk
    detail = agent_api.get(f"/ledger/transactions/{refund_id}").json()
    assert sorted(e["amount"] for e in detail["entries"]) == [-2500, 2500]


def test_reversal_and_payout(agent_api, supervisor_api, admin_api, paid_order):
    refund = agent_api.post("/ledger/orders/ORD-1/refunds", REFUND, headers=key("p-1")).json()
    tx_id = refund["transaction"]["id"]
    paid = admin_api.post(
        f"/ledger/transactions/{tx_id}/payout", {"psp_reference": "re_9"}, headers=key("p-2")
    )
    assert paid.status_code == 201, paid.content
    assert paid.json()["kind"] == "refund_settlement"
    refused = supervisor_api.post(
        f"/ledger/transactions/{tx_id}/reversal", {"note": "oops"}, headers=key("p-3")
    )
    assert_error(refused, 409, "refund_paid_out")
    credit = agent_api.post(
        "/ledger/orders/ORD-1/credits",
        {"amount": 500, "currency": "EUR", "bearer": "platform", "reason": "late_delivery"},
        headers=key("p-4"),
    ).json()
    undone = supervisor_api.post(
        f"/ledger/transactions/{credit['transaction']['id']}/reversal", {}, headers=key("p-5")
    )
    assert undone.status_code == 201
    assert undone.json()["transaction"]["reverses"] == credit["transaction"]["id"]


def test_accounts_and_reports_are_for_supervisors_and_finance(
    agent_api, finance_api, paid_order, seller
):
    agent_api.post("/ledger/orders/ORD-1/refunds", REFUND, headers=key("a-1"))
    assert_error(agent_api.get("/ledger/accounts"), 403, "forbidden")
    accounts = finance_api.get("/ledger/accounts").json()
    by_kind = {(a["kind"], a["party"]): a["balances"] for a in accounts}
    assert by_kind[("seller_balance", "S-1")] == {"EUR": -12500 + 2500}
    one = next(a for a in accounts if a["kind"] == "psp_clearing")
    detail = finance_api.get(f"/ledger/accounts/{one['id']}").json()
    assert detail["entries"][0]["amount"] == 12500
    costs = finance_api.get("/ledger/reports/costs").json()
    assert costs["by_reason"] == [
        {
            "key": "not_as_described",
            "label": "Not as described",
            "currency": "EUR",
            "cost": 2500,
            "resolutions": 1,
        }
    ]
    rates = finance_api.get("/ledger/reports/sellers").json()
    assert [(r["seller"], r["orders"], r["resolutions"], r["rate"]) for r in rates] == [
        ("S-1", 1, 1, 1.0)
    ]


def test_a_preview_writes_nothing(agent_api, paid_order):
    preview = agent_api.post(
        "/ledger/orders/ORD-1/preview",
        {"kind": "refund", "amount": 11000, "currency": "EUR", "cause": "carrier_loss"},
    ).json()
    assert preview["bearer"] == "carrier"
    assert preview["fault_rule"] == "fault.carrier_loss"
    assert (preview["needs_approval"], preview["routed_to"]) == (True, "supervisor")
    assert [leg["amount"] for leg in preview["legs"]] == [11000, -11000]
    assert not Transaction.objects.exists()


def test_another_workspaces_money_does_not_exist_here(
    other_api, agent_api, supervisor_api, paid_order
):
    agent_api.post("/ledger/orders/ORD-1/refunds", {**REFUND, "amount": 500}, headers=key("t-1"))
    asked = agent_api.post(
        "/ledger/orders/ORD-1/refunds", {**REFUND, "amount": 11000}, headers=key("t-2")
    ).json()
    tx = Transaction.objects.get(kind="refund")
    account = tx.entries.first().account_id
    for path in (
        "/ledger/orders/ORD-1/money",
        "/ledger/orders/ORD-1/transactions",
        f"/ledger/transactions/{tx.pk}",
        f"/ledger/accounts/{account}",
        f"/ledger/approvals/{asked['approval']['id']}",
    ):
        assert other_api.get(path).status_code == 404, path
    assert other_api.get("/ledger/accounts").json() == []
    assert other_api.get("/ledger/approvals").json() == []
    for path, body in (
        ("/ledger/orders/ORD-1/refunds", REFUND),
        (f"/ledger/transactions/{tx.pk}/reversal", {}),
        (f"/ledger/transactions/{tx.pk}/payout", {}),
        (f"/ledger/approvals/{asked['approval']['id']}/decision", {"approve": True}),
    ):
        assert other_api.post(path, body, headers=key("x")).status_code == 404, path
    assert Transaction.objects.filter(kind="refund").count() == 1


def test_a_credit_to_a_buyer_without_an_order(agent_api, buyer):
    answer = agent_api.post(
        f"/ledger/parties/{buyer.external_id}/credits",
        {"amount": 700, "currency": "EUR", "bearer": "platform", "reason": "other"},
        headers=key("c-1"),
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["transaction"]["outcome"] == "goodwill"


def test_a_double_charge_is_refunded_across_both_payments(
    agent_api, finance_api, workspace, buyer, seller
):
    builders.order(
        workspace,
        "ORD-2X",
        buyer=buyer,
        seller=seller,
        total=5000,
        payments=[
            PaymentInput("PX-1", status="captured", amount=5000, captured_amount=5000),
            PaymentInput("PX-2", status="captured", amount=5000, captured_amount=5000),
        ],
    )
    answer = finance_api.post(
        "/ledger/orders/ORD-2X/refunds",
        {
            "amount": 5000,
            "currency": "EUR",
            "cause": "duplicate_charge",
            "reason": "duplicate_charge",
        },
        headers=key("dup"),
    )
    assert answer.status_code == 201
    assert answer.json()["transaction"]["bearer"] == "platform"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/ledger/orders/ORD-1/refunds"),
        ("POST", "/ledger/orders/ORD-1/credits"),
        ("GET", "/ledger/orders/ORD-1/money"),
        ("GET", "/ledger/orders/ORD-1/transactions"),
        ("GET", "/ledger/approvals"),
        ("POST", "/ledger/approvals/1/decision"),
        ("GET", "/ledger/accounts"),
        ("GET", "/ledger/reports/costs"),
    ],
)
def test_every_ledger_endpoint_wants_a_token(db, method, path):
    assert_error(Api().send(method, path, {}), 401, "unauthorized")
