"""Chart geometry for server-side SVG: horizontal bars (single, grouped, stacked), a funnel
and a line chart. Pure functions of numbers and already translated labels; the markup is
`templates/macros/charts.html`, so a chart is plain SVG in the page (no script, no
external file), printable, with a <title>/<desc> and the numbers in a table beside it.

Coordinates are in the SVG's own units (`WIDTH` wide); the page scales the drawing. Room
for the labels is measured, not guessed: the category labels' widest sets the left margin
and the value labels' widest the right one, so no label runs past the drawing's edge in
either language (`extent` says where a label is drawn; the tests check every one).
"""

import unicodedata
from dataclasses import dataclass, field
from typing import Optional

WIDTH = 480
ROW_H = 26
BAR_H = 16
TOP = 8
AXIS_H = 22  # tick labels under the plot
FONT = 13  # px: the size lms/static/reports.css gives `.chart-svg text`
GAP = 6  # between a label and what it labels
EDGE = 2  # kept clear at the drawing's edges
MAX_LABELS = 0.42  # the category labels take at most this share of the width (longer ones end in "…")
MAX_VALUES = 0.25  # and the value labels right of the bars at most this share
# Colour-blind-safe (Okabe–Ito); the legend and the table carry the same information.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


_BROAD = frozenset("%@MWmw")  # Latin glyphs near a full em


def text_width(text: str, size: int = FONT) -> float:
    """How wide `text` is drawn, at most: CJK and full-width characters are square (one
    font-size), and so are the ambiguous ones (…, ·, ≤), which the CJK font the page prefers
    draws full-width; Latin letters and digits about 0.6 of it (capitals 0.7, % and M 0.9)."""
    units = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F", "A"):
            units += 1
        elif ch in _BROAD:
            units += 0.9
        else:
            units += 0.7 if ch.isupper() else 0.6
    return units * size


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


def extent(label: Label, size: int = FONT) -> tuple[float, float]:
    """The horizontal span a label is drawn over, by its anchor."""
    w = text_width(label.text, size)
    if label.anchor == "end":
        return label.x - w, label.x
    if label.anchor == "middle":
        return label.x - w / 2, label.x + w / 2
    return label.x, label.x + w


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

    def label(self, x: float, y: float, text: str, anchor: str = "start") -> None:
        """A label, moved inwards if it would run past either edge (a tick or a marker's name
        near the edge; category and value labels have their room reserved)."""
        lo, hi = extent(Label(x, y, text, anchor))
        if hi > self.width - EDGE:
            x -= hi - (self.width - EDGE)
        elif lo < EDGE:
            x += EDGE - lo
        self.labels.append(Label(x, y, text, anchor))


@dataclass(frozen=True)
class _Frame:
    """Where the plot sits between the category labels (left) and the value labels (right)."""

    left: float
    plot: float
    label_room: float  # the category labels' width, at most


def _frame(categories: list[str], values: list[str]) -> _Frame:
    label_room = min(max((text_width(c) for c in categories), default=0), WIDTH * MAX_LABELS)
    value_room = min(max((text_width(v) for v in values), default=0), WIDTH * MAX_VALUES)
    left = EDGE + label_room + GAP
    right = GAP + value_room + EDGE
    # the last tick's label ("100%") ends at the plot's right end, the first one is centred on its left end
    left = max(left, EDGE + text_width("0000") / 2)
    return _Frame(left, WIDTH - left - right, label_room)


def _tick(value: float, maximum: float, unit: str) -> str:
    return f"{value:.0f}{unit}" if maximum >= 4 or value == int(value) else f"{value:.1f}{unit}"


def _axis(chart: Chart, frame: _Frame, top: float, bottom: float, maximum: float, unit: str) -> None:
    """Vertical grid lines at 0, ¼, ½, ¾ and the maximum, labelled under the plot."""
    for i in range(5):
        x = frame.left + frame.plot * i / 4
        chart.lines.append((x, top, x, bottom, "grid"))
        chart.label(x, bottom + 15, _tick(maximum * i / 4, maximum, unit), "end" if i == 4 else "middle")


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
    frame = _frame([label for label, _items in rows],
                   [shown for _label, items in rows for value, shown in items if value is not None])
    left, plot = frame.left, frame.plot
    chart = Chart("bars", TOP + len(rows) * row_h + AXIS_H + (18 if reference else 0))
    bottom = TOP + len(rows) * row_h
    _axis(chart, frame, TOP, bottom, top_value, unit)
    bar_h = (row_h - 10) / per
    for i, (label, items) in enumerate(rows):
        y = TOP + i * row_h + 5
        chart.labels.append(Label(left - GAP, y + (row_h - 10) / 2 + 4, fit(label, frame.label_room), "end"))
        for j, (value, shown) in enumerate(items):
            name, colour = series[j]
            w = 0 if value is None else max(0.0, min(1.0, value / top_value)) * plot
            title = f"{label} · {name}: {shown}" if name else f"{label}: {shown}"
            chart.rects.append(Rect(left, y + j * bar_h, w, bar_h - 1, colour, title))
            if value is not None:
                chart.label(left + w + 3, y + j * bar_h + bar_h / 2 + 4, shown)
        if references and references[i] is not None:
            x = left + min(1.0, references[i] / top_value) * plot
            chart.lines.append((x, y - 2, x, y + row_h - 8, "reference"))
    if reference:
        x = left + min(1.0, reference[0] / top_value) * plot
        chart.lines.append((x, TOP, x, bottom, "reference"))
        chart.label(x, TOP + len(rows) * row_h + AXIS_H + 12, reference[1], "middle")
    chart.legend = [(colour, name) for name, colour in series if name]
    return chart


