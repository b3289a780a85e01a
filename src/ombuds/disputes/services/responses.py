"""What the parties do between them: the seller accepts, offers or contests; the buyer
takes an offer, escalates to the platform or withdraws."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ombuds.core.errors import ApplicationError, Conflict
from ombuds.core.money import Money

from ..actors import DisputeActor
from ..deadlines import buyer_deadline, seller_deadline
from ..models import (
    OFFERS_WITH_AMOUNT,
    Dispute,
    Ending,
    Offer,
    OfferBearer,
    OfferKind,
    OfferStatus,
    Role,
    State,
    Visibility,
)
from ..terms import DECIDE, terms_for
from . import notices
from .evidence import _check_party, add_files, record_statement
from .machine import apply, check, lock
from .thread import add_message

MAX_NOTE = 5000
OFFER_BEARERS = tuple(OfferBearer.values)


def _note(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise ApplicationError(
            "note_too_long", f"A note holds at most {MAX_NOTE:,} characters.", status=422
        )
    return text


def _pending_offers(dispute: Dispute):
    return Offer.objects.filter(dispute=dispute, status=OfferStatus.PENDING)


def _first_response(dispute: Dispute, now) -> tuple[str, ...]:
    if dispute.seller_responded_at is None:
        dispute.seller_responded_at = now
        return ("seller_responded_at",)
    return ()


def check_offer(dispute: Dispute, kind: str, amount: Money | None) -> Money | None:
    if kind not in OfferKind.values:
        raise ApplicationError(
            "unknown_offer_kind",
            f"{kind!r} is not an offer.",
            details={"field": "kind", "allowed": OfferKind.values},
            status=422,
        )
    if kind not in OFFERS_WITH_AMOUNT:
        if amount is not None and amount.amount:
            raise ApplicationError(
                "offer_takes_no_amount",
                "A replacement names no amount.",
                details={"field": "amount"},
                status=422,
            )
        return None
    if amount is None or amount.amount <= 0:
        raise ApplicationError(
            "amount_required",
            "Name the amount you offer.",
            details={"field": "amount"},
            status=422,
        )
    if amount.currency != dispute.currency:
        raise ApplicationError(
            "currency_mismatch",
            f"The order is in {dispute.currency}; the offer is in {amount.currency}.",
            details={"field": "amount"},
            status=422,
        )
    if amount.amount > dispute.order.total:
        raise ApplicationError(
            "amount_above_order_total",
            "An offer cannot be more than the order's total.",
            details={"field": "amount", "order_total": dispute.order.total},
            status=422,
        )
    return amount


@transaction.atomic
def propose_offer(
    *,
    dispute: Dispute,
    actor: DisputeActor,
    kind: str,
    amount: Money | None,
    note: str = "",
    idempotency_key: str = "",
    bearer: str = OfferBearer.SELLER,
) -> Offer:
    """The seller proposes a resolution (or the platform a settlement, in mediation);
    the buyer's clock starts. A newer offer replaces one still waiting."""
    key = (idempotency_key or "").strip()[:255]
    if key:
        found = Offer.objects.filter(workspace_id=dispute.workspace_id, idempotency_key=key).first()
        if found is not None:
            if found.dispute_id != dispute.pk:
                raise Conflict(
                    "idempotency_key_reused", "This key made an offer on another dispute."
                )
            return found
    dispute = lock(dispute)
    _check_party(dispute, actor)
    now = timezone.now()
    action = "mediation_offer" if dispute.state == State.IN_MEDIATION else "seller_offer"
    move = check(dispute, action, actor, now)
    amount = check_offer(dispute, kind, amount)
    if actor.role == Role.SELLER:
        bearer = OfferBearer.SELLER
    elif bearer not in OFFER_BEARERS:
        raise ApplicationError(
            "unknown_bearer",
            "An offer is paid by the seller or the platform.",
            details={"field": "bearer", "allowed": list(OFFER_BEARERS)},
            status=422,
        )
    note = _note(note)
    _pending_offers(dispute).update(status=OfferStatus.SUPERSEDED, answered_at=now)
    number = (Offer.objects.filter(dispute=dispute).aggregate(n=Max("number"))["n"] or 0) + 1
    offer = Offer.objects.create(
        workspace_id=dispute.workspace_id,
        dispute=dispute,
        number=number,
        kind=kind,
        amount=amount.amount if amount else None,
        currency=dispute.currency,
        note=note,
        bearer=bearer,
        made_by_role=actor.role,
        made_by_party=actor.party,
        made_by_user=actor.user,
        idempotency_key=key,
        created_at=now,
    )
    fields: tuple[str, ...] = ()
    if actor.role == Role.SELLER:
        fields = _first_response(dispute, now)
    if move.target == State.OFFER_PENDING:
        terms = terms_for(dispute.workspace)
        dispute.buyer_due_at = buyer_deadline(dispute.workspace, now, terms)
        fields = (*fields, "buyer_due_at")
    apply(
        dispute,
        action,
        actor,
        now=now,
        checked=move,
        fields=fields,
        data={"offer": number, "kind": kind, "amount": offer.amount, "bearer": bearer},
    )
    notices.tell_buyer(dispute, "offer", offer=describe_offer(offer, dispute))
    return offer


