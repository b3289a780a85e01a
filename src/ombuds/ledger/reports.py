"""What resolutions cost: by reason, seller, outcome and month, and each seller's
refund rate per order sold.

Figures come from the cost tallies (see tallies.py), kept per month with every
movement that has a cost: refunds, credits and rebookings add to them, reversals
subtract. A report reads one query of tally rows, however many transactions there are,
and sums them by the breakdown asked for. Periods are whole months of the workspace's
time zone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from ombuds.core.models import Workspace
from ombuds.marketplace.models import Order, Party

from .models import CostTally, TallyScope
from .tallies import month_of


@dataclass(frozen=True)
class CostRow:
    key: str  # reason code, outcome code, seller id or month (YYYY-MM)
    currency: str
    cost: int  # net, minor units
    resolutions: int  # movements that added cost (reversals not counted)


@dataclass
class CostReport:
    since: date  # first day of the first month
    until: date  # first day of the last month
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


def last_months(workspace: Workspace, months: int, now: datetime) -> tuple[datetime, datetime]:
    """The period of the last `months` whole months of the workspace's calendar, this
    one included: (start of the first, now)."""
    zone = ZoneInfo(workspace.timezone)
    first = month_of(now, zone)
    year, month = divmod(first.year * 12 + first.month - 1 - (months - 1), 12)
    return datetime(year, month + 1, 1, tzinfo=zone), now


def _months(workspace: Workspace, since: datetime, until: datetime) -> tuple[date, date]:
    zone = ZoneInfo(workspace.timezone)
    return month_of(since, zone), month_of(until, zone)


def _summed(rows, key_of) -> list[CostRow]:
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        total = sums[(key_of(row), row["currency"])]
        total[0] += row["spent"]
        total[1] += row["counted"]
    found = [CostRow(k, c, cost, n) for (k, c), (cost, n) in sums.items()]
    return sorted(found, key=lambda r: (r.currency, -r.cost, r.key))


def cost_report(*, workspace: Workspace, since: datetime, until: datetime) -> CostReport:
    """The cost of resolutions in the months from `since` to `until`: two queries."""
    first, last = _months(workspace, since, until)
    # The database folds each key's slots together; the breakdowns are summed here.
    rows = list(
        CostTally.objects.filter(workspace=workspace, month__gte=first, month__lte=last)
        .values("scope", "month", "currency", "reason", "outcome", "bearer", "seller_id")
        .annotate(spent=Sum("cost"), counted=Sum("resolutions"))
        .order_by()
    )
    general = [r for r in rows if r["scope"] == TallyScope.REASONS]
    per_seller = [r for r in rows if r["scope"] == TallyScope.SELLERS]
    stacked: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in general:
        month = row["month"].strftime("%Y-%m")
        bearers = stacked[row["currency"]][month]
        bearers[row["bearer"]] = bearers.get(row["bearer"], 0) + row["spent"]
    by_seller = _summed(per_seller, lambda r: str(r["seller_id"]))
    return CostReport(
        since=first,
        until=last,
        by_reason=_summed(general, lambda r: r["reason"]),
        by_outcome=_summed(general, lambda r: r["outcome"]),
        by_seller=by_seller,
        by_month=sorted(
            _summed(general, lambda r: r["month"].strftime("%Y-%m")),
            key=lambda r: (r.key, r.currency),
        ),
        by_month_and_bearer={c: dict(months) for c, months in stacked.items()},
        sellers=Party.objects.in_bulk({int(r.key) for r in by_seller}),
    )


@dataclass(frozen=True)
class SellerRate:
    seller: Party
    orders: int  # orders sold in the period
    resolutions: int  # refunds, credits and rebookings on their orders in the period
    costs: dict[str, int]  # currency -> net cost of those resolutions
    borne: dict[str, int]  # currency -> the part charged to the seller

    @property
    def rate(self) -> float:
        """Resolutions that cost money per order sold (0.05: one in twenty)."""
        return self.resolutions / self.orders if self.orders else 0.0

    def cost_per_order(self, currency: str) -> int:
        return self.costs.get(currency, 0) // self.orders if self.orders else 0


def seller_rates(
    *, workspace: Workspace, since: datetime, until: datetime, limit: int = 50
) -> list[SellerRate]:
    """Each seller's resolutions and their cost per order sold in the months from
    `since` to `until`, highest rate first: three queries."""
    first, last = _months(workspace, since, until)
    zone = ZoneInfo(workspace.timezone)
    start = datetime(first.year, first.month, 1, tzinfo=zone)
    end = datetime(last.year + last.month // 12, last.month % 12 + 1, 1, tzinfo=zone)
    sold = dict(
        Order.objects.filter(workspace=workspace, seller__isnull=False)
        .annotate(sold_at=Coalesce("placed_at", "created_at"))
        .filter(sold_at__gte=start, sold_at__lt=end)
        .values("seller_id")
        .annotate(n=Count("pk"))
        .values_list("seller_id", "n")
    )
    costs: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    borne: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    resolutions: dict[int, int] = defaultdict(int)
    tallies = CostTally.objects.filter(
        workspace=workspace, scope=TallyScope.SELLERS, month__gte=first, month__lte=last
    ).values_list("seller_id", "currency", "bearer", "cost", "resolutions")
    for seller_id, currency, bearer, cost, count in tallies:
        costs[seller_id][currency] += cost
        if bearer == "seller":
            borne[seller_id][currency] += cost
        resolutions[seller_id] += count
    parties = Party.objects.in_bulk(list(sold))
    rates = [
        SellerRate(
            seller=parties[seller_id],
            orders=n,
            resolutions=resolutions.get(seller_id, 0),
            costs=dict(costs.get(seller_id, {})),
            borne=dict(borne.get(seller_id, {})),
        )
        for seller_id, n in sold.items()
        if seller_id in parties
    ]
    rates.sort(key=lambda r: (-r.rate, -sum(r.costs.values()), r.seller.name))
    return rates[:limit]
