"""The legs each money action writes: which accounts are debited and credited.

    refund        Dr bearer            Cr buyer refunds payable
    credit        Dr bearer            Cr credits outstanding (the buyer's)
    seller debit  Dr seller balance    Cr platform cost
    rebooking     Dr bearer            Cr rebookings payable
    reversal      the original's legs, each negated
    capture       Dr PSP clearing      Cr seller balance (or platform sales)
    payout        Dr refunds payable   Cr PSP clearing

The bearer is the seller's balance, the platform's cost or a claim on the carrier. Shared
by the services that write the legs and the preview that only shows them.
"""

from __future__ import annotations

from ombuds.core.errors import ApplicationError
from ombuds.core.money import Money
from ombuds.marketplace.models import Order, ShipmentStatus
from ombuds.policies.models import ActionKind, Bearer

from .models import AccountKind, Entry, Transaction
from .postings import AccountRef, Leg

# The shipment a carrier claim is about: one the carrier lost or damaged, if any.
_CLAIMABLE = (ShipmentStatus.LOST, ShipmentStatus.DAMAGED, ShipmentStatus.DELAYED)


def carrier_of(order: Order) -> str:
    shipments = sorted(order.shipments.all(), key=lambda s: (s.status not in _CLAIMABLE, s.pk))
    if not shipments:
        raise ApplicationError(
            "no_carrier",
            "This order has no shipment, so no carrier can bear the cost.",
            details={"field": "bearer"},
            status=422,
        )
    return shipments[0].carrier[:60]


def bearer_account(bearer: str, order: Order | None) -> AccountRef:
    """The account a cost is charged to."""
    if bearer == Bearer.PLATFORM:
        return AccountRef(AccountKind.PLATFORM_COST)
    if bearer == Bearer.SELLER:
        if order is None or order.seller_id is None:
            raise ApplicationError(
                "no_seller",
                "This order has no seller to bear the cost.",
                details={"field": "bearer"},
                status=422,
            )
        return AccountRef(AccountKind.SELLER_BALANCE, party_id=order.seller_id)
    if bearer == Bearer.CARRIER:
        if order is None:
            raise ApplicationError(
                "no_carrier", "A carrier bears a cost only on an order.", status=422
            )
        return AccountRef(AccountKind.CARRIER_CLAIMS, carrier=carrier_of(order))
    raise ApplicationError("unknown_bearer", f"{bearer!r} cannot bear a cost.", status=422)


def _pair(debit: AccountRef, credit: AccountRef, amount: Money) -> list[Leg]:
    return [
        Leg(debit, amount.amount, amount.currency),
        Leg(credit, -amount.amount, amount.currency),
    ]


def action_legs(
    *, kind: str, amount: Money, bearer: str, order: Order | None, buyer_id: int | None
) -> list[Leg]:
    """The legs of a refund, credit, seller debit or rebooking."""
    if kind == ActionKind.REFUND:
        payable = AccountRef(AccountKind.BUYER_REFUNDS_PAYABLE, party_id=buyer_id)
        return _pair(bearer_account(bearer, order), payable, amount)
    if kind == ActionKind.CREDIT:
        outstanding = AccountRef(AccountKind.CREDITS_OUTSTANDING, party_id=buyer_id)
        return _pair(bearer_account(bearer, order), outstanding, amount)
    if kind == ActionKind.SELLER_DEBIT:
        seller = bearer_account(Bearer.SELLER, order)
        return _pair(seller, AccountRef(AccountKind.PLATFORM_COST), amount)
    if kind == ActionKind.REBOOKING:
        payable = AccountRef(AccountKind.REBOOKINGS_PAYABLE)
        return _pair(bearer_account(bearer, order), payable, amount)
    raise ValueError(f"no legs for {kind}")


def reversal_legs(original: Transaction) -> list[Leg]:
    entries = Entry.objects.filter(transaction=original).select_related("account")
    return [
        Leg(
            AccountRef(e.account.kind, e.account.party_id, e.account.carrier),
            -e.amount,
            e.currency,
        )
        for e in entries
    ]


def capture_legs(order: Order, amount: Money) -> list[Leg]:
    """Money the buyer paid, now at the PSP, owed to the seller (or the platform's own
    sale). A negative amount undoes part of an earlier capture."""
    if order.seller_id is not None:
        owner = AccountRef(AccountKind.SELLER_BALANCE, party_id=order.seller_id)
    else:
        owner = AccountRef(AccountKind.PLATFORM_SALES)
    return _pair(AccountRef(AccountKind.PSP_CLEARING), owner, amount)


def payout_legs(buyer_id: int, amount: Money) -> list[Leg]:
    payable = AccountRef(AccountKind.BUYER_REFUNDS_PAYABLE, party_id=buyer_id)
    return _pair(payable, AccountRef(AccountKind.PSP_CLEARING), amount)
