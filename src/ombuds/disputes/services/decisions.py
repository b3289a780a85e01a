"""The platform decides a dispute in mediation, a party appeals once, and a colleague
reviews the appeal.

A decision is an agent's, with a written statement of reasons, an outcome and who bears
its cost. The evidence it was made on is locked, its money moves through the ledger in
the same transaction, and the appeal window opens (`terms_for(...).appeal_days`
calendar days). Above the agent's authority the ledger holds the money as an approval
request: the decision stands and its money waits. Should the approval be refused, the
dispute goes back to mediation (`money_refused`) and both parties are told: the
`approval.decided` event on the case's timeline carries it here (`on_case_event`), so
the ledger knows nothing of disputes.

A review upholds the decision (nothing more moves) or revises it; a revision moves only
the difference: the extra refund when it pays more of the same, otherwise the first
decision's movements are reversed (where the ledger still can: a refund paid out cannot
be) and the new outcome is paid in full.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ombuds.conversations import events
from ombuds.conversations.models import CaseEvent
from ombuds.core.errors import ApplicationError, Conflict
from ombuds.core.money import Money
from ombuds.ledger.events import APPROVAL_DECIDED, MOVED
from ombuds.ledger.models import ApprovalStatus, Transaction
from ombuds.ledger.selectors import LedgerPreview
from ombuds.ledger.services.actions import MoneyResult, reverse_transaction
from ombuds.policies.models import Bearer

from ..actors import DisputeActor, money_actor
from ..models import (
    MONEY_OUTCOMES,
    Decision,
    DecisionKind,
    DesiredOutcome,
    Dispute,
    Ending,
    LockedFor,
    MoneyStatus,
    Offer,
    OfferStatus,
    Outcome,
    State,
    Verdict,
    Visibility,
)
from ..terms import terms_for
from ..transitions import TransitionRefused
from . import money, notices
from .evidence import MAX_TEXT, lock_evidence, record_statement
from .machine import apply, check, lock, publish
from .settlement import money_data

VERDICTS = tuple(Verdict.values)
SYSTEM = DisputeActor.system("approvals")


@dataclass(frozen=True)
class DecisionPreview:
    """What a decision would do, written nowhere: for the mediation view."""

    outcome: str
    amount: Money | None
    bearer: str
    rule: str
    ledger: LedgerPreview | None
    problems: list[dict] = field(default_factory=list)
    needs_approval: bool = False


def _text(text: str, code: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(code, message, details={"field": "statement"}, status=422)
    if len(text) > MAX_TEXT:
        raise ApplicationError(
            "statement_too_long",
            f"A statement holds at most {MAX_TEXT:,} characters.",
            details={"field": "statement"},
            status=422,
        )
    return text


def _statement(text: str) -> str:
    return _text(text, "statement_required", "Write the reasons for the decision.")


def _key(key: str) -> str:
    return (key or "").strip()[:255]


def _replay(dispute: Dispute, key: str, kind: str) -> Decision | None:
    """The decision an earlier request with this key made, when this is its retry; a key
    used for another dispute, or for the other kind of decision, is refused."""
    if not key:
        return None
    found = Decision.objects.filter(workspace_id=dispute.workspace_id, idempotency_key=key).first()
    if found is not None and found.dispute_id != dispute.pk:
        raise Conflict("idempotency_key_reused", "This key decided another dispute.")
    if found is not None and found.kind != kind:
        raise Conflict(
            "idempotency_key_reused",
            "This key was used for another decision on this dispute; each needs its own.",
        )
    return found


def _bearer(outcome: str, bearer: str) -> str:
    # A decision for the seller leaves the loss where it fell: with the buyer.
    return Bearer.BUYER if outcome == Outcome.NO_REFUND else bearer


def _decision_under_appeal(dispute: Dispute) -> Decision | None:
    return (
        Decision.objects.filter(dispute=dispute, kind=DecisionKind.DECISION)
        .order_by("-created_at", "-pk")
        .first()
    )


def _attach(decision: Decision, results: list[MoneyResult]) -> None:
    """Note on the decision what its money came to."""
    for result in results:
        if result.transaction is not None:
            decision.transactions = [*decision.transactions, result.transaction.pk]
        elif result.approval is not None:
            decision.approval = result.approval
    if decision.approval_id is not None:
        decision.money_status = MoneyStatus.AWAITING_APPROVAL
    elif decision.transactions:
        decision.money_status = MoneyStatus.EXECUTED
    decision.save(update_fields=["transactions", "approval", "money_status"])


def _lock_evidence(dispute: Dispute, actor: DisputeActor) -> int:
    locked = lock_evidence(dispute, purpose=LockedFor.DECISION)
    if locked:
        events.record(
            dispute.case,
            "dispute.evidence_locked",
            actor.on_case(),
            data={"dispute": dispute.reference, "count": locked, "for": LockedFor.DECISION},
        )
    return locked


def _details(decision: Decision, results: list[MoneyResult]) -> dict:
    return {
        "decision": decision.pk,
        "kind": decision.kind,
        "verdict": decision.verdict or None,
        "outcome": decision.outcome,
        "amount": decision.amount,
        "currency": decision.currency,
        "bearer": decision.bearer,
        "rule": decision.rule or None,
        "policy_version": decision.policy_number,
        "appeal_due_at": decision.dispute.appeal_due_at.isoformat()
        if decision.dispute.appeal_due_at
        else None,
        "movements": [money_data(r)["money"] for r in results],
    }


def _outcome_text(outcome: str, amount: int | None, currency: str) -> notices.Later:
    def render(language: str) -> str:
        label = str(Outcome(outcome).label)
        if amount is None:
            return label
        return f"{label}, {notices.money(amount, currency, language)}"

    return notices.Later(render)


# --- deciding ---------------------------------------------------------------------------


def preview_decision(
    *, dispute: Dispute, actor: DisputeActor, outcome: str, amount: Money | None, bearer: str
) -> DecisionPreview:
    """What deciding so would do: the ledger's entries, the fault rule, whether it needs
    approval, and every problem it would meet. Writes nothing."""
    problems: list[dict] = []
    action = "revise" if dispute.state == State.UNDER_APPEAL else "decide"
    under_appeal = _decision_under_appeal(dispute) if action == "revise" else None
    try:
        check(
            dispute,
            action,
            actor,
            timezone.now(),
            decided_by_id=under_appeal.decided_by_id if under_appeal else None,
        )
    except ApplicationError as refused:
        problems.append({"code": refused.code, "message": refused.message})
    bearer = _bearer(outcome, bearer)
    try:
        paid = money.check_outcome(dispute, outcome, amount, bearer)
    except ApplicationError as refused:
        problems.append({"code": refused.code, "message": refused.message})
        return DecisionPreview(outcome, amount, bearer, "", None, problems)
    rule = money.attribution(dispute, bearer).rule
    if paid is None:
        return DecisionPreview(outcome, None, bearer, rule, None, problems)
    ledger = money.preview(dispute, actor, outcome, paid, bearer)
    problems.extend(ledger.problems)
    needs_approval = ledger.authority is not None and not ledger.authority.allowed
    return DecisionPreview(outcome, paid, bearer, rule, ledger, problems, needs_approval)


@transaction.atomic
def decide_dispute(
    *,
    dispute: Dispute,
    actor: DisputeActor,
    outcome: str,
    amount: Money | None,
    bearer: str,
    statement: str,
    idempotency_key: str = "",
) -> Decision:
    """An agent decides the dispute in mediation, with the reasons in writing."""
    key = _key(idempotency_key)
    found = _replay(dispute, key, DecisionKind.DECISION)
    if found is not None:
        return found
    dispute = lock(dispute)
    money.check_actor(dispute, actor)
    now = timezone.now()
    move = check(dispute, "decide", actor, now)
    return _decide(
        dispute,
        actor,
        "decide",
        move,
        now,
        outcome=outcome,
        amount=amount,
        bearer=_bearer(outcome, bearer),
        statement=_statement(statement),
        key=key,
    )


def decide_for_silent_seller(
    *, dispute: Dispute, actor: DisputeActor, now: datetime | None = None
) -> Decision:
    """The seller let their deadline pass and the policy decides for the buyer: what the
    buyer asked for, as money (the disputed amount: a partial refund when they asked for
    one, otherwise in full), at the seller's cost, with the reasons written for both
    parties. Call it under the dispute's row lock (the deadline sweep does); the seller
    may appeal like any decision. The caller escalates instead when it is refused (the
    money can no longer be refunded, say)."""
    now = now or timezone.now()
    move = check(dispute, "deadline_decide", actor, now)
    asked_part = dispute.desired_outcome == DesiredOutcome.PARTIAL_REFUND
    outcome = Outcome.PARTIAL_REFUND if asked_part else Outcome.FULL_REFUND
    with translation.override(dispute.workspace.default_language or None):
        statement = _(
            "The seller did not respond by the deadline of %(due)s. Under the workspace's "
            "dispute policy a seller's silence decides the dispute for the buyer: "
            "%(amount)s is refunded, at the seller's cost. The seller may appeal this "
            "decision."
        ) % {
            "due": formats.date_format(
                timezone.localtime(dispute.seller_due_at, ZoneInfo(dispute.workspace.timezone)),
                "DATETIME_FORMAT",
            ),
            "amount": notices.money(dispute.amount, dispute.currency, translation.get_language()),
        }
    return _decide(
        dispute,
        actor,
        "deadline_decide",
        move,
        now,
        outcome=outcome,
        amount=Money(dispute.amount, dispute.currency),
        bearer=Bearer.SELLER,
        statement=statement,
        key=f"dispute:{dispute.pk}:silent_seller",
    )


def _write_decision(
    dispute: Dispute,
    actor: DisputeActor,
    kind: str,
    outcome: str,
    paid: Money | None,
    bearer: str,
    statement: str,
    key: str,
    now,
    **extra,
) -> Decision:
    """The decision or review row, with the fault rule behind its bearer and the
    evidence it was made on locked."""
    found = money.attribution(dispute, bearer)
    return Decision.objects.create(
        workspace_id=dispute.workspace_id,
        dispute=dispute,
        kind=kind,
        outcome=outcome,
        amount=paid.amount if paid else None,
        currency=dispute.currency,
        bearer=bearer,
        statement=statement,
        rule=found.rule,
        policy_number=found.policy_number,
        decided_by=actor.user,
        decided_by_label=str(actor)[:100],
        evidence_locked=_lock_evidence(dispute, actor),
        idempotency_key=key,
        created_at=now,
        **extra,
    )


def _decide(
    dispute: Dispute,
    actor: DisputeActor,
    action: str,
    move,
    now,
    *,
    outcome: str,
    amount: Money | None,
    bearer: str,
    statement: str,
    key: str,
) -> Decision:
    paid = money.check_outcome(dispute, outcome, amount, bearer)
    decision = _write_decision(
        dispute, actor, DecisionKind.DECISION, outcome, paid, bearer, statement, key, now
    )
    results = []
    if paid is not None:
        results.append(
            money.move(
                dispute,
                actor,
                outcome=outcome,
                amount=paid,
                bearer=bearer,
                key=f"dispute:{dispute.pk}:decision:{decision.pk}",
                note=f"Decision on dispute {dispute.reference}",
            )
        )
    _attach(decision, results)
    Offer.objects.filter(dispute=dispute, status=OfferStatus.PENDING).update(
        status=OfferStatus.SUPERSEDED, answered_at=now
    )
    dispute.appeal_due_at = now + timedelta(days=terms_for(dispute.workspace).appeal_days)
    details = _details(decision, results)
    apply(
        dispute,
        action,
        actor,
        now=now,
        checked=move,
        fields=("appeal_due_at",),
        data={k: v for k, v in details.items() if k != "appeal_due_at"},
    )
    details["appeal_due_at"] = dispute.appeal_due_at.isoformat()
    publish(dispute, "dispute.decided", key=f"decision:{decision.pk}", now=now, details=details)
    told = {"outcome": _outcome_text(outcome, decision.amount, decision.currency)}
    movements = [r.action for r in results]
    notices.tell_buyer(dispute, "decided", movements=movements, **told)
    notices.tell_seller(dispute, "decided", movements=movements, **told)
    return decision


# --- the appeal -------------------------------------------------------------------------


@transaction.atomic
def appeal_decision(*, dispute: Dispute, actor: DisputeActor, grounds: str) -> Dispute:
    """The buyer or the seller appeals the decision, once, within the window."""
    dispute = lock(dispute)
    money.check_actor(dispute, actor)
    now = timezone.now()
    already = dispute.events.filter(action="appeal").exists()
    move = check(dispute, "appeal", actor, now, already_appealed=already)
    grounds = _text(grounds, "grounds_required", "Say why the decision should be reviewed.")
    record_statement(
        dispute=dispute,
        actor=actor,
        text=grounds,
        title="Grounds of appeal",
        visibility=Visibility.PARTIES,
    )
    decision = _decision_under_appeal(dispute)
    apply(dispute, "appeal", actor, now=now, checked=move, data={"decision": decision.pk})
    publish(
        dispute,
        "dispute.appealed",
        key=f"appeal:{decision.pk}",
        now=now,
        details={"decision": decision.pk, "appealed_by": actor.role},
    )
    notices.tell_buyer(dispute, "appealed")
    notices.tell_seller(dispute, "appealed")
    return dispute


def _revision_money(
    dispute: Dispute,
    actor: DisputeActor,
    original: Decision,
    review: Decision,
    paid: Money | None,
) -> list[MoneyResult]:
    """Move the difference between what the decision paid and what the revision pays."""
    old_kind = MONEY_OUTCOMES.get(original.outcome)
    new_kind = MONEY_OUTCOMES.get(review.outcome)
    old = (original.amount or 0) if original.money_status == MoneyStatus.EXECUTED else 0
    new = paid.amount if paid is not None else 0
    same_kind = old_kind == new_kind and original.bearer == review.bearer
    if same_kind and old == new:
        return []
    if original.money_status == MoneyStatus.AWAITING_APPROVAL:
        raise Conflict(
            "money_awaiting_approval",
            "The decision's money still waits for approval; have it approved or refused "
            "before revising what it pays.",
            details={"approval": original.approval_id},
        )
    base = f"dispute:{dispute.pk}:review:{review.pk}"
    results = []
    if same_kind and new > old:
        extra = Money(new - old, review.currency)
        results.append(
            money.move(
                dispute,
                actor,
                outcome=review.outcome,
                amount=extra,
                bearer=review.bearer,
                key=base,
                note=f"Revised on appeal, dispute {dispute.reference}",
            )
        )
        return results
    for tx in Transaction.objects.filter(pk__in=original.transactions).order_by("pk"):
        results.append(
            reverse_transaction(
                workspace=dispute.workspace,
                actor=money_actor(actor),
                transaction=tx,
                idempotency_key=f"{base}:reverse:{tx.pk}",
                note=f"Revised on appeal, dispute {dispute.reference}",
            )
        )
    if paid is not None:
        results.append(
            money.move(
                dispute,
                actor,
                outcome=review.outcome,
                amount=paid,
                bearer=review.bearer,
                key=base,
                note=f"Revised on appeal, dispute {dispute.reference}",
            )
        )
    return results


def _result_text(verdict: str, outcome: str, amount: int | None, currency: str):
    described = _outcome_text(outcome, amount, currency)

    def render(language: str) -> str:
        if verdict == Verdict.UPHOLD:
            return _("the decision is upheld")
        return _("the decision is revised to: %(outcome)s") % {"outcome": described}

    return notices.Later(render)


@transaction.atomic
def review_appeal(
    *,
    dispute: Dispute,
    actor: DisputeActor,
    verdict: str,
    statement: str,
    outcome: str | None = None,
    amount: Money | None = None,
    bearer: str | None = None,
    idempotency_key: str = "",
) -> Decision:
    """A colleague of the deciding agent upholds or revises the decision under appeal."""
    key = _key(idempotency_key)
    found = _replay(dispute, key, DecisionKind.APPEAL_REVIEW)
    if found is not None:
        return found
    if verdict not in VERDICTS:
        raise ApplicationError(
            "unknown_verdict",
            f"{verdict!r} is not a verdict.",
            details={"field": "verdict", "allowed": list(VERDICTS)},
            status=422,
        )
    dispute = lock(dispute)
    money.check_actor(dispute, actor)
    now = timezone.now()
    original = _decision_under_appeal(dispute)
    move = check(
        dispute,
        verdict,
        actor,
        now,
        decided_by_id=original.decided_by_id if original else None,
    )
    statement = _statement(statement)
    if verdict == Verdict.UPHOLD:
        outcome, bearer = original.outcome, original.bearer
        paid = Money(original.amount, original.currency) if original.amount else None
    else:
        if not outcome:
            raise ApplicationError(
                "outcome_required",
                "Say what the revised decision is.",
                details={"field": "outcome"},
                status=422,
            )
        bearer = _bearer(outcome, bearer or original.bearer)
        paid = money.check_outcome(dispute, outcome, amount, bearer)
    review = _write_decision(
        dispute,
        actor,
        DecisionKind.APPEAL_REVIEW,
        outcome,
        paid,
        bearer,
        statement,
        key,
        now,
        verdict=verdict,
        revises=original,
    )
    results = []
    if verdict == Verdict.REVISE:
        results = _revision_money(dispute, actor, original, review, paid)
    _attach(review, results)
    dispute.ending = Ending.APPEAL_DECIDED
    details = _details(review, results)
    apply(dispute, verdict, actor, now=now, checked=move, fields=("ending",), data=details)
    publish(dispute, "dispute.appeal_decided", key=f"review:{review.pk}", now=now, details=details)
    told = {"result": _result_text(verdict, outcome, review.amount, review.currency)}
    movements = [r.action for r in results]
    notices.tell_buyer(dispute, "appeal_decided", movements=movements, **told)
    notices.tell_seller(dispute, "appeal_decided", movements=movements, **told)
    return review


# --- the money's approval ---------------------------------------------------------------

_MONEY_EVENTS = frozenset(MOVED.values())


def on_case_event(event: CaseEvent) -> None:
    """Follow an approval a decision's money waits on (a timeline listener)."""
    if event.kind == APPROVAL_DECIDED:
        if event.after == ApprovalStatus.REJECTED:
            money_refused(approval_id=(event.data or {}).get("approval"))
        return
    if event.kind in _MONEY_EVENTS and (event.data or {}).get("approval"):
        decision = Decision.objects.filter(approval_id=event.data["approval"]).first()
        if decision is not None and event.data.get("transaction"):
            decision.transactions = [*decision.transactions, event.data["transaction"]]
            decision.money_status = MoneyStatus.EXECUTED
            decision.save(update_fields=["transactions", "money_status"])
            # An appeal window that closed while the money waited closes at the next sweep.
            Dispute.objects.filter(
                pk=decision.dispute_id, state=State.DECIDED, next_due_at__isnull=True
            ).exclude(appeal_due_at=None).update(next_due_at=F("appeal_due_at"))


