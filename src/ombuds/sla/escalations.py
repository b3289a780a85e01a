"""What a policy does when one of its clocks warns or breaches: tell people, move the
case to a team, raise its priority. Runs only from the sweep, at the moment it happens;
thresholds found afterwards (a reply just after the deadline) are recorded, not escalated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction

from ombuds.accounts.models import Role, Team, User
from ombuds.conversations.events import Actor
from ombuds.conversations.models import Case
from ombuds.conversations.services import update_case
from ombuds.core.errors import ApplicationError

from .clocks import next_priority
from .models import Notify, SlaClock

log = logging.getLogger(__name__)
ESCALATION = Actor.system("sla escalation")


@dataclass
class Escalation:
    """What one warning or breach sets in motion."""

    notify: list[User] = field(default_factory=list)
    priority: str | None = None
    team: Team | None = None
    unassign: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.notify or self.priority or self.team)

    def as_data(self) -> dict:
        return {
            "notified": [u.display_name for u in self.notify],
            "priority": self.priority,
            "team": self.team.name if self.team else None,
        }


def supervisors_for(case: Case) -> list[User]:
    """The supervisors of the case's team; without any, every supervisor of the
    workspace; without those, its admins."""
    people = User.objects.filter(is_active=True, memberships__workspace_id=case.workspace_id)
    people = people.exclude(email="")
    supervisors = people.filter(memberships__role=Role.SUPERVISOR)
    if case.team_id:
        of_team = list(supervisors.filter(teams__pk=case.team_id).distinct())
        if of_team:
            return of_team
    return list(supervisors.distinct()) or list(
        people.filter(memberships__role=Role.ADMIN).distinct()
    )


def plan_escalation(clock: SlaClock, stage: str) -> Escalation:
    """What the clock's policy says to do on `stage` ("warning" or "breach")."""
    policy, case = clock.policy, clock.case
    plan = Escalation()
    if policy is None:
        return plan
    notify = getattr(policy, f"{stage}_notify")
    people: dict[int, User] = {}
    if notify in (Notify.ASSIGNEE, Notify.BOTH) and case.assignee_id:
        assignee = case.assignee
        if assignee.is_active and assignee.email:
            people[assignee.pk] = assignee
    if notify in (Notify.SUPERVISORS, Notify.BOTH):
        people.update({u.pk: u for u in supervisors_for(case)})
    plan.notify = list(people.values())
    if getattr(policy, f"{stage}_raise_priority"):
        plan.priority = next_priority(case.priority)
    team = getattr(policy, f"{stage}_team")
    if team is not None and team.pk != case.team_id:
        plan.team = team
        plan.unassign = bool(
            case.assignee_id and not team.members.filter(pk=case.assignee_id).exists()
        )
    return plan


def carry_out(clock: SlaClock, plan: Escalation, event_id: int) -> None:
    """Raise the priority and move the case now (through update_case, so its timeline
    says so); mail the people to notify after the sweep commits."""
    changes: dict = {}
    if plan.priority:
        changes["priority"] = plan.priority
    if plan.team is not None:
        changes["team"] = plan.team
        if plan.unassign:
            changes["assignee"] = None
    if changes:
        try:
            with transaction.atomic():
                update_case(case=clock.case, actor=ESCALATION, **changes)
        except ApplicationError as refused:
            log.warning(
                "sla.escalation_refused", extra={"case": clock.case_id, "code": refused.code}
            )
    if plan.notify:
        from .tasks import send_sla_notice

        user_ids = [u.pk for u in plan.notify]
        transaction.on_commit(lambda: send_sla_notice(event_id, user_ids))
