"""Chart geometry for server-side SVG: horizontal bars (single, grouped, stacked), a funnel
and a line chart. Pure functions of numbers and already translated labels; the markup is
`templates/macros/charts.html`, so a chart is plain SVG in the page (no script, no
external file), printable, with a <title>/<desc> and the numbers in a table beside it.

Coordinates are in the SVG's own units (`WIDTH` wide); the page scales the drawing.
"""

import unicodedata
from dataclasses import dataclass, field
from typing import Optional

WIDTH = 480
LABEL_W = 150  # room for the category labels left of the bars
ROW_H = 26
BAR_H = 16
TOP = 8
AXIS_H = 22  # tick labels under the plot
FONT = 12
# Colour-blind-safe (Okabe–Ito); the legend and the table carry the same information.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def text_width(text: str, size: int = FONT) -> float:
    """Roughly how wide `text` is drawn: CJK characters are square, Latin ones about half."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in ("W", "F"))
    return wide * size + (len(text) - wide) * size * 0.56


def fit(text: str, room: float, size: int = FONT) -> str:
    """`text` cut with an ellipsis to fit `room` units (the full text stays in the table)."""
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    color: str
    title: str  # the tooltip: label and value


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass
class Chart:
    """What the template draws."""

    kind: str
    height: float
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    lines: list[tuple] = field(default_factory=list)  # (x1, y1, x2, y2, css class)
    paths: list[tuple] = field(default_factory=list)  # (points "x,y x,y", colour, title)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, text)
    width: int = WIDTH


def _axis(chart: Chart, top: float, bottom: float, maximum: float, unit: str) -> None:
    """Vertical grid lines at 0, ¼, ½, ¾ and the maximum, labelled under the plot."""
    plot = WIDTH - LABEL_W - 10
    for i in range(5):
        x = LABEL_W + plot * i / 4
        chart.lines.append((x, top, x, bottom, "grid"))
        value = maximum * i / 4
        text = f"{value:.0f}{unit}" if maximum >= 4 or value == int(value) else f"{value:.1f}{unit}"
        chart.labels.append(Label(x, bottom + 15, text, "end" if i == 4 else "middle"))


def _scale(maximum: float) -> float:
    """A round axis maximum at or above `maximum`."""
    if maximum <= 0:
        return 1.0
    for step in (1, 2, 4, 8, 20, 40, 100, 200, 400, 1000, 2000, 4000, 10000):  # quarters stay whole numbers
        if maximum <= step:
            return float(step)
    magnitude = 4 * 10 ** (len(str(int(maximum))) - 1)
    return float(-(-maximum // magnitude) * magnitude)


def bars(rows: list[tuple[str, Optional[float], str]], maximum: Optional[float] = None, unit: str = "",
         reference: Optional[tuple[float, str]] = None, color: str = PALETTE[0]) -> Chart:
    """One horizontal bar per row: (label, value or None, value as shown). `reference`: a
    vertical marker (value, label), e.g. the program's reference figure."""
    return grouped([(label, [(value, shown)]) for label, value, shown in rows], [("", color)], maximum, unit,
                   reference)


def grouped(rows: list[tuple[str, list[tuple[Optional[float], str]]]], series: list[tuple[str, str]],
            maximum: Optional[float] = None, unit: str = "", reference: Optional[tuple[float, str]] = None,
            references: Optional[list[Optional[float]]] = None) -> Chart:
    """Per row several bars, one per series (name, colour). `references`: per row a marker."""
    per = len(series)
    row_h = max(ROW_H, per * (BAR_H - 4) + 10)
    values = [v for _label, items in rows for v, _s in items if v is not None]
    extra = [reference[0]] if reference else []
    extra += [r for r in (references or []) if r is not None]
    top_value = maximum if maximum is not None else _scale(max(values + extra, default=0))
    if maximum is None and not unit:  # counts: whole-number ticks (0, 1, 2, 3, 4 at the least)
        top_value = max(top_value, 4.0)
    plot = WIDTH - LABEL_W - 10
    chart = Chart("bars", TOP + len(rows) * row_h + AXIS_H + (18 if reference else 0))
    bottom = TOP + len(rows) * row_h
    _axis(chart, TOP, bottom, top_value, unit)
    bar_h = (row_h - 10) / per
    for i, (label, items) in enumerate(rows):
        y = TOP + i * row_h + 5
        chart.labels.append(Label(LABEL_W - 6, y + (row_h - 10) / 2 + 4, fit(label, LABEL_W - 10), "end"))
        for j, (value, shown) in enumerate(items):
            name, colour = series[j]
            w = 0 if value is None else max(0.0, min(1.0, value / top_value)) * plot
            title = f"{label} · {name}: {shown}" if name else f"{label}: {shown}"
            chart.rects.append(Rect(LABEL_W, y + j * bar_h, w, bar_h - 1, colour, title))
            if value is not None:
                chart.labels.append(Label(LABEL_W + w + 3, y + j * bar_h + bar_h / 2 + 3, shown))
        if references and references[i] is not None:
            x = LABEL_W + min(1.0, references[i] / top_value) * plot
            chart.lines.append((x, y - 2, x, y + row_h - 8, "reference"))
    if reference:
        x = LABEL_W + min(1.0, reference[0] / top_value) * plot
        chart.lines.append((x, TOP, x, bottom, "reference"))
        chart.labels.append(Label(min(x, WIDTH - 4), TOP + len(rows) * row_h + AXIS_H + 12, reference[1],
                                  "end" if x > WIDTH * 0.7 else "middle"))
    chart.legend = [(colour, name) for name, colour in series if name]
    return chart


