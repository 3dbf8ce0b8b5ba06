"""Chart geometry: every label drawn inside the drawing, whatever the language and the value."""

import pytest

from lms import charts

ZH_LONG = "数据处理与业务沟通综合能力评估标准说明"  # wider than the label margin: cut with "…", never clipped
EN_LONG = "Handling a misleading promotion complaint end to end"
ZH = "转型成功率"
EN = "Placed by week 14"


def _inside(chart: charts.Chart) -> None:
    for label in chart.labels:
        lo, hi = charts.extent(label)
        assert lo >= 0 and hi <= chart.width, (label, lo, hi)
        assert 0 < label.y <= chart.height, label
    for rect in chart.rects:
        assert rect.x >= 0 and rect.x + rect.w <= chart.width + 0.01, rect


CATEGORIES = [[ZH_LONG, ZH], [EN_LONG, EN], [ZH, EN], ["数", "a"]]


@pytest.mark.parametrize("names", CATEGORIES)
def test_bar_labels_stay_inside_the_drawing(names):
    rows = [(names[0], 100.0, "100%"), (names[1], 50.0, "50%"), ("x", None, "—")]
    _inside(charts.bars(rows, maximum=100, unit="%", reference=(83, "参考值 83%")))
    _inside(charts.bars(rows, maximum=100, unit="%", reference=(100, "Reference 100%")))
    _inside(charts.bars([(names[0], 17, "17/18"), (names[1], 18, "18"), ("z", 0, "0")]))
    _inside(charts.bars([(n, 1234567, "1234567") for n in names]))


@pytest.mark.parametrize("names", CATEGORIES)
def test_grouped_stacked_and_funnel_labels_stay_inside(names):
    _inside(charts.grouped([(names[0], [(100.0, "17/18"), (100.0, "100%")]), (names[1], [(None, "—"), (3.0, "3%")])],
                           [("在训席位", "#000"), ("Buffer seats", "#111")], maximum=100, unit="%",
                           references=[100.0, 0.0]))
    _inside(charts.stacked([(names[0], [3, 4, 5]), (names[1], [0, 0, 1])], ["a", "b", "c"]))
    _inside(charts.funnel([(names[0], 18, None), (names[1], 18, 18), ("已安置（任何时间）", 17, 18), ("x", 0, 0),
                           ("y", 1200, 2000)]))
    _inside(charts.bars([(names[0], 100.0, "100%"), (names[1], None, "—")], maximum=100, unit="%",
                        labels_above=True))


def test_a_full_bar_shows_its_whole_value():
    chart = charts.bars([(ZH_LONG, 100.0, "100%"), (EN_LONG, 94.4, "17/18")], maximum=100, unit="%")
    texts = [label.text for label in chart.labels]
    assert "100%" in texts and "17/18" in texts
    full = next(r for r in chart.rects if r.w > 0 and r.title.endswith("100%"))
    value = next(label for label in chart.labels if label.text == "100%" and label.anchor == "start")
    assert value.x > full.x + full.w  # right of its bar, not moved onto it
    assert ZH in "".join(texts) or any(t.startswith(ZH_LONG[:4]) for t in texts)  # the first characters kept


def test_line_chart_labels_stay_inside():
    _inside(charts.line(list(range(1, 25)), [("在训", [10.0] * 24)], reference=(83, "Reference 83%"),
                        x_label="缓冲期周次"))


def test_widths_count_cjk_as_square():
    assert charts.text_width("数据") == 2 * charts.FONT
    assert charts.text_width("ab") == pytest.approx(1.2 * charts.FONT)


def test_funnel_stages_are_shares_of_their_own_base():
    """A tier counts only the trainees whose role needs it: 0 of 3 for the expert tier is 0%, drawn
    against its own base, and a later stage of everyone enrolled may be longer without the
    drawing pretending the funnel rose."""
    chart = charts.funnel([("Enrolled", 9, None), ("Advanced passed", 2, 9), ("Expert passed", 0, 3),
                           ("Placed (any time)", 2, 9), ("Placed by week 14", 0, 0)])
    texts = [label.text for label in chart.labels]
    assert {"9", "2/9 (22%)", "0/3 (0%)", "0/0"} <= set(texts)
    assert chart.kind == "funnel"
    enrolled, advanced, expert, placed, in_time = chart.rects
    assert enrolled.w > advanced.w == placed.w and expert.w == in_time.w == 0
    # the axis is of shares: a full bar is 100% of its base
    whole, all_of_few = charts.funnel([("a", 9, None), ("b", 3, 3)]).rects
    assert all_of_few.w == whole.w


def test_a_row_without_a_value_says_so():
    chart = charts.bars([("Hands-on: a", 50.0, "50%"), ("Hands-on: b", None, "—")], maximum=100, unit="%")
    assert "—" in [label.text for label in chart.labels]


def test_grouped_value_labels_do_not_overlap():
    chart = charts.grouped([("Communication", [(33.0, "33%"), (33.0, "33%")])],
                           [("At intake", "#000"), ("Now", "#111")], maximum=100, unit="%")
    first, second = [label for label in chart.labels if label.text == "33%"]
    assert abs(second.y - first.y) >= charts.FONT + 2


@pytest.mark.parametrize("names, prefix, shown", [
    (["Hands-on: take over a conversation", "Hands-on: find the root cause", "Capstone: the group's solution"],
     "Hands-on:", ["Take over a conversation", "Find the root cause", "Capstone: the group's solution"]),
    (["实操考核：接管误导会话", "实操考核：给六条误答找病根"], "实操考核：", ["接管误导会话", "给六条误答找病根"]),
    (["Data processing", "Tool use"], "", ["Data processing", "Tool use"]),
    (["Hands-on: one", "Capstone: two", "Other: three"], "", ["Hands-on: one", "Capstone: two", "Other: three"]),
])
def test_a_prefix_most_labels_share_is_left_out(names, prefix, shown):
    assert charts.shared_prefix(names) == (prefix, shown)


def test_labels_above_their_bars_keep_long_names_whole():
    chart = charts.bars([(EN_LONG, 75.0, "75%"), (ZH_LONG, None, "—")], maximum=100, unit="%", labels_above=True)
    _inside(chart)
    texts = [label.text for label in chart.labels]
    assert EN_LONG in texts and ZH_LONG in texts  # the drawing's whole width: neither is cut