def money_refused(*, approval_id: int | None) -> Decision | None:
    """The approval of a decision's money was refused: the dispute goes back to
    mediation, if it still stands where the decision left it, and both parties hear."""
    if approval_id is None:
        return None
    decision = Decision.objects.filter(approval_id=approval_id).select_related("dispute").first()
    if decision is None:
        return None
    decision.money_status = MoneyStatus.REFUSED
    decision.save(update_fields=["money_status"])
    dispute = lock(decision.dispute)
    if decision.kind != DecisionKind.DECISION or dispute.latest_decision != decision:
        return decision
    now = timezone.now()
    try:
        move = check(dispute, "money_refused", SYSTEM, now)
    except TransitionRefused:
        # Appealed, closed or frozen meanwhile: the refusal shows on the timeline and
        # on the decision; the state is left to whoever acts next.
        return decision
    dispute.appeal_due_at = None
    apply(
        dispute,
        "money_refused",
        SYSTEM,
        now=now,
        checked=move,
        fields=("appeal_due_at",),
        data={"decision": decision.pk, "approval": approval_id},
    )
    notices.tell_buyer(dispute, "money_refused")
    notices.tell_seller(dispute, "money_refused")
    return decision


__all__ = [
    "DecisionPreview",
    "appeal_decision",
    "decide_dispute",
    "decide_for_silent_seller",
    "money_refused",
    "preview_decision",
    "review_appeal",
]