def stacked(rows: list[tuple[str, list[float]]], series: list[str], unit: str = "") -> Chart:
    """Per row one bar split into the series (counts); legend in series order."""
    totals = [sum(v for v in values if v) for _label, values in rows]
    top_value = max(_scale(max(totals, default=0)), 4.0)  # counts: whole-number ticks
    frame = _frame([label for label, _values in rows], [f"{t:g}" for t in totals])
    chart = Chart("stacked", TOP + len(rows) * ROW_H + AXIS_H)
    _axis(chart, frame, TOP, TOP + len(rows) * ROW_H, top_value, unit)
    for i, (label, values) in enumerate(rows):
        y = TOP + i * ROW_H + (ROW_H - BAR_H) / 2
        chart.labels.append(Label(frame.left - GAP, y + BAR_H / 2 + 4, fit(label, frame.label_room), "end"))
        x = frame.left
        for j, value in enumerate(values):
            if not value:
                continue
            w = value / top_value * frame.plot
            chart.rects.append(Rect(x, y, w, BAR_H, PALETTE[j % len(PALETTE)], f"{label} · {series[j]}: {value:g}"))
            x += w
        chart.label(x + 3, y + BAR_H / 2 + 4, f"{totals[i]:g}")
    chart.legend = [(PALETTE[j % len(PALETTE)], name) for j, name in enumerate(series)]
    return chart


def funnel(stages: list[tuple[str, int] | tuple[str, int, Optional[int]]]) -> Chart:
    """Stages as centred bars, each as wide as its count against the first. A stage may name
    its own base, (label, n, base): its share is of that base (a stage only some can have
    reached yet), its bar still against the first."""
    first = max((s[1] for s in stages), default=0) or 1
    shown = []
    for i, stage in enumerate(stages):
        n, base = stage[1], (stage[2] if len(stage) > 2 else stages[0][1])
        shown.append(f"{n} ({100 * n / base:.0f}%)" if i and base else f"{n}")
    frame = _frame([s[0] for s in stages], shown)
    chart = Chart("funnel", TOP + len(stages) * ROW_H + 6)
    centre = frame.left + frame.plot / 2
    for i, stage in enumerate(stages):
        label, n = stage[0], stage[1]
        y = TOP + i * ROW_H + (ROW_H - BAR_H) / 2
        w = max(1.0, n / first * frame.plot) if n else 0
        chart.labels.append(Label(frame.left - GAP, y + BAR_H / 2 + 4, fit(label, frame.label_room), "end"))
        chart.rects.append(Rect(centre - w / 2, y, w, BAR_H, PALETTE[0], f"{label}: {shown[i]}"))
        chart.label(frame.left + frame.plot + GAP, y + BAR_H / 2 + 4, shown[i])
    return chart


LINE_H = 180


def line(xs: list[int], series: list[tuple[str, list[Optional[float]]]], maximum: float = 100.0,
         unit: str = "%", reference: Optional[tuple[float, str]] = None, x_label: str = "") -> Chart:
    """Series over x (e.g. buffer weeks), 0..maximum; gaps where a value is None."""
    ticks = [f"{maximum * i / 4:.0f}{unit}" for i in range(5)]
    left = EDGE + max(text_width(t) for t in ticks) + 4
    right, top, bottom = WIDTH - EDGE - text_width(str(xs[-1]) if xs else "") / 2, TOP + 4, TOP + 4 + LINE_H
    chart = Chart("line", bottom + AXIS_H + 16)
    for i in range(5):
        y = bottom - (bottom - top) * i / 4
        chart.lines.append((left, y, right, y, "grid"))
        chart.label(left - 4, y + 4, ticks[i], "end")
    span = max(1, len(xs) - 1)

    def at(i: int, value: float) -> tuple[float, float]:
        return left + (right - left) * i / span, bottom - (bottom - top) * min(1.0, max(0.0, value / maximum))

    for i, x in enumerate(xs):
        if len(xs) <= 16 or i % 2 == 0:
            chart.label(at(i, 0)[0], bottom + 15, str(x), "middle")
    if x_label:
        chart.label((left + right) / 2, bottom + AXIS_H + 12, x_label, "middle")
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
        chart.label(right, y - 4, reference[1], "end")
    return chart