def describe_offer(offer: Offer, dispute: Dispute) -> notices.Later:
    """'Partial refund, € 40,00', in the language of whoever reads the notice."""

    def render(language: str) -> str:
        label = str(OfferKind(offer.kind).label)
        if offer.amount is None:
            return label
        return f"{label}, {notices.money(offer.amount, offer.currency, language)}"

    return notices.Later(render)


@transaction.atomic
def contest_claim(
    *,
    dispute: Dispute,
    actor: DisputeActor,
    statement: str,
    files=(),
    visibility: str = Visibility.PARTIES,
) -> Dispute:
    """The seller disagrees, and says why with evidence; the buyer may escalate."""
    dispute = lock(dispute)
    _check_party(dispute, actor)
    now = timezone.now()
    move = check(dispute, "seller_contest", actor, now)
    if not (statement or "").strip():
        raise ApplicationError(
            "statement_required",
            "Say why you contest the claim.",
            details={"field": "statement"},
            status=422,
        )
    record_statement(dispute=dispute, actor=actor, text=statement, visibility=visibility)
    if files:
        add_files(dispute=dispute, actor=actor, files=list(files), visibility=visibility)
    terms = terms_for(dispute.workspace)
    dispute.buyer_due_at = buyer_deadline(dispute.workspace, now, terms)
    fields = ("buyer_due_at", *_first_response(dispute, now))
    apply(dispute, "seller_contest", actor, now=now, checked=move, fields=fields)
    notices.tell_buyer(dispute, "contested")
    return dispute


@transaction.atomic
def escalate_dispute(*, dispute: Dispute, actor: DisputeActor, note: str = "") -> Dispute:
    """Ask the platform to step in and mediate; an offer still waiting is declined."""
    dispute = lock(dispute)
    _check_party(dispute, actor)
    now = timezone.now()
    move = check(dispute, "escalate", actor, now)
    note = _note(note)
    declined = 0
    if actor.role == Role.BUYER:
        declined = _pending_offers(dispute).update(status=OfferStatus.DECLINED, answered_at=now)
    if note:
        add_message(dispute=dispute, actor=actor, body=note, visibility=Visibility.PARTIES)
    dispute.escalated_at = now
    apply(
        dispute,
        "escalate",
        actor,
        now=now,
        checked=move,
        fields=("escalated_at",),
        data={"declined_offers": declined, "note": bool(note)},
    )
    notices.tell_buyer(dispute, "escalated")
    notices.tell_seller(dispute, "escalated")
    return dispute


@transaction.atomic
def end_contact_period(*, dispute: Dispute, actor: DisputeActor) -> Dispute:
    """The contact period is over (or an agent ends it early): the seller's deadline
    to respond to the dispute starts."""
    dispute = lock(dispute)
    _check_party(dispute, actor)
    now = timezone.now()
    move = check(dispute, "contact_over", actor, now)
    terms = terms_for(dispute.workspace)
    dispute.seller_due_at = seller_deadline(dispute.workspace, now, terms)
    apply(dispute, "contact_over", actor, now=now, checked=move, fields=("seller_due_at",))
    notices.tell_buyer(dispute, "contact_over")
    notices.tell_seller(dispute, "contact_over", decides_for_buyer=terms.silent_seller == DECIDE)
    return dispute


@transaction.atomic
def withdraw_dispute(*, dispute: Dispute, actor: DisputeActor, note: str = "") -> Dispute:
    """The buyer no longer needs the dispute (the seller sorted it out, the parcel came)."""
    dispute = lock(dispute)
    _check_party(dispute, actor)
    now = timezone.now()
    move = check(dispute, "withdraw", actor, now)
    note = _note(note)
    _pending_offers(dispute).update(status=OfferStatus.DECLINED, answered_at=now)
    if note:
        add_message(dispute=dispute, actor=actor, body=note, visibility=Visibility.PARTIES)
    dispute.ending = Ending.WITHDRAWN
    apply(dispute, "withdraw", actor, now=now, checked=move, fields=("ending",))
    notices.tell_buyer(dispute, "withdrawn")
    notices.tell_seller(dispute, "withdrawn")
    return dispute
