"""SLA events read as sentences on the case page, with deadlines in the workspace's time."""

from __future__ import annotations

import re

from ombuds.conversations.events import Actor
from ombuds.conversations.services import update_case
from ombuds.sla.models import Notify
from ombuds.sla.services import PolicyTerms, create_policy, move_policy
from ombuds.sla.sweep import sweep_due_clocks
from tests import builders


def test_the_case_page_explains_policies_warnings_and_breaches(
    agent_client, workspace, buyer, agent, clock
):
    standard = create_policy(
        workspace=workspace,
        terms=PolicyTerms(
            name="Standard", first_response_minutes=240, breach_notify=Notify.ASSIGNEE
        ),
    )
    urgent = create_policy(
        workspace=workspace,
        terms=PolicyTerms(name="Urgent", priorities=["urgent"], first_response_minutes=60),
    )
    move_policy(policy=urgent, up=True)
    del standard
    case = builders.case(workspace, requester=buyer)
    update_case(case=case, actor=Actor(user=agent), assignee=agent)
    sweep_due_clocks(now=clock.advance(hours=4))
    update_case(case=case, actor=Actor(user=agent), priority="urgent")

    text = agent_client.get(f"/w/resale/cases/{case.reference}/").text
    assert "SLA policy <strong>Standard</strong> applies" in text
    # 10:00 in Amsterdam + 4 h: 14:00 local, not 13:00 UTC.
    assert "First response due Mon 7 Dec 14:00" in text
    assert re.search(
        r"SLA warning: <strong>First response</strong> is due <strong>Mon 7 Dec 14:00</strong>",
        text,
    )
    assert (
        "SLA breached: <strong>First response</strong> target of <strong>Standard</strong>" in text
    )
    assert "notified Anna Agent" in text
    assert (
        "SLA policy <strong>Urgent</strong> applies instead of <strong>Standard</strong> "
        "(priority changed)" in text
    )
    # The clocks panel shows the running clock and the time it is due.
    panel = text[text.index('id="sla-clocks"') :]
    assert "First response" in panel and "overdue by" in panel
