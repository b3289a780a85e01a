from ombuds.accounts.services import create_team
from ombuds.conversations.events import Actor
from ombuds.conversations.selectors import inbox_counts
from ombuds.conversations.services import update_case
from tests import builders


def test_counts_cover_active_cases_of_each_view(workspace, agent, buyer):
    team = create_team(workspace=workspace, name="Tickets", members=[agent])
    mine, _unassigned, waiting, done = (builders.case(workspace, requester=buyer) for _ in range(4))
    update_case(case=mine, actor=Actor(user=agent), assignee=agent, team=team)
    update_case(case=waiting, actor=Actor(user=agent), status="pending_third_party")
    update_case(case=done, actor=Actor(user=agent), status="solved", assignee=agent)

    assert inbox_counts(workspace=workspace, user=agent) == {
        "mine": 1,
        "unassigned": 2,
        "team": 1,
        "pending": 1,
    }


def test_counts_are_remembered_briefly_unless_asked_fresh(workspace, agent, buyer):
    assert inbox_counts(workspace=workspace, user=agent)["unassigned"] == 0
    builders.case(workspace, requester=buyer)
    assert inbox_counts(workspace=workspace, user=agent)["unassigned"] == 0
    assert inbox_counts(workspace=workspace, user=agent, fresh=True)["unassigned"] == 1
