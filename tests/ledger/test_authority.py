"""Authority limits by role, per action and currency, from the policy in force."""

from __future__ import annotations

import pytest

from ombuds.accounts.models import User
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.ledger.authority import MoneyActor, check_authority, check_may_decide
from ombuds.policies.document import default_document, default_policy
from ombuds.policies.selectors import current_policy
from ombuds.policies.services import revise_policy
from tests import builders


def member(role: str) -> MoneyActor:
    """A member in a role; the check reads only the role, so the user stays unsaved."""
    return MoneyActor(user=User(email=f"{role}@example.com"), role=role)


@pytest.mark.parametrize(
    ("role", "action", "cents", "allowed"),
    [
        ("agent", "refund", 10000, True),
        ("agent", "refund", 10001, False),
        ("agent", "credit", 2500, True),
        ("agent", "credit", 2501, False),
        ("agent", "reversal", 1, False),
        ("supervisor", "refund", 50000, True),
        ("supervisor", "refund", 50001, False),
        ("supervisor", "credit", 10000, True),
        ("admin", "refund", 50000, True),
        ("finance", "refund", 10_000_000, True),
        ("finance", "credit", 10_000_000, True),
    ],
)
def test_limits_by_role_and_action(role, action, cents, allowed):
    actor = member(role)
    check = check_authority(
        policy=default_policy(), actor=actor, kind=action, amount=Money(cents, "EUR"), order=None
    )
    assert check.allowed is allowed
    if not allowed:
        assert check.hold_reason == "over_limit"


def test_limits_are_per_currency_and_a_currency_without_one_needs_approval():
    actor = member("agent")
    policy = default_policy()
    assert check_authority(
        policy=policy, actor=actor, kind="refund", amount=Money(8500, "GBP"), order=None
    ).allowed
    assert not check_authority(
        policy=policy, actor=actor, kind="refund", amount=Money(8501, "GBP"), order=None
    ).allowed
    # The default names no limit in yen: every agent refund in yen asks first.
    yen = check_authority(
        policy=policy, actor=actor, kind="refund", amount=Money(1, "JPY"), order=None
    )
    assert (yen.allowed, yen.limit, yen.routed_to) == (False, 0, "finance")


def test_the_system_acts_by_policy_without_a_limit():
    check = check_authority(
        policy=default_policy(),
        actor=MoneyActor.system("psp"),
        kind="refund",
        amount=Money(10**9, "EUR"),
        order=None,
    )
    assert check.allowed


def test_a_read_only_role_may_not_move_money_whatever_the_amount():
    actor = member("read_only")
    with pytest.raises(ApplicationError) as refused:
        check_authority(
            policy=default_policy(), actor=actor, kind="credit", amount=Money(1, "EUR"), order=None
        )
    assert refused.value.status == 403


def test_a_changed_policy_changes_the_limit(workspace):
    admin = builders.member(workspace, "admin@resale.test", role="admin")
    document = default_document()
    document["authority"]["agent"]["refund"]["EUR"] = 20000
    revise_policy(workspace=workspace, by=admin, document=document, based_on=1)
    actor = member("agent")
    assert check_authority(
        policy=current_policy(workspace),
        actor=actor,
        kind="refund",
        amount=Money(20000, "EUR"),
        order=None,
    ).allowed


def test_who_may_decide(workspace):
    supervisor = builders.member(workspace, "sue@resale.test", role="supervisor")
    actor = MoneyActor(user=supervisor, role="supervisor")
    policy = default_policy()
    check_may_decide(
        policy=policy, actor=actor, kind="refund", amount=Money(50000, "EUR"), requested_by_id=None
    )
    with pytest.raises(ApplicationError) as refused:
        check_may_decide(
            policy=policy,
            actor=actor,
            kind="refund",
            amount=Money(50001, "EUR"),
            requested_by_id=None,
        )
    assert refused.value.code == "approval_above_limit"
    with pytest.raises(ApplicationError) as refused:
        check_may_decide(
            policy=policy,
            actor=actor,
            kind="refund",
            amount=Money(100, "EUR"),
            requested_by_id=supervisor.pk,
        )
    assert refused.value.code == "own_request"
