"""Every way a dispute can move, in one table: from which states, to which state, who may
do it and what must hold. The services check it under the dispute's row lock before they
write anything (`check`); anything not in the table is refused with 409.

A chargeback at the payment provider freezes a dispute: while frozen it takes no
transition at all except `unfreeze`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from ombuds.core.errors import ApplicationError, InvalidTransition, PermissionDenied

from .models import BETWEEN_PARTIES, OPEN_STATES, Dispute, Role, State

NEW = ""  # the state of a dispute not yet opened
S = State
R = Role


class TransitionRefused(InvalidTransition):
    """A transition the table does not allow now: wrong state, frozen, or a guard."""

    def __init__(self, code: str, message: str, details: dict | None = None):
        ApplicationError.__init__(self, code, message, details=details)


class DisputeFrozen(TransitionRefused):
    def __init__(self, dispute: Dispute):
        super().__init__(
            "dispute_frozen",
            f"Dispute {dispute.reference} is frozen while the payment provider's chargeback "
            "runs; it can change again once the chargeback is over.",
            details={"dispute": dispute.reference, "reason": dispute.frozen_reason},
        )


@dataclass(frozen=True)
class Context:
    """What a guard may look at besides the dispute."""

    role: str
    now: datetime
    user_id: int | None = None
    extra: dict = field(default_factory=dict)


Guard = Callable[[Dispute, Context], None]


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the dispute stays in its state (freeze, an offer in mediation)
    roles: frozenset[str]
    label: str
    guards: tuple[Guard, ...] = ()


# --- guards -----------------------------------------------------------------------------


def _passed(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment <= now


def escalation_allowed(dispute: Dispute, ctx: Context) -> None:
    """The platform steps in whenever it sees fit; a party may call it in once the other
    side had its chance: the buyer once the seller answered (or let the deadline pass),
    the seller once the buyer let theirs pass."""
    if ctx.role == Role.AGENT:
        return
    if ctx.role == Role.BUYER:
        if dispute.state == State.AWAITING_CONTACT:
            raise TransitionRefused(
                "seller_still_has_time",
                "The seller is still in the contact period; the dispute opens when it ends.",
                details={"due_at": _iso(dispute.contact_due_at)},
            )
        if dispute.state == State.AWAITING_SELLER and not _passed(dispute.seller_due_at, ctx.now):
            raise TransitionRefused(
                "seller_still_has_time",
                "The seller may still respond; you can escalate once their deadline passed.",
                details={"due_at": _iso(dispute.seller_due_at)},
            )
        return
    if ctx.role == Role.SELLER and (
        dispute.state not in (State.OFFER_PENDING, State.CONTESTED)
        or not _passed(dispute.buyer_due_at, ctx.now)
    ):
        raise TransitionRefused(
            "buyer_still_has_time",
            "The buyer may still answer; you can escalate once their deadline passed.",
            details={"due_at": _iso(dispute.buyer_due_at)},
        )


def contact_period_over(dispute: Dispute, ctx: Context) -> None:
    if ctx.role in (Role.AGENT, Role.SYSTEM):
        return
    if not _passed(dispute.contact_due_at, ctx.now):
        raise TransitionRefused(
            "contact_period_running",
            "The seller still has time to sort this out with you directly.",
            details={"due_at": _iso(dispute.contact_due_at)},
        )


def deadline_passed(attribute: str) -> Guard:
    def guard(dispute: Dispute, ctx: Context) -> None:
        if not _passed(getattr(dispute, attribute), ctx.now):
            raise TransitionRefused(
                "deadline_not_passed",
                "This happens only once the deadline has passed.",
                details={"deadline": attribute, "due_at": _iso(getattr(dispute, attribute))},
            )

    guard.__name__ = f"deadline_passed_{attribute}"
    return guard


def has_pending_offer(dispute: Dispute, ctx: Context) -> None:
    if not ctx.extra.get("pending_offer"):
        raise TransitionRefused(
            "no_pending_offer", "There is no offer waiting for an answer on this dispute."
        )


def appeal_open(dispute: Dispute, ctx: Context) -> None:
    if ctx.extra.get("already_appealed"):
        raise TransitionRefused(
            "appeal_taken", "This dispute was appealed already; a dispute allows one appeal."
        )
    if dispute.appeal_due_at is None or ctx.now > dispute.appeal_due_at:
        raise TransitionRefused(
            "appeal_window_closed",
            "The time to appeal this decision is over.",
            details={"due_at": _iso(dispute.appeal_due_at)},
        )


def another_agent_reviews(dispute: Dispute, ctx: Context) -> None:
    """An appeal is reviewed by someone other than the agent who made the decision."""
    decided_by = ctx.extra.get("decided_by_id")
    if decided_by is not None and decided_by == ctx.user_id:
        raise TransitionRefused(
            "same_reviewer",
            "You made the decision under appeal; a colleague must review it.",
        )


def is_frozen(dispute: Dispute, ctx: Context) -> None:
    if not dispute.is_frozen:
        raise TransitionRefused("not_frozen", "This dispute is not frozen.")


def not_frozen(dispute: Dispute, ctx: Context) -> None:
    if dispute.is_frozen:
        raise TransitionRefused("already_frozen", "This dispute is frozen already.")


# --- the table --------------------------------------------------------------------------

PARTIES_OR_PLATFORM = BETWEEN_PARTIES | {S.IN_MEDIATION}
_SELLER_TURN = frozenset({S.AWAITING_CONTACT, S.AWAITING_SELLER})


def _t(action, sources, target, roles, label, *guards) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), label, tuple(guards))


TABLE: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("open", {NEW}, S.AWAITING_SELLER, {R.BUYER, R.AGENT}, _("open the dispute")),
        _t(
            "open_contact_first",
            {NEW},
            S.AWAITING_CONTACT,
            {R.BUYER, R.AGENT},
            _("open the dispute after a contact period"),
        ),
        _t(
            "open_to_platform",
            {NEW},
            S.IN_MEDIATION,
            {R.BUYER, R.AGENT},
            _("open the dispute with the platform"),
        ),
        _t(
            "contact_over",
            {S.AWAITING_CONTACT},
            S.AWAITING_SELLER,
            {R.BUYER, R.AGENT, R.SYSTEM},
            _("end the contact period"),
            contact_period_over,
        ),
        _t("seller_accept", _SELLER_TURN, S.RESOLVED, {R.SELLER}, _("accept the claim")),
        _t(
            "seller_offer",
            _SELLER_TURN | {S.OFFER_PENDING, S.CONTESTED},
            S.OFFER_PENDING,
            {R.SELLER},
            _("make an offer"),
        ),
        _t(
            "mediation_offer",
            {S.IN_MEDIATION},
            None,
            {R.SELLER, R.AGENT},
            _("propose a settlement in mediation"),
        ),
        _t("seller_contest", _SELLER_TURN, S.CONTESTED, {R.SELLER}, _("contest the claim")),
        _t(
            "accept_offer",
            {S.OFFER_PENDING, S.IN_MEDIATION},
            S.RESOLVED,
            {R.BUYER},
            _("accept the offer"),
            has_pending_offer,
        ),
        _t(
            "escalate",
            BETWEEN_PARTIES,
            S.IN_MEDIATION,
            {R.BUYER, R.SELLER, R.AGENT},
            _("escalate to the platform"),
            escalation_allowed,
        ),
        _t(
            "deadline_escalate",
            {S.AWAITING_SELLER},
            S.IN_MEDIATION,
            {R.SYSTEM},
            _("escalate after the seller's deadline"),
            deadline_passed("seller_due_at"),
        ),
        _t(
            "deadline_decide",
            {S.AWAITING_SELLER},
            S.DECIDED,
            {R.SYSTEM},
            _("decide for the buyer after the seller's deadline"),
            deadline_passed("seller_due_at"),
        ),
        _t(
            "deadline_lapse",
            {S.OFFER_PENDING, S.CONTESTED},
            S.CLOSED,
            {R.SYSTEM},
            _("close after the buyer's deadline"),
            deadline_passed("buyer_due_at"),
        ),
        _t(
            "buyer_deadline_escalate",
            {S.OFFER_PENDING, S.CONTESTED},
            S.IN_MEDIATION,
            {R.SYSTEM},
            _("escalate after the buyer's deadline"),
            deadline_passed("buyer_due_at"),
        ),
        _t("decide", {S.IN_MEDIATION}, S.DECIDED, {R.AGENT}, _("decide the dispute")),
        _t(
            "money_refused",
            {S.DECIDED},
            S.IN_MEDIATION,
            {R.SYSTEM},
            _("reopen mediation after the money was refused"),
        ),
        _t(
            "appeal",
            {S.DECIDED},
            S.UNDER_APPEAL,
            {R.BUYER, R.SELLER},
            _("appeal the decision"),
            appeal_open,
        ),
        _t(
            "uphold",
            {S.UNDER_APPEAL},
            S.CLOSED,
            {R.AGENT},
            _("uphold the decision"),
            another_agent_reviews,
        ),
        _t(
            "revise",
            {S.UNDER_APPEAL},
            S.CLOSED,
            {R.AGENT},
            _("revise the decision"),
            another_agent_reviews,
        ),
        _t(
            "appeal_window_over",
            {S.DECIDED},
            S.CLOSED,
            {R.SYSTEM},
            _("close after the appeal window"),
            deadline_passed("appeal_due_at"),
        ),
        _t(
            "withdraw",
            PARTIES_OR_PLATFORM,
            S.WITHDRAWN,
            {R.BUYER, R.AGENT},
            _("withdraw the dispute"),
        ),
        _t(
            "resolve",
            PARTIES_OR_PLATFORM,
            S.RESOLVED,
            {R.AGENT},
            _("resolve the dispute"),
        ),
        _t(
            "freeze",
            OPEN_STATES,
            None,
            {R.AGENT, R.SYSTEM},
            _("freeze for a chargeback"),
            not_frozen,
        ),
        _t(
            "unfreeze",
            OPEN_STATES,
            None,
            {R.AGENT, R.SYSTEM},
            _("unfreeze after the chargeback"),
            is_frozen,
        ),
    )
}

# The table as (action, from, to) triples, for checking a recorded history against it.
ALLOWED_MOVES: frozenset[tuple[str, str, str]] = frozenset(
    (t.action, source, t.target or source) for t in TABLE.values() for source in t.sources
)
_ROLE_WORDS = {
    Role.BUYER: "the buyer",
    Role.SELLER: "the seller",
    Role.AGENT: "the platform",
    Role.SYSTEM: "the system",
}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def transition(action: str) -> Transition:
    found = TABLE.get(action)
    if found is None:
        raise ApplicationError(
            "unknown_action",
            f"{action!r} is not something a dispute can do.",
            details={"allowed": sorted(TABLE)},
            status=422,
        )
    return found


def check(dispute: Dispute, action: str, ctx: Context) -> Transition:
    """The transition `action` names, if `ctx.role` may take it from the dispute's state
    now; otherwise the refusal that says why (409, or 403 for the wrong role)."""
    move = transition(action)
    current = dispute.state if dispute.pk else NEW
    if dispute.is_frozen and action != "unfreeze":
        raise DisputeFrozen(dispute)
    if current not in move.sources:
        allowed = sorted(str(State(s).label) for s in move.sources if s)
        where = f"Dispute {dispute.reference}" if dispute.reference else "A new dispute"
        state = str(State(current).label).lower() if current else "not opened yet"
        raise TransitionRefused(
            "invalid_transition",
            f"{where} is {state}; '{move.label}' is possible only while: "
            f"{', '.join(allowed).lower() or 'opening'}.",
            details={"action": action, "from": current, "allowed_from": sorted(move.sources)},
        )
    if ctx.role not in move.roles:
        who = ", ".join(_ROLE_WORDS[r] for r in sorted(move.roles))
        raise PermissionDenied(f"Only {who} can {move.label} here.")
    for guard in move.guards:
        guard(dispute, ctx)
    return move


def actions_open_to(dispute: Dispute, ctx: Context) -> list[str]:
    """The actions `ctx.role` could take now (for showing only the buttons that work)."""
    found = []
    for action in TABLE:
        try:
            check(dispute, action, ctx)
        except ApplicationError:
            continue
        found.append(action)
    return found
