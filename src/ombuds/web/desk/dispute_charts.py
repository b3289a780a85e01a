"""Small server-drawn charts of the dispute report: inline SVG, no script, no CDN."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    top: int  # the value the chart's height stands for


def month_bars(rows: list[tuple[str, int]], *, width: int = 480, height: int = 140) -> BarChart:
    """One bar per month, scaled to the busiest; labels are drawn by the template."""
    top = max((value for _, value in rows), default=0) or 1
    slot = width / max(len(rows), 1)
    plot = height - 20  # room for the month labels underneath
    bars = []
    for i, (label, value) in enumerate(rows):
        bar_height = plot * value / top
        bars.append(
            Bar(
                label=label,
                value=value,
                x=i * slot + slot * 0.15,
                y=plot - bar_height,
                width=slot * 0.7,
                height=bar_height,
            )
        )
    return BarChart(bars=bars, width=width, height=height, top=top)
