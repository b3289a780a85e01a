"""Keeping the cost tallies in step with the movements that have a cost.

Each refund, credit, rebooking and reversal adds its cost to two tallies of its month:
one by reason, outcome and bearer, one by seller and bearer. A tally row is found by
its key and updated in place; when none exists yet it is inserted. Two parallel first
movements of a key may insert two rows: reports sum rows, so that costs nothing but a
row. The reason tallies are few and busy (every full refund a seller bears this month
lands on one), so each key is spread over `SLOTS` rows picked by the movement's id;
seller tallies are spread by seller already.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Sum

from ombuds.core.models import Workspace

from .models import CostTally, TallyScope, Transaction

SLOTS = 8


def month_of(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date().replace(day=1)


def _keys(tx: Transaction) -> list[tuple[str, str, str, str, int | None]]:
    """(scope, reason, outcome, bearer, seller) of the tallies a movement counts in."""
    keys = [(TallyScope.REASONS, tx.reason, tx.outcome, tx.bearer, None)]
    if tx.seller_id is not None:
        keys.append((TallyScope.SELLERS, "", "", tx.bearer, tx.seller_id))
    return keys


def _slot(scope: str, pk: int) -> int:
    return pk % SLOTS if scope == TallyScope.REASONS else 0


def count_cost(tx: Transaction, *, workspace: Workspace) -> None:
    """Add a movement's cost to its month's tallies (inside the movement's transaction)."""
    if not tx.cost:
        return
    month = month_of(tx.created_at, ZoneInfo(workspace.timezone))
    resolutions = 1 if tx.cost > 0 else 0
    for scope, reason, outcome, bearer, seller_id in _keys(tx):
        key = {
            "workspace_id": workspace.pk,
            "scope": scope,
            "month": month,
            "currency": tx.currency,
            "reason": reason,
            "outcome": outcome,
            "bearer": bearer,
            "slot": _slot(scope, tx.pk),
        }
        owner = {"seller__isnull": True} if seller_id is None else {"seller_id": seller_id}
        updated = CostTally.objects.filter(**key, **owner).update(
            cost=F("cost") + tx.cost, resolutions=F("resolutions") + resolutions
        )
        if not updated:
            CostTally.objects.create(
                **key, seller_id=seller_id, cost=tx.cost, resolutions=resolutions
            )


COST_KINDS = ("refund", "credit", "rebooking", "reversal")


@transaction.atomic
def rebuild_cost_tallies(*, workspace: Workspace) -> int:
    """Recompute the workspace's tallies from its transactions (after an import, or
    when `tally_mismatches` finds any). Returns the number of rows written."""
    zone = ZoneInfo(workspace.timezone)
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        Transaction.objects.filter(workspace=workspace, kind__in=COST_KINDS)
        .exclude(cost=0)
        .values_list(
            "pk", "created_at", "currency", "reason", "outcome", "bearer", "seller_id", "cost"
        )
    )
    for pk, created_at, currency, reason, outcome, bearer, seller_id, cost in rows.iterator(
        chunk_size=5000
    ):
        month = month_of(created_at, zone)
        moved = Transaction(reason=reason, outcome=outcome, bearer=bearer, seller_id=seller_id)
        for scope, r, o, b, s in _keys(moved):
            tally = sums[(scope, month, currency, r, o, b, s, _slot(scope, pk))]
            tally[0] += cost
            tally[1] += 1 if cost > 0 else 0
    CostTally.objects.filter(workspace=workspace).delete()
    CostTally.objects.bulk_create(
        (
            CostTally(
                workspace=workspace,
                scope=scope,
                month=month,
                currency=currency,
                reason=reason,
                outcome=outcome,
                bearer=bearer,
                seller_id=seller_id,
                slot=slot,
                cost=cost,
                resolutions=count,
            )
            for (scope, month, currency, reason, outcome, bearer, seller_id, slot), (
                cost,
                count,
            ) in sums.items()
        ),
        batch_size=2000,
    )
    return len(sums)


def tally_mismatches(*, workspace: Workspace) -> dict[str, dict[str, int]]:
    """Per currency, how far each tally scope's total is from the transactions' (empty
    when they agree)."""
    truth = dict(
        Transaction.objects.filter(workspace=workspace, kind__in=COST_KINDS)
        .values("currency")
        .annotate(total=Sum("cost"))
        .values_list("currency", "total")
    )
    sellers = dict(
        Transaction.objects.filter(workspace=workspace, kind__in=COST_KINDS, seller__isnull=False)
        .values("currency")
        .annotate(total=Sum("cost"))
        .values_list("currency", "total")
    )
    off: dict[str, dict[str, int]] = {}
    for scope, expected in ((TallyScope.REASONS, truth), (TallyScope.SELLERS, sellers)):
        kept = dict(
            CostTally.objects.filter(workspace=workspace, scope=scope)
            .values("currency")
            .annotate(total=Sum("cost"))
            .values_list("currency", "total")
        )
        for currency in set(expected) | set(kept):
            gap = (kept.get(currency) or 0) - (expected.get(currency) or 0)
            if gap:
                off.setdefault(scope, {})[currency] = gap
    return off
