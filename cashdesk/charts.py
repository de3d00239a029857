"""Charts drawn on the server as SVG: no script, no inline style (the CSP forbids both),
only presentation attributes and classes from cashdesk.css, so they print and scale to a
phone's width with the page. Columns for values by day or month, bars for values by name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 220
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 84, 30, 12


def _fmt(value, money: bool) -> str:
    if money:
        return number_format(
            Decimal(value).quantize(Decimal("1")), decimal_pos=0, force_grouping=True
        )
    return number_format(value, force_grouping=True)


def _label(value) -> str:
    if isinstance(value, dt.date):
        return date_format(value, "d.m")
    return str(value)


def _nice_step(span: Decimal) -> Decimal:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) cutting `span` into about four parts."""
    raw = span / 4 if span > 0 else Decimal(1)
    exp = Decimal(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Decimal(1)
    for m in ("1", "2", "2.5", "5", "10"):
        step = exp * Decimal(m)
        if step >= raw:
            return step
    return exp * 10


def _ticks(low: Decimal, high: Decimal) -> list[Decimal]:
    """Round grid values from at most `low` (0 or below) to at least `high`."""
    step = _nice_step(high - low)
    start = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    ticks = [start]
    while ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    if len(ticks) < 2:
        ticks.append(ticks[-1] + step)
    return ticks


def _month_label(day: dt.date, first: bool) -> str:
    """ "Jan", with the year on the first column and on each January."""
    return date_format(day, "M Y") if first or day.month == 1 else date_format(day, "M")


def columns(
    points: list[tuple], *, title: str, money: bool = False, month: bool = False
) -> SafeString:
    """Vertical columns, one per point (label, value); every n-th label is written."""
    if not points:
        return mark_safe("")
    values = [Decimal(v or 0) for _l, v in points]
    ticks = _ticks(min([*values, Decimal(0)]), max([*values, Decimal(0)]))
    bottom, top = ticks[0], ticks[-1]
    span = top - bottom
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_TOP - PAD_BOTTOM
    step = Decimal(plot_w) / len(points)
    bar = max(step * Decimal("0.7"), Decimal("1"))
    zero_y = PAD_TOP + float(plot_h * top / span)
    every = max(1, len(points) // 10)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'preserveAspectRatio="xMidYMid meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for v in ticks:
        y = PAD_TOP + float(plot_h * (top - v) / span)
        parts.append(
            f'<line class="chart__grid" x1="{PAD_LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d0d4da" stroke-width="1"/>'
            f'<text class="chart__axis" x="{PAD_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#555">{escape(_fmt(v, money))}</text>'
        )
    for i, ((label, _v), value) in enumerate(zip(points, values, strict=True)):
        x = PAD_LEFT + float(step * i + (step - bar) / 2)
        y = PAD_TOP + float(plot_h * (top - max(value, Decimal(0))) / span)
        h = float(plot_h * abs(value) / span)
        cls = "chart__bar chart__bar--neg" if value < 0 else "chart__bar"
        fill = "#c0392b" if value < 0 else "#2d6cdf"
        text = _label(label) if not month else _month_label(label, i == 0)
        parts.append(
            f'<rect class="{cls}" x="{x:.1f}" y="{y:.1f}" width="{float(bar):.1f}" '
            f'height="{max(h, 0):.1f}" fill="{fill}"><title>{escape(text)}: '
            f"{escape(_fmt(value, money))}</title></rect>"
        )
        if i % every == 0:
            # Every other label is minor: a phone, drawing the text larger, hides those.
            minor = " chart__x--minor" if (i // every) % 2 else ""
            cx = PAD_LEFT + float(step * i + step / 2)
            parts.append(
                f'<text class="chart__axis chart__x{minor}" x="{cx:.1f}" y="{HEIGHT - 10}" '
                f'text-anchor="middle" font-size="11" fill="#555">{escape(text)}</text>'
            )
    parts.append(
        f'<line x1="{PAD_LEFT}" x2="{WIDTH - 8}" y1="{zero_y:.1f}" y2="{zero_y:.1f}" '
        f'stroke="#333" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def bars(points: list[tuple], *, title: str, money: bool = False) -> SafeString:
    """Horizontal bars, one per name, the value written at the bar's end."""
    if not points:
        return mark_safe("")
    row_h, label_w = 32, 210
    height = row_h * len(points) + 8
    values = [Decimal(v or 0) for _l, v in points]
    top = max([abs(v) for v in values] + [Decimal(1)])
    plot_w = WIDTH - label_w - 90
    parts = [
        f'<svg class="chart chart--bars" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, ((label, _v), value) in enumerate(zip(points, values, strict=True)):
        y = 4 + i * row_h
        w = float(plot_w * abs(value) / top)
        name = str(label)
        short = name if len(name) <= 16 else name[:15] + "…"
        fill = "#c0392b" if value < 0 else "#2d6cdf"
        parts.append(
            f'<text class="chart__label" x="{label_w - 6}" y="{y + 21}" text-anchor="end" '
            f'font-size="13" fill="#222">{escape(short)}<title>{escape(name)}</title></text>'
            f'<rect class="chart__bar" x="{label_w}" y="{y + 6}" width="{w:.1f}" height="{row_h - 12}" '
            f'fill="{fill}"/>'
            f'<text class="chart__value" x="{label_w + w + 6:.1f}" y="{y + 21}" font-size="12" '
            f'fill="#222">{escape(_fmt(value, money))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def for_series(series) -> SafeString:
    """The chart a report's table asks for (Series.chart), or nothing."""
    if series.chart is None or not series.rows:
        return mark_safe("")
    money = series.chart in series.money
    points = [(row[0], row[series.chart]) for row in series.rows]
    if series.chart_kind == "bars":
        return bars(points, title=series.title, money=money)
    return columns(points, title=series.title, money=money, month=series.chart_kind == "months")
