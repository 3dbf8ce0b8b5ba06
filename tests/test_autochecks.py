"""Auto-check rules (courses/FORMAT.md), without a database."""

import pytest

from lms.services.autochecks import answer_language, blocked, parse_number, run_checks

MSG = {"zh_CN": "x", "en": "x"}
FIELDS = [{"name": "a", "type": "text", "required": True}, {"name": "n", "type": "number"},
          {"name": "f", "type": "file", "required": False}]


def _check(kind, answer, **extra):
    check = {"field": "a", "kind": kind, "blocking": True, "message": MSG, **extra}
    return run_checks([{"name": "a", "type": "text"}], [check], {"a": answer}, set())[0].passed


@pytest.mark.parametrize(("answer", "ok"), [("T202611050012", True), ("t202611050012", False), ("x T2026 y", False)])
def test_regex_is_searched_and_anchors_make_it_whole(answer, ok):
    assert _check("regex", answer, pattern=r"^T\d{12}$") is ok


@pytest.mark.parametrize(("answer", "ok"), [("75.43", True), ("75,43", True), ("75.4", True), ("75.46%", True),
                                            ("75.47", False), ("about 75", False)])
def test_number_range_is_inclusive_and_reads_commas_and_percent(answer, ok):
    assert _check("number_range", answer, min=75.4, max=75.46) is ok


def test_keywords_need_every_item_any_alternative_case_insensitive():
    words = ["抱歉|Sorry", "50"]
    assert _check("keywords", "SORRY, we refund 50 yuan", keywords=words)
    assert _check("keywords", "非常抱歉，退您50元", keywords=words)
    assert not _check("keywords", "sorry", keywords=words)


def test_lengths_count_characters_not_bytes():
    assert _check("max_length", "汉" * 10, value=10)
    assert not _check("max_length", "汉" * 11, value=10)
    assert _check("min_length", "汉字", value=2)


LIMIT = {"zh_CN": 300, "en": 1100}  # a customer reply (courses/FORMAT.md)


def test_a_chinese_answer_gets_the_chinese_limit():
    assert _check("max_length", "您" * 300, value=LIMIT)
    assert not _check("max_length", "您" * 301, value=LIMIT)


def test_an_english_answer_gets_the_english_limit():
    reply = "Sorry for the wait, your parcel ships today. "  # 45 characters
    assert len(reply * 24) == 1080 and _check("max_length", reply * 24, value=LIMIT)
    assert not _check("max_length", reply * 25, value=LIMIT)
    assert not _check("min_length", "Sorry about that, we are on it.", value={"zh_CN": 10, "en": 40})
    assert _check("min_length", "抱歉让您久等了，马上为您处理", value={"zh_CN": 10, "en": 40})


@pytest.mark.parametrize(("answer", "language"), [
    ("非常抱歉，差价50元原路退回。", "zh_CN"),
    ("亲，本商品支持价保，降价可申请差价。Price protection applies.", "zh_CN"),  # half the content each
    ("Sorry, 价保 covers this order: the difference comes back in 3 days.", "en"),
    ("SKU-88231 的水壶漏水，订单 T202611050012", "zh_CN"),
    ("12,345", "zh_CN"),  # no letters: the stricter limit
])
def test_answer_language_is_the_one_most_of_the_text_is_in(answer, language):
    assert answer_language(answer) == language


def test_empty_optional_answer_passes_all_but_required():
    assert _check("regex", "", pattern="^x$")
    assert not _check("required", "")


def test_required_fields_block_and_files_count():
    results = run_checks(FIELDS, [], {"a": "", "n": ""}, set())
    assert blocked(results) and [r.field for r in results] == ["a"]
    assert not blocked(run_checks(FIELDS, [], {"a": "ok"}, set()))
    file_required = [{"name": "f", "type": "file", "required": True}]
    assert blocked(run_checks(file_required, [], {}, set()))
    assert not blocked(run_checks(file_required, [], {}, {"f"}))


def test_non_blocking_failure_does_not_block():
    check = {"field": "a", "kind": "keywords", "keywords": ["zzz"], "blocking": False, "message": MSG}
    results = run_checks([], [check], {"a": "abc"}, set())
    assert not results[0].passed and not blocked(results)


def test_parse_number():
    assert parse_number(" 12,5 % ") == 12.5 and parse_number("x") is None and parse_number(3) == 3.0


@pytest.mark.parametrize("kind", ["regex", "number_range", "keywords"])
def test_a_blocking_flag_on_an_answer_check_is_ignored(kind):
    """Answer checks never block (a trainee could guess the answer for free); format checks do."""
    extra = {"regex": {"pattern": "^x$"}, "number_range": {"min": 1, "max": 2}, "keywords": {"keywords": ["x"]}}[kind]
    check = {"field": "a", "kind": kind, "blocking": True, "message": MSG, **extra}
    results = run_checks([{"name": "a", "type": "text"}], [check], {"a": "wrong 9"}, set())
    assert results[0].passed is False and results[0].blocking is False and not blocked(results)
    too_long = {"field": "a", "kind": "max_length", "value": {"zh_CN": 1, "en": 2}, "blocking": True, "message": MSG}
    assert blocked(run_checks([{"name": "a", "type": "text"}], [too_long], {"a": "wrong 9"}, set()))


@pytest.mark.parametrize("text", ["NaN", "nan", "inf", "-Infinity", "1e309", "1e3", "0x10", "12 元"])
def test_only_plain_finite_numbers_count_as_numbers(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(("text", "value"), [("12.5", 12.5), ("12,5", 12.5), ("85%", 85.0), (" -3 ", -3.0)])
def test_numbers_as_people_write_them_still_count(text, value):
    assert parse_number(text) == value
