"""A refund an agent may not make alone escalates the case: the ledger asks for approval,
the escalation rule hears it on the timeline and moves the case to the escalation team."""

from __future__ import annotations

from ombuds.automation.defaults import install_defaults
from ombuds.core.money import Money
from ombuds.ledger.services import refund_buyer
from tests.ledger.conftest import agent_actor, key, order_case, paid_order, seller  # noqa: F401


def test_a_refund_above_the_agents_authority_escalates_its_case(
    workspace,
    paid_order,  # noqa: F811
    order_case,  # noqa: F811
    agent_actor,  # noqa: F811
):
    install_defaults(workspace)

    result = refund_buyer(
        workspace=workspace,
        actor=agent_actor,
        order=paid_order,
        amount=Money(12000, "EUR"),
        bearer="seller",
        reason="not_as_described",
        idempotency_key=key(),
        case=order_case,
    )

    assert result.status == "awaiting_approval"
    order_case.refresh_from_db()
    assert order_case.team.name == "Escalations"
    escalation = order_case.events.get(kind="case.escalated")
    assert "authority" in escalation.data["reason"]
    assert order_case.priority in ("high", "urgent")


def test_a_refund_within_authority_escalates_nothing(
    workspace,
    paid_order,  # noqa: F811
    order_case,  # noqa: F811
    agent_actor,  # noqa: F811
):
    install_defaults(workspace)
    refund_buyer(
        workspace=workspace,
        actor=agent_actor,
        order=paid_order,
        amount=Money(2000, "EUR"),
        bearer="seller",
        reason="not_as_described",
        idempotency_key=key(),
        case=order_case,
    )
    order_case.refresh_from_db()
    assert order_case.team is None or order_case.team.name != "Escalations"
    assert not order_case.events.filter(kind="case.escalated").exists()
