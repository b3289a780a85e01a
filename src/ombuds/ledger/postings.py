"""Writing balanced transactions: legs on accounts named by kind and owner, checked to
sum to zero per currency before a row is written.

Legs name accounts by reference (kind + owner), not by row, so the same legs can be
shown as a preview without creating accounts, and written by `post`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from ombuds.core.errors import ApplicationError
from ombuds.core.models import Workspace

from .authority import MoneyActor
from .models import PER_BUYER, PER_CARRIER, PER_SELLER, Account, Entry, Transaction

# Keys the ledger makes for itself (captures, payouts) start with this; a caller's key
# may not, so the two can never collide.
SYSTEM_KEY_PREFIX = "~"


class UnbalancedTransaction(ApplicationError):
    """A bug, never the caller's input: the legs of a movement do not cancel out."""

    status = 500

    def __init__(self, totals: dict[str, int]):
        super().__init__(
            "unbalanced_transaction",
            "The entries of this movement do not balance; nothing was written.",
            details={"totals": totals},
        )


@dataclass(frozen=True)
class AccountRef:
    """An account by what it is: its kind, and the party or carrier it is kept for."""

    kind: str
    party_id: int | None = None
    carrier: str = ""

    def __post_init__(self) -> None:
        needs_party = self.kind in PER_SELLER or self.kind in PER_BUYER
        if needs_party != (self.party_id is not None) or (self.kind in PER_CARRIER) != bool(
            self.carrier
        ):
            raise ValueError(f"account {self.kind} needs exactly its owner")

    @property
    def key(self) -> str:
        if self.party_id is not None:
            return f"party:{self.party_id}"
        if self.carrier:
            return f"carrier:{self.carrier}"
        return ""


@dataclass(frozen=True)
class Leg:
    """One side of a movement: positive debits the account, negative credits it."""

    account: AccountRef
    amount: int
    currency: str


def check_balanced(legs: Iterable[Leg]) -> None:
    legs = list(legs)
    totals: dict[str, int] = defaultdict(int)
    for leg in legs:
        if isinstance(leg.amount, bool) or not isinstance(leg.amount, int) or leg.amount == 0:
            raise UnbalancedTransaction({"leg": repr(leg)})
        totals[leg.currency] += leg.amount
    if len(legs) < 2 or any(totals.values()):
        raise UnbalancedTransaction(dict(totals))


def accounts_for(workspace: Workspace, refs: Iterable[AccountRef]) -> dict[AccountRef, Account]:
    """The account rows for these references, opening the ones that do not exist yet:
    at most three queries, and safe when a parallel writer opens the same account."""
    wanted = set(refs)

    def existing() -> dict[AccountRef, Account]:
        found = {}
        rows = Account.objects.filter(
            workspace=workspace,
            kind__in={r.kind for r in wanted},
            key__in={r.key for r in wanted},
        )
        for account in rows:
            ref = AccountRef(account.kind, account.party_id, account.carrier)
            if ref in wanted:
                found[ref] = account
        return found

    found = existing()
    missing = wanted - set(found)
    if missing:
        Account.objects.bulk_create(
            [
                Account(
                    workspace=workspace,
                    kind=ref.kind,
                    party_id=ref.party_id,
                    carrier=ref.carrier,
                    key=ref.key,
                )
                for ref in missing
            ],
            ignore_conflicts=True,
        )
        found = existing()
    return found


def post(
    *,
    workspace: Workspace,
    kind: str,
    key: str,
    legs: list[Leg],
    actor: MoneyActor,
    amount: int,
    currency: str,
    at: datetime | None = None,
    **details,
) -> Transaction:
    """Write one balanced transaction with its entries. Call inside the transaction that
    holds the locks the movement needs; `details` are Transaction fields (order, case,
    reason, outcome, bearer, cost, policy_version_id, fault_rule, memo, reverses…)."""
    check_balanced(legs)
    tx = Transaction.objects.create(
        workspace=workspace,
        kind=kind,
        key=key,
        amount=amount,
        currency=currency,
        actor_user=actor.user,
        actor_label=str(actor)[:100],
        created_at=at or timezone.now(),
        **details,
    )
    accounts = accounts_for(workspace, (leg.account for leg in legs))
    Entry.objects.bulk_create(
        Entry(
            workspace=workspace,
            transaction=tx,
            account=accounts[leg.account],
            amount=leg.amount,
            currency=leg.currency,
        )
        for leg in legs
    )
    return tx