def stacked(rows: list[tuple[str, list[float]]], series: list[str], unit: str = "") -> Chart:
    """Per row one bar split into the series (counts); legend in series order."""
    totals = [sum(v for v in values if v) for _label, values in rows]
    top_value = max(_scale(max(totals, default=0)), 4.0)  # counts: whole-number ticks
    plot = WIDTH - LABEL_W - 10
    chart = Chart("stacked", TOP + len(rows) * ROW_H + AXIS_H)
    _axis(chart, TOP, TOP + len(rows) * ROW_H, top_value, unit)
    for i, (label, values) in enumerate(rows):
        y = TOP + i * ROW_H + (ROW_H - BAR_H) / 2
        chart.labels.append(Label(LABEL_W - 6, y + BAR_H / 2 + 4, fit(label, LABEL_W - 10), "end"))
        x = LABEL_W
        for j, value in enumerate(values):
            if not value:
                continue
            w = value / top_value * plot
            chart.rects.append(Rect(x, y, w, BAR_H, PALETTE[j % len(PALETTE)], f"{label} · {series[j]}: {value:g}"))
            x += w
        chart.labels.append(Label(x + 3, y + BAR_H / 2 + 4, f"{totals[i]:g}"))
    chart.legend = [(PALETTE[j % len(PALETTE)], name) for j, name in enumerate(series)]
    return chart


def funnel(stages: list[tuple[str, int]]) -> Chart:
    """Stages as centred bars, each as wide as its count against the first."""
    first = max((n for _label, n in stages), default=0) or 1
    plot = WIDTH - LABEL_W - 60
    chart = Chart("funnel", TOP + len(stages) * ROW_H + 6)
    centre = LABEL_W + plot / 2
    for i, (label, n) in enumerate(stages):
        y = TOP + i * ROW_H + (ROW_H - BAR_H) / 2
        w = max(1.0, n / first * plot) if n else 0
        share = f" ({100 * n / first:.0f}%)" if i else ""
        chart.labels.append(Label(LABEL_W - 6, y + BAR_H / 2 + 4, fit(label, LABEL_W - 10), "end"))
        chart.rects.append(Rect(centre - w / 2, y, w, BAR_H, PALETTE[0], f"{label}: {n}{share}"))
        chart.labels.append(Label(LABEL_W + plot + 6, y + BAR_H / 2 + 4, f"{n}{share}"))
    return chart


LINE_H = 180


def line(xs: list[int], series: list[tuple[str, list[Optional[float]]]], maximum: float = 100.0,
         unit: str = "%", reference: Optional[tuple[float, str]] = None, x_label: str = "") -> Chart:
    """Series over x (e.g. buffer weeks), 0..maximum; gaps where a value is None."""
    left, right, top, bottom = 40, WIDTH - 10, TOP + 4, TOP + 4 + LINE_H
    chart = Chart("line", bottom + AXIS_H + 16)
    for i in range(5):
        y = bottom - (bottom - top) * i / 4
        chart.lines.append((left, y, right, y, "grid"))
        chart.labels.append(Label(left - 4, y + 4, f"{maximum * i / 4:.0f}{unit}", "end"))
    span = max(1, len(xs) - 1)

    def at(i: int, value: float) -> tuple[float, float]:
        return left + (right - left) * i / span, bottom - (bottom - top) * min(1.0, max(0.0, value / maximum))

    for i, x in enumerate(xs):
        if len(xs) <= 16 or i % 2 == 0:
            chart.labels.append(Label(at(i, 0)[0], bottom + 15, str(x), "middle"))
    if x_label:
        chart.labels.append(Label((left + right) / 2, bottom + AXIS_H + 12, x_label, "middle"))
    for j, (name, values) in enumerate(series):
        colour = PALETTE[j % len(PALETTE)]
        run: list[str] = []
        for i, value in enumerate(values):
            if value is None:
                if run:
                    chart.paths.append((" ".join(run), colour, name))
                run = []
                continue
            x, y = at(i, value)
            run.append(f"{x:.1f},{y:.1f}")
            chart.rects.append(Rect(x - 2.5, y - 2.5, 5, 5, colour, f"{name} · {xs[i]}: {value:.1f}{unit}"))
        if run:
            chart.paths.append((" ".join(run), colour, name))
        chart.legend.append((colour, name))
    if reference:
        y = at(0, reference[0])[1]
        chart.lines.append((left, y, right, y, "reference"))
        chart.labels.append(Label(right, y - 4, reference[1], "end"))
    return chart
