"""SLA scenarios: a workspace on office hours in Amsterdam, a clock the test moves, and
policies built through the service."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ombuds.accounts.services import create_team
from ombuds.conversations.events import Actor
from ombuds.sla.services import PolicyTerms, create_policy
from tests import builders

AMS = ZoneInfo("Europe/Amsterdam")
# Monday 7 December 2026, 10:00 in Amsterdam (the `clock` fixture's start): the desk
# (Mon-Fri 09-17) is open.
MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=AMS)


def local(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(AMS).replace(tzinfo=None)


@pytest.fixture
def standard(workspace):
    """First response in 4 business hours, next response in 2, resolution in 2 days
    (16 business hours), warning at 75 %."""
    return create_policy(
        workspace=workspace,
        terms=PolicyTerms(
            name="Standard",
            first_response_minutes=4 * 60,
            next_response_minutes=2 * 60,
            resolution_minutes=16 * 60,
            follow_up_minutes=8 * 60,
        ),
    )


@pytest.fixture
def urgent(workspace, standard):
    """Urgent cases: first response within one business hour; tried before Standard."""
    from ombuds.sla.services import move_policy

    policy = create_policy(
        workspace=workspace,
        terms=PolicyTerms(
            name="Urgent",
            priorities=["urgent"],
            first_response_minutes=60,
            next_response_minutes=60,
            resolution_minutes=8 * 60,
        ),
    )
    move_policy(policy=policy, up=True)
    return policy


@pytest.fixture
def supervisor(workspace):
    return builders.member(workspace, "sue@resale.test", role="supervisor", name="Sue Super")


@pytest.fixture
def escalations(workspace, supervisor):
    return create_team(workspace=workspace, name="Escalations", members=[supervisor])


def opened(workspace, requester, **extra):
    return builders.case(workspace, requester=requester, **extra)


ME = Actor.system("test")
