"""What a policy is chosen by: the facts of a case at the moment of an event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from ombuds.accounts.models import Team
from ombuds.conversations.models import ACTIVE_STATUSES, Case, CaseEvent, Status

from ..models import DEFAULT_PAUSE_STATUSES, CustomerTier, DisputeCondition, Metric, SlaPolicy

DISPUTE_TAG = "dispute"


class Facts:
    """What the case looks like at the moment of an event: the policy is chosen by it.

    Live, it reads the case as the service holds it, with the event's own `after` for the
    field the event changes (the service may set that field only after recording)."""

    def __init__(self, case: Case, event: CaseEvent | None = None):
        self.case = case
        self.event = event

    def _changed(self, kind: str):
        event = self.event
        if event is not None and event.kind == kind:
            return True, event.after
        return False, None

    @cached_property
    def status(self) -> str:
        changed, after = self._changed("status.changed")
        return after if changed else self.case.status

    @cached_property
    def priority(self) -> str:
        changed, after = self._changed("priority.changed")
        return after if changed else self.case.priority

    @property
    def channel(self) -> str:
        return self.case.channel

    @property
    def language(self) -> str:
        return self.case.language

    @cached_property
    def vip(self) -> bool:
        return bool(self.case.requester.is_vip)

    @cached_property
    def dispute(self) -> bool:
        changed, after = self._changed("tags.changed")
        if changed:
            return DISPUTE_TAG in (after or [])
        if self.event is not None and self.event.kind == "case.created":
            return DISPUTE_TAG in ((self.event.after or {}).get("tags") or [])
        return self.case.tags.filter(name=DISPUTE_TAG).exists()

    @cached_property
    def team_id(self) -> int | None:
        changed, after = self._changed("team.changed")
        if not changed:
            return self.case.team_id
        return _team_id(self.case.workspace_id, after)

    @property
    def responded(self) -> bool:
        return self.case.first_response_at is not None


@dataclass
class HistoryFacts:
    """The same facts, followed through a case's recorded history."""

    status: str
    priority: str
    channel: str
    language: str
    vip: bool
    dispute: bool
    team_id: int | None
    responded: bool = False
    team_named: Callable[[str | None], int | None] | None = None

    @classmethod
    def at_creation(
        cls,
        case: Case,
        created: CaseEvent,
        history: list[CaseEvent],
        team_named: Callable[[str | None], int | None],
    ) -> HistoryFacts:
        after = created.after or {}
        first_team = next((e for e in history if e.kind == "team.changed"), None)
        return cls(
            status=after.get("status") or Status.NEW,
            priority=after.get("priority") or case.priority,
            channel=after.get("channel") or case.channel,
            language=case.language,
            vip=bool(case.requester.is_vip),
            dispute=DISPUTE_TAG in (after.get("tags") or []),
            team_id=team_named(first_team.before) if first_team is not None else case.team_id,
            team_named=team_named,
        )

    def before(self, event: CaseEvent) -> None:
        """Take what the event changes, as the live path reads it from the event."""
        if event.kind == "status.changed":
            self.status = event.after
        elif event.kind == "priority.changed":
            self.priority = event.after
        elif event.kind == "tags.changed":
            self.dispute = DISPUTE_TAG in (event.after or [])
        elif event.kind == "team.changed":
            self.team_id = self.team_named(event.after)

    def after(self, event: CaseEvent) -> None:
        if event.kind == "message.replied":
            self.responded = True


def _team_id(workspace_id: int, name: str | None) -> int | None:
    if not name:
        return None
    return (
        Team.objects.filter(workspace_id=workspace_id, name=name)
        .values_list("pk", flat=True)
        .first()
    )


def policy_matches(policy: SlaPolicy, facts) -> bool:
    """Whether a case with these facts falls under the policy (empty lists match all)."""
    if policy.priorities and facts.priority not in policy.priorities:
        return False
    if policy.channels and facts.channel not in policy.channels:
        return False
    if policy.languages and (facts.language or "") not in policy.languages:
        return False
    if policy.customer_tier == CustomerTier.VIP and not facts.vip:
        return False
    if policy.customer_tier == CustomerTier.STANDARD and facts.vip:
        return False
    if policy.dispute == DisputeCondition.DISPUTE and not facts.dispute:
        return False
    return not (policy.dispute == DisputeCondition.OTHER and facts.dispute)


def runs_in(metric: str, status: str, policy: SlaPolicy | None) -> bool:
    """Whether a clock of this metric counts while the case has this status."""
    if metric == Metric.FOLLOW_UP:
        return status == Status.PENDING_THIRD_PARTY
    if status not in ACTIVE_STATUSES:
        return False
    pauses = policy.pause_statuses if policy is not None else DEFAULT_PAUSE_STATUSES
    return status not in (pauses or [])
