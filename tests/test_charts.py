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
    _inside(charts.funnel([(names[0], 18), (names[1], 18, 18), ("已安置（任何时间）", 17), ("x", 0, 0),
                           ("y", 3, None)]))


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
