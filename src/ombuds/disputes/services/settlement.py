"""Settling a dispute between the parties: the seller accepts the claim, the buyer takes
an offer, or an agent closes it as sorted out. Money moves through the ledger in the same
transaction as the transition, so a refund the ledger refuses leaves the dispute as it was.

What accepting pays:

- the seller accepting the claim: a refund of the disputed amount, at the seller's cost
  (a claim for a replacement moves no money; one for a new booking pays the booking);
- an offer: a partial refund or a return-and-refund refunds its amount when the buyer
  accepts (the return itself follows the policy's return rules on the case), a credit
  credits, a rebooking pays the booking, a replacement moves no money. The offer's
  bearer pays: the seller for their own offers, the platform for a settlement it
  proposed in mediation, under the proposing agent's authority.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ombuds.accounts.models import Membership
from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.ledger.services.actions import MoneyResult

from ..actors import DisputeActor
from ..models import (
    DesiredOutcome,
    Dispute,
    Ending,
    Offer,
    OfferKind,
    OfferStatus,
    Outcome,
    Role,
    Visibility,
)
from . import money, notices
from .machine import apply, check, lock, publish
from .responses import _first_response, _note
from .thread import add_message

OFFER_OUTCOME = {
    OfferKind.PARTIAL_REFUND: Outcome.PARTIAL_REFUND,
    OfferKind.RETURN_AND_REFUND: Outcome.PARTIAL_REFUND,
    OfferKind.CREDIT: Outcome.CREDIT,
    OfferKind.REBOOKING: Outcome.REBOOKING,
    OfferKind.REPLACEMENT: Outcome.REPLACEMENT,
}
CLAIM_OUTCOME = {
    DesiredOutcome.REPLACEMENT: Outcome.REPLACEMENT,
    DesiredOutcome.REBOOKING: Outcome.REBOOKING,
}


def money_data(result: MoneyResult | None) -> dict:
    """What a step's money came to, for its event, timeline row and webhook."""
    if result is None:
        return {"money": None}
    tx = result.transaction
    return {
        "money": {
            "action": result.action.pk,
            "kind": result.action.kind,
            "amount": result.action.amount,
            "currency": result.action.currency,
            "status": result.action.status,
            "transaction": tx.pk if tx is not None else None,
            "approval": result.approval.pk if result.approval is not None else None,
        }
    }


@transaction.atomic
def accept_claim(*, dispute: Dispute, actor: DisputeActor, note: str = "") -> Dispute:
    """The seller accepts the claim: the buyer gets what they asked, at the seller's cost."""
    dispute = lock(dispute)
    money.check_actor(dispute, actor)
    now = timezone.now()
    move = check(dispute, "seller_accept", actor, now)
    note = _note(note)
    outcome = CLAIM_OUTCOME.get(dispute.desired_outcome, Outcome.FULL_REFUND)
    result = None
    if dispute.amount > 0 and outcome != Outcome.REPLACEMENT:
        result = money.move(
            dispute,
            actor,
            outcome=outcome,
            amount=Money(dispute.amount, dispute.currency),
            bearer="seller",
            key=f"dispute:{dispute.pk}:seller-accept",
        )
    if note:
        add_message(dispute=dispute, actor=actor, body=note, visibility=Visibility.PARTIES)
    dispute.ending = Ending.SELLER_ACCEPTED
    details = {"outcome": outcome, "bearer": "seller", **money_data(result)}
    apply(
        dispute,
        "seller_accept",
        actor,
        now=now,
        checked=move,
        fields=("ending", *_first_response(dispute, now)),
        data=details,
    )
    publish(dispute, "dispute.settled", key="seller_accept", now=now, details=details)
    movements = [result.action] if result else []
    notices.tell_buyer(dispute, "seller_accepted", movements=movements)
    return dispute


def _proposer(dispute: Dispute, offer: Offer, actor: DisputeActor) -> DisputeActor:
    """Whose authority pays an offer: the agent who proposed a platform settlement, else
    the process itself on the seller's word."""
    if offer.made_by_role != Role.AGENT or offer.made_by_user_id is None:
        return actor
    membership = (
        Membership.objects.filter(workspace_id=dispute.workspace_id, user_id=offer.made_by_user_id)
        .select_related("user")
        .first()
    )
    return DisputeActor.agent(membership) if membership is not None else actor


@transaction.atomic
def accept_offer(
    *, dispute: Dispute, actor: DisputeActor, offer_number: int | None = None
) -> Dispute:
    """The buyer takes the offer waiting for them; what it pays moves now."""
    dispute = lock(dispute)
    money.check_actor(dispute, actor)
    now = timezone.now()
    offers = Offer.objects.filter(dispute=dispute, status=OfferStatus.PENDING)
    if offer_number is not None:
        offers = offers.filter(number=offer_number)
    offer = offers.order_by("-number").first()
    move = check(dispute, "accept_offer", actor, now, pending_offer=offer is not None)
    outcome = OFFER_OUTCOME[offer.kind]
    result = None
    if offer.amount:
        result = money.move(
            dispute,
            _proposer(dispute, offer, actor),
            outcome=outcome,
            amount=Money(offer.amount, offer.currency),
            bearer=offer.bearer,
            key=f"dispute:{dispute.pk}:offer:{offer.number}",
        )
    offer.status = OfferStatus.ACCEPTED
    offer.answered_at = now
    offer.save(update_fields=["status", "answered_at"])
    dispute.ending = Ending.OFFER_ACCEPTED
    details = {
        "offer": offer.number,
        "kind": offer.kind,
        "outcome": outcome,
        "bearer": offer.bearer,
        **money_data(result),
    }
    apply(dispute, "accept_offer", actor, now=now, checked=move, fields=("ending",), data=details)
    publish(dispute, "dispute.settled", key=f"offer:{offer.number}", now=now, details=details)
    movements = [result.action] if result else []
    notices.tell_buyer(dispute, "offer_accepted", movements=movements)
    notices.tell_seller(dispute, "offer_accepted", movements=movements)
    return dispute


@transaction.atomic
def resolve_dispute(*, dispute: Dispute, actor: DisputeActor, note: str) -> Dispute:
    """An agent closes the dispute as sorted out (the parcel came, the booking was
    rescued). No money moves here: what the desk paid is on the case's ledger already."""
    dispute = lock(dispute)
    money.check_actor(dispute, actor)
    now = timezone.now()
    move = check(dispute, "resolve", actor, now)
    note = _note(note)
    if not note:
        raise ApplicationError(
            "note_required",
            "Say how the dispute was sorted out.",
            details={"field": "note"},
            status=422,
        )
    Offer.objects.filter(dispute=dispute, status=OfferStatus.PENDING).update(
        status=OfferStatus.DECLINED, answered_at=now
    )
    add_message(dispute=dispute, actor=actor, body=note, visibility=Visibility.PARTIES)
    dispute.ending = Ending.RESCUED
    apply(dispute, "resolve", actor, now=now, checked=move, fields=("ending",))
    publish(dispute, "dispute.settled", key="resolve", now=now, details={"money": None})
    notices.tell_buyer(dispute, "resolved")
    notices.tell_seller(dispute, "resolved")
    return dispute
