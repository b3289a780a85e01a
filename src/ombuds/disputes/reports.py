"""How disputes go, per seller: the dispute rate per order sold, how they ended, how fast
the seller answers. Counts come from the disputes; what resolutions cost comes from the
ledger's tallies, which already carry the dispute's reason code."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F
from django.db.models.functions import Coalesce

from ombuds.core.models import Workspace
from ombuds.marketplace.models import Order, Party

from .models import OPEN_STATES, Dispute


@dataclass
class Scorecard:
    seller: Party
    since: datetime
    until: datetime
    orders: int  # orders sold in the period
    disputes: int  # disputes opened about them in the period
    open_now: int
    endings: dict[str, int]  # ending code -> disputes
    average_response: timedelta | None
    borne: dict[str, int] = field(default_factory=dict)  # currency -> cost borne

    @property
    def rate(self) -> float:
        """Disputes per order sold (0.02: one in fifty)."""
        return self.disputes / self.orders if self.orders else 0.0


def _sold(workspace: Workspace, since: datetime, until: datetime):
    return (
        Order.objects.filter(workspace=workspace, seller__isnull=False)
        .annotate(sold_at=Coalesce("placed_at", "created_at"))
        .filter(sold_at__gte=since, sold_at__lt=until)
    )


def seller_scorecard(
    *, workspace: Workspace, seller: Party, since: datetime, until: datetime
) -> Scorecard:
    """One seller's disputes in the period: four queries."""
    orders = _sold(workspace, since, until).filter(seller=seller).count()
    disputes = Dispute.objects.filter(
        workspace=workspace, seller=seller, created_at__gte=since, created_at__lt=until
    )
    endings = dict(
        disputes.exclude(ending="")
        .values("ending")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("ending", "n")
    )
    summary = disputes.aggregate(
        total=Count("pk"),
        average=Avg(
            ExpressionWrapper(
                F("seller_responded_at") - F("created_at"), output_field=DurationField()
            )
        ),
    )
    open_now = Dispute.objects.filter(
        workspace=workspace, seller=seller, state__in=OPEN_STATES
    ).count()
    return Scorecard(
        seller=seller,
        since=since,
        until=until,
        orders=orders,
        disputes=summary["total"],
        open_now=open_now,
        endings=endings,
        average_response=summary["average"],
    )


@dataclass(frozen=True)
class SellerRate:
    seller: Party
    orders: int
    disputes: int

    @property
    def rate(self) -> float:
        return self.disputes / self.orders if self.orders else 0.0


def dispute_rates(
    *, workspace: Workspace, since: datetime, until: datetime, limit: int = 50
) -> list[SellerRate]:
    """Each seller's disputes per order sold in the period, highest first: three queries."""
    sold = dict(
        _sold(workspace, since, until)
        .values("seller_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("seller_id", "n")
    )
    opened: dict[int, int] = defaultdict(int)
    rows = (
        Dispute.objects.filter(
            workspace=workspace,
            seller__isnull=False,
            created_at__gte=since,
            created_at__lt=until,
        )
        .values("seller_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        opened[row["seller_id"]] = row["n"]
    sellers = Party.objects.in_bulk(set(sold) | set(opened))
    rates = [
        SellerRate(seller=sellers[pk], orders=sold.get(pk, 0), disputes=opened.get(pk, 0))
        for pk in sellers
    ]
    rates.sort(key=lambda r: (-r.rate, -r.disputes, r.seller.name))
    return rates[:limit]


@dataclass
class DisputeReport:
    since: datetime
    until: datetime
    by_reason: list[tuple[str, int]]  # reason code, disputes opened
    by_ending: list[tuple[str, int]]
    by_month: list[tuple[str, int]]  # YYYY-MM, disputes opened
    rates: list[SellerRate]


def dispute_report(*, workspace: Workspace, since: datetime, until: datetime) -> DisputeReport:
    """Disputes opened in the period by reason, by how they ended and by month, and each
    seller's dispute rate: six queries, grouped in the database."""
    from zoneinfo import ZoneInfo

    from django.db.models.functions import TruncMonth

    opened = Dispute.objects.filter(
        workspace=workspace, created_at__gte=since, created_at__lt=until
    )

    def grouped(field: str) -> list[tuple[str, int]]:
        rows = opened.values(field).annotate(n=Count("pk")).order_by("-n", field)
        return [(row[field], row["n"]) for row in rows]

    months = (
        opened.annotate(month=TruncMonth("created_at", tzinfo=ZoneInfo(workspace.timezone)))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return DisputeReport(
        since=since,
        until=until,
        by_reason=grouped("reason"),
        by_ending=[(e, n) for e, n in grouped("ending") if e],
        by_month=[(row["month"].strftime("%Y-%m"), row["n"]) for row in months],
        rates=dispute_rates(workspace=workspace, since=since, until=until),
    )
