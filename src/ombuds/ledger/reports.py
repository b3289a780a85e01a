"""What resolutions cost: by reason, seller, outcome and month, and each seller's refund
rate per order sold. Every figure is a sum over transactions' `cost` (refunds, credits
and rebookings; reversals subtract), per currency, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from ombuds.core.models import Workspace
from ombuds.marketplace.models import Order, Party

from .models import Transaction, TransactionKind

COST_KINDS = (
    TransactionKind.REFUND,
    TransactionKind.CREDIT,
    TransactionKind.REBOOKING,
    TransactionKind.REVERSAL,
)


@dataclass(frozen=True)
class CostRow:
    key: str  # reason code, outcome code, seller id or month (YYYY-MM)
    currency: str
    cost: int  # net, minor units
    resolutions: int  # movements that added cost (reversals not counted)


@dataclass
class CostReport:
    since: datetime
    until: datetime
    by_reason: list[CostRow]
    by_outcome: list[CostRow]
    by_seller: list[CostRow]
    by_month: list[CostRow]
    by_month_and_bearer: dict[str, dict[str, dict[str, int]]]  # currency -> month -> bearer
    sellers: dict[int, Party] = field(default_factory=dict)

    @property
    def currencies(self) -> list[str]:
        seen = {row.currency for row in self.by_month}
        return sorted(seen, key=lambda c: (-self.total(c), c))

    def total(self, currency: str) -> int:
        return sum(row.cost for row in self.by_month if row.currency == currency)


def _costs(workspace: Workspace, since: datetime, until: datetime):
    return Transaction.objects.filter(
        workspace=workspace,
        kind__in=COST_KINDS,
        created_at__gte=since,
        created_at__lt=until,
    )


def _rows(query, key: str) -> list[CostRow]:
    rows = (
        query.values(key, "currency")
        .annotate(total=Sum("cost"), resolutions=Count("pk", filter=Q(cost__gt=0)))
        .order_by("-total", key)
    )
    return [
        CostRow(
            key=str(row[key]) if row[key] is not None else "",
            currency=row["currency"],
            cost=row["total"] or 0,
            resolutions=row["resolutions"],
        )
        for row in rows
    ]


def cost_report(*, workspace: Workspace, since: datetime, until: datetime) -> CostReport:
    """The cost of resolutions between two moments: six queries whatever the volume."""
    costs = _costs(workspace, since, until)
    zone = ZoneInfo(workspace.timezone)
    monthly = costs.annotate(month=TruncMonth("created_at", tzinfo=zone))
    by_month = [
        CostRow(
            key=row["month"].strftime("%Y-%m"),
            currency=row["currency"],
            cost=row["total"] or 0,
            resolutions=row["resolutions"],
        )
        for row in monthly.values("month", "currency")
        .annotate(total=Sum("cost"), resolutions=Count("pk", filter=Q(cost__gt=0)))
        .order_by("month", "currency")
    ]
    stacked: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in monthly.values("month", "currency", "bearer").annotate(total=Sum("cost")):
        stacked[row["currency"]][row["month"].strftime("%Y-%m")][row["bearer"]] = row["total"] or 0
    by_seller = _rows(costs.filter(seller__isnull=False), "seller_id")
    sellers = {p.pk: p for p in Party.objects.filter(pk__in={int(r.key) for r in by_seller})}
    return CostReport(
        since=since,
        until=until,
        by_reason=_rows(costs, "reason"),
        by_outcome=_rows(costs, "outcome"),
        by_seller=by_seller,
        by_month=by_month,
        by_month_and_bearer={c: dict(months) for c, months in stacked.items()},
        sellers=sellers,
    )


@dataclass(frozen=True)
class SellerRate:
    seller: Party
    orders: int  # orders sold in the window
    refunded_orders: int  # of those, orders a resolution cost money on
    costs: dict[str, int]  # currency -> net cost of resolutions on those orders
    borne: dict[str, int]  # currency -> the part charged to the seller

    @property
    def rate(self) -> float:
        """Share of orders sold that needed money moved to resolve: 0.0 to 1.0."""
        return self.refunded_orders / self.orders if self.orders else 0.0

    def cost_per_order(self, currency: str) -> int:
        return self.costs.get(currency, 0) // self.orders if self.orders else 0


def seller_rates(
    *, workspace: Workspace, since: datetime, until: datetime, limit: int = 50
) -> list[SellerRate]:
    """Each seller's refund and resolution-cost rate over the orders they sold between
    two moments (placed then; their resolutions whenever): three queries."""
    placed = Coalesce("placed_at", "created_at")
    orders = (
        Order.objects.filter(workspace=workspace, seller__isnull=False)
        .annotate(sold_at=placed)
        .filter(sold_at__gte=since, sold_at__lt=until)
    )
    sold = dict(orders.values("seller_id").annotate(n=Count("pk")).values_list("seller_id", "n"))
    resolved = (
        Transaction.objects.filter(
            workspace=workspace, kind__in=COST_KINDS, order__in=orders.values("pk")
        )
        .values("seller_id", "currency")
        .annotate(
            total=Sum("cost"),
            borne=Sum("cost", filter=Q(bearer="seller")),
            refunded=Count("order_id", distinct=True, filter=Q(cost__gt=0)),
        )
    )
    costs: dict[int, dict[str, int]] = defaultdict(dict)
    borne: dict[int, dict[str, int]] = defaultdict(dict)
    refunded: dict[int, int] = defaultdict(int)
    for row in resolved:
        costs[row["seller_id"]][row["currency"]] = row["total"] or 0
        borne[row["seller_id"]][row["currency"]] = row["borne"] or 0
        # An order has one currency, so orders counted per currency do not overlap.
        refunded[row["seller_id"]] += row["refunded"]
    parties = Party.objects.in_bulk(list(sold))
    rates = [
        SellerRate(
            seller=parties[seller_id],
            orders=n,
            refunded_orders=refunded.get(seller_id, 0),
            costs=costs.get(seller_id, {}),
            borne=borne.get(seller_id, {}),
        )
        for seller_id, n in sold.items()
        if seller_id in parties
    ]
    rates.sort(key=lambda r: (-r.rate, -sum(r.costs.values()), r.seller.name))
    return rates[:limit]
