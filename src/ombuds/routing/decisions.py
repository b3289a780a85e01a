"""Who gets a case, decided over candidates already read: pure, so it can be reasoned
about (and property-tested) apart from locks and queries.

Only an agent with every required skill and room below their capacity is eligible.
Least loaded ranks by share of capacity in use, then by fewer active cases, then by who
has waited longest for a case. Round robin ranks by turn: the first agent after the
queue's last one, in a fixed order (user id), wrapping around.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from fractions import Fraction

from .models import SkillKind, Strategy
from .skills import Skill, covers

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Candidate:
    """An online agent of the queue's team, with their load at decision time."""

    user_id: int
    name: str
    capacity: int
    load: int
    skills: frozenset[Skill] = field(default_factory=frozenset)
    profile_id: int | None = None
    last_assigned_at: datetime | None = None

    @property
    def has_room(self) -> bool:
        return self.load < self.capacity

    def missing(self, required: Iterable[Skill]) -> tuple[Skill, ...]:
        return tuple(need for need in required if not covers(self.skills, need))

    def with_load(self, load: int) -> Candidate:
        return replace(self, load=load)


@dataclass(frozen=True)
class Decision:
    """The ranking for one case: `ranked` are the eligible agents, best first."""

    strategy: str
    required: tuple[Skill, ...]
    considered: tuple[Candidate, ...]
    ranked: tuple[Candidate, ...]

    @property
    def chosen(self) -> Candidate | None:
        return self.ranked[0] if self.ranked else None

    @property
    def skilled(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.considered if not c.missing(self.required))

    def why_nobody(self) -> str:
        """A code for why nobody could take the case."""
        if not self.considered:
            return "nobody_online"
        if not self.skilled:
            return "nobody_skilled"
        return "everyone_full"


def _least_loaded_key(candidate: Candidate):
    return (
        Fraction(candidate.load, candidate.capacity),
        candidate.load,
        candidate.last_assigned_at or _NEVER,
        candidate.user_id,
    )


def rank(
    candidates: Sequence[Candidate], *, strategy: str, last_assignee_id: int | None
) -> tuple[Candidate, ...]:
    """Eligible candidates in the order the strategy offers them the case."""
    if strategy == Strategy.ROUND_ROBIN:
        in_turn = sorted(candidates, key=lambda c: c.user_id)
        if last_assignee_id is None:
            return tuple(in_turn)
        after = [c for c in in_turn if c.user_id > last_assignee_id]
        before = [c for c in in_turn if c.user_id <= last_assignee_id]
        return tuple(after + before)
    return tuple(sorted(candidates, key=_least_loaded_key))


def decide(
    candidates: Iterable[Candidate],
    *,
    required: tuple[Skill, ...],
    strategy: str,
    last_assignee_id: int | None = None,
) -> Decision:
    considered = tuple(sorted(candidates, key=lambda c: c.user_id))
    eligible = [c for c in considered if c.capacity > 0 and c.has_room and not c.missing(required)]
    return Decision(
        strategy=strategy,
        required=required,
        considered=considered,
        ranked=rank(eligible, strategy=strategy, last_assignee_id=last_assignee_id),
    )


_SKILL_VERBS = {
    SkillKind.LANGUAGE: "speaks",
    SkillKind.CHANNEL: "handles",
    SkillKind.TOPIC: "knows",
}


def reason_text(decision: Decision, chosen: Candidate) -> str:
    """Why this agent, in one English line for the API and logs: 'least loaded: 2 of 6
    active, speaks nl'. The desk renders its own sentence from the same data."""
    label = "round robin" if decision.strategy == Strategy.ROUND_ROBIN else "least loaded"
    parts = [f"{label}: {chosen.load} of {chosen.capacity} active"]
    parts += [f"{_SKILL_VERBS.get(s.kind, 'has')} {s.code}" for s in decision.required]
    return ", ".join(parts)


def nobody_text(decision: Decision) -> str:
    why = decision.why_nobody()
    if why == "nobody_online":
        return "nobody online in the team"
    needs = ", ".join(str(s) for s in decision.required)
    if why == "nobody_skilled":
        return f"nobody online has {needs}"
    return "everyone who could take it is at capacity"


def candidate_summary(decision: Decision, limit: int = 12) -> list[dict]:
    """The agents considered and how each stood, for the timeline (at most `limit`)."""
    rows = []
    for c in decision.considered[:limit]:
        missing = c.missing(decision.required)
        rows.append(
            {
                "id": c.user_id,
                "name": c.name,
                "load": c.load,
                "capacity": c.capacity,
                "missing": [str(s) for s in missing],
                "full": not c.has_room or c.capacity == 0,
            }
        )
    return rows
