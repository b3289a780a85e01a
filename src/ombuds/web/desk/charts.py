"""Server-drawn charts for desk pages: the geometry of an inline SVG, computed here and
drawn by a template, so a page needs no script and no CDN to show a trend."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int  # index into the chart's series, for its colour class
    title: str  # what a pointer hovering it reads


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class ColumnLabel:
    x: float
    label: str


@dataclass
class StackedBars:
    width: int
    height: int
    plot_left: int
    plot_bottom: int
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    columns: list[ColumnLabel] = field(default_factory=list)
    series: list[str] = field(default_factory=list)

    @property
    def plot_right(self) -> int:
        return self.width - 8


def _nice_top(value: int) -> int:
    """The smallest 1, 2 or 5 × 10^n at or above value, so gridlines fall on round sums."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def stacked_bars(
    columns: list[str],
    series: list[str],
    values: dict[str, dict[str, int]],
    *,
    label_value,
    width: int = 640,
    height: int = 220,
) -> StackedBars:
    """Bars per column, stacked by series; `values[column][series]` is the height.
    Negative parts (a month's reversals outweighing its cost) draw as nothing."""
    left, bottom, top = 64, height - 28, 10
    chart = StackedBars(width, height, left, bottom, series=list(series))
    totals = [sum(max(0, values.get(c, {}).get(s, 0)) for s in series) for c in columns]
    peak = _nice_top(max(totals, default=0))
    scale = (bottom - top) / peak
    for i in range(5):
        amount = peak * i // 4
        chart.ticks.append(Tick(y=round(bottom - amount * scale, 1), label=label_value(amount)))
    if not columns:
        return chart
    slot = (chart.plot_right - left) / len(columns)
    bar_width = max(4.0, min(48.0, slot * 0.6))
    for i, column in enumerate(columns):
        x = left + slot * i + (slot - bar_width) / 2
        base = float(bottom)
        for s, name in enumerate(series):
            amount = max(0, values.get(column, {}).get(name, 0))
            if not amount:
                continue
            h = amount * scale
            base -= h
            chart.bars.append(
                Bar(
                    x=round(x, 1),
                    y=round(base, 1),
                    width=round(bar_width, 1),
                    height=round(h, 1),
                    series=s,
                    title=f"{column} · {name}: {label_value(amount)}",
                )
            )
        chart.columns.append(ColumnLabel(x=round(x + bar_width / 2, 1), label=column))
    return chart
