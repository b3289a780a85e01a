"""Server-drawn charts of the desk: geometry in whole pixels for inline SVG, so a page
needs no script and no CDN, and numbers never meet a decimal comma."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ombuds.sla.models import Metric
from ombuds.sla.selectors import ComplianceReport, MetricCount


@dataclass(frozen=True)
class Bar:
    group: str  # shown on the first bar of a group only
    metric: str
    y: int
    achieved_width: int
    breached_x: int
    breached_width: int
    achieved: int
    breached: int
    rate: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bar_x: int
    bar_width: int
    bar_height: int
    value_x: int
    bars: list[Bar]


LABEL_WIDTH = 250
BAR_WIDTH = 300
BAR_HEIGHT = 14
ROW = 20
GROUP_GAP = 22


def percent(count: MetricCount) -> str:
    rate = count.rate
    return "—" if rate is None else f"{round(rate * 100)} %"


def compliance_chart(report: ComplianceReport) -> Chart:
    """One bar per team (or agent) and metric: achieved in green, breached in red, as
    shares of what was decided in the period; the whole desk first."""
    labels = dict(Metric.choices)
    groups = [(_("Whole desk"), report.totals)] + [
        (row.name or (_("No team") if report.by == "team" else _("Unassigned")), row)
        for row in report.rows
    ]
    bars, y = [], 8
    for name, row in groups:
        first = True
        for metric in report.metrics:
            count = row.metrics.get(metric)
            if count is None or not count.total:
                continue
            if first:
                y += GROUP_GAP if bars else 12
            achieved = round(BAR_WIDTH * count.achieved / count.total)
            bars.append(
                Bar(
                    group=name if first else "",
                    metric=str(labels.get(metric, metric)),
                    y=y,
                    achieved_width=achieved,
                    breached_x=LABEL_WIDTH + achieved,
                    breached_width=BAR_WIDTH - achieved,
                    achieved=count.achieved,
                    breached=count.breached,
                    rate=percent(count),
                )
            )
            first = False
            y += ROW
    return Chart(
        width=LABEL_WIDTH + BAR_WIDTH + 110,
        height=y + 8,
        bar_x=LABEL_WIDTH,
        bar_width=BAR_WIDTH,
        bar_height=BAR_HEIGHT,
        value_x=LABEL_WIDTH + BAR_WIDTH + 8,
        bars=bars,
    )
