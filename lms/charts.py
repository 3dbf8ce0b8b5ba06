"""Chart geometry for server-side SVG: horizontal bars (single, grouped, stacked), a funnel
(shares of each stage's own base) and a line chart. Pure functions of numbers and already
translated labels; the markup is `templates/macros/charts.html`, so a chart is plain SVG in
the page (no script, no external file), printable, with a <title>/<desc> and the numbers in
a table beside it.

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
    dropped: str = ""  # a prefix left out of every label that had it (shared_prefix); the page says so

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
         reference: Optional[tuple[float, str]] = None, color: str = PALETTE[0], labels_above: bool = False,
         kind: str = "bars") -> Chart:
    """One horizontal bar per row: (label, value or None, value as shown; a row without a value
    shows its text, e.g. "—", where the bar would start). `reference`: a vertical marker (value,
    label), e.g. the program's reference figure. `labels_above`: each label on its own line over
    its bar, the drawing's whole width (long names that would be cut beside the bars)."""
    return grouped([(label, [(value, shown)]) for label, value, shown in rows], [("", color)], maximum, unit,
                   reference, labels_above=labels_above, kind=kind)


def _above_frame(values: list[str]) -> _Frame:
    """The plot from the left edge (labels above the bars take the whole width)."""
    value_room = min(max((text_width(v) for v in values), default=0), WIDTH * MAX_VALUES)
    left = EDGE + text_width("0000") / 2  # the first tick's label is centred on the plot's left end
    return _Frame(left, WIDTH - left - GAP - value_room - EDGE, WIDTH - 2 * EDGE)


LABEL_LINE = FONT + 5  # a label's own line above its bar


def grouped(rows: list[tuple[str, list[tuple[Optional[float], str]]]], series: list[tuple[str, str]],
            maximum: Optional[float] = None, unit: str = "", reference: Optional[tuple[float, str]] = None,
            references: Optional[list[Optional[float]]] = None, labels_above: bool = False,
            kind: str = "bars") -> Chart:
    """Per row several bars, one per series (name, colour). `references`: per row a marker.
    Bars of one row are a line of text apart, so their value labels never overlap."""
    per = len(series)
    row_h = ROW_H if per == 1 else per * (FONT + 4) + 10
    above = LABEL_LINE if labels_above else 0
    values = [v for _label, items in rows for v, _s in items if v is not None]
    extra = [reference[0]] if reference else []
    extra += [r for r in (references or []) if r is not None]
    top_value = maximum if maximum is not None else _scale(max(values + extra, default=0))
    if maximum is None and not unit:  # counts: whole-number ticks (0, 1, 2, 3, 4 at the least)
        top_value = max(top_value, 4.0)
    shown_all = [shown for _label, items in rows for _value, shown in items]
    frame = _above_frame(shown_all) if labels_above else _frame([label for label, _items in rows], shown_all)
    left, plot = frame.left, frame.plot
    step = row_h + above
    chart = Chart(kind, TOP + len(rows) * step + AXIS_H + (18 if reference else 0))
    bottom = TOP + len(rows) * step
    _axis(chart, frame, TOP, bottom, top_value, unit)
    bar_h = (row_h - 10) / per
    for i, (label, items) in enumerate(rows):
        y = TOP + i * step + above + 5
        if labels_above:
            chart.labels.append(Label(EDGE, y - 5, fit(label, frame.label_room)))
        else:
            chart.labels.append(Label(left - GAP, y + (row_h - 10) / 2 + 4, fit(label, frame.label_room), "end"))
        for j, (value, shown) in enumerate(items):
            name, colour = series[j]
            w = 0 if value is None else max(0.0, min(1.0, value / top_value)) * plot
            title = f"{label} · {name}: {shown}" if name else f"{label}: {shown}"
            chart.rects.append(Rect(left, y + j * bar_h, w, bar_h - 1, colour, title))
            chart.label(left + w + 3, y + j * bar_h + bar_h / 2 + 4, shown)
        if references and references[i] is not None:
            x = left + min(1.0, references[i] / top_value) * plot
            chart.lines.append((x, y - 2, x, y + row_h - 8, "reference"))
    if reference:
        x = left + min(1.0, reference[0] / top_value) * plot
        chart.lines.append((x, TOP, x, bottom, "reference"))
        chart.label(x, bottom + AXIS_H + 12, reference[1], "middle")
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


def funnel(stages: list[tuple[str, int, Optional[int]]]) -> Chart:
    """The funnel's stages as separate bars, each the share of its own base: (label, count, base).
    A stage's base differs (a tier counts only the trainees whose role needs it, "placed by week
    14" only the cohorts past it), so the bars are shares on one 0–100% axis, never widths
    against the first stage, and each shows "count/base (share)"; a stage whose base is None
    (the first: enrolled) shows its count over a full bar."""
    rows = []
    for label, n, base in stages:
        if base is None:
            rows.append((label, 100.0 if n else 0.0, f"{n}"))
        elif base:
            rows.append((label, 100 * n / base, f"{n}/{base} ({100 * n / base:.0f}%)"))
        else:
            rows.append((label, None, f"{n}/{base}"))
    return bars(rows, maximum=100, unit="%", kind="funnel")


def _separator_end(text: str) -> int:
    """Where a leading kind ("Hands-on: ", "实操考核：") ends in `text`, or 0."""
    for sep in ("：", ": "):
        at = text.find(sep)
        if 0 < at <= 16:
            end = at + len(sep)
            return end if end < len(text) else 0
    return 0


def shared_prefix(names: list[str]) -> tuple[str, list[str]]:
    """The leading kind most names share ("Hands-on: "), and the names without it. A prefix is
    dropped only when more than half of the names (at least two) carry it; the others keep
    theirs, which then tells them apart. What is left starts with a capital letter. ("", names)
    when there is none."""
    leads = [name[:_separator_end(name)] for name in names]
    counts: dict[str, int] = {}
    for lead in leads:
        if lead:
            counts[lead] = counts.get(lead, 0) + 1
    if not counts:
        return "", list(names)
    prefix, n = max(counts.items(), key=lambda item: item[1])
    if n < 2 or 2 * n <= len(names):
        return "", list(names)
    rest = [name[len(prefix):] if lead == prefix else name for name, lead in zip(names, leads, strict=True)]
    return prefix.strip(), [name[:1].upper() + name[1:] for name in rest]


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
