"""Where a case may go from each status, enforced by every service that changes it."""

from ombuds.core.errors import ApplicationError, InvalidTransition

from .models import Status

S = Status
# Where a case may go from each status. A closed case stays closed: a customer who
# writes again opens a follow-up case.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset(
        {S.OPEN, S.PENDING_CUSTOMER, S.PENDING_THIRD_PARTY, S.ON_HOLD, S.SOLVED, S.CLOSED}
    ),
    S.OPEN: frozenset({S.PENDING_CUSTOMER, S.PENDING_THIRD_PARTY, S.ON_HOLD, S.SOLVED, S.CLOSED}),
    S.PENDING_CUSTOMER: frozenset({S.OPEN, S.PENDING_THIRD_PARTY, S.ON_HOLD, S.SOLVED}),
    S.PENDING_THIRD_PARTY: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.ON_HOLD, S.SOLVED}),
    S.ON_HOLD: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.PENDING_THIRD_PARTY, S.SOLVED}),
    S.SOLVED: frozenset({S.OPEN, S.CLOSED}),
    S.CLOSED: frozenset(),
}


def check_transition(current: str, target: str) -> None:
    if target not in Status.values:
        raise ApplicationError(
            "unknown_status",
            f"{target!r} is not a case status.",
            details={"allowed": Status.values},
            status=422,
        )
    if target != current and target not in TRANSITIONS[current]:
        raise InvalidTransition("case", current, target)
