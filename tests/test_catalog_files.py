"""Validation of course files: every problem named as `file: field: problem`."""

import shutil
from pathlib import Path

import pytest
import yaml
from flask_babel import force_locale

from lms.services.catalog_files import load_catalog
from tests.conftest import COURSES_DIR

COURSE = "foundation/agent-operations/agent-console-basics"


@pytest.fixture
def courses(tmp_path) -> Path:
    """A writable copy of the shipped catalogue."""
    target = tmp_path / "courses"
    shutil.copytree(COURSES_DIR, target)
    return target


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _problems(app, root) -> list[str]:
    with app.app_context(), force_locale("en"):
        spec, problems = load_catalog(root)
    return [str(p) for p in problems]


def test_shipped_catalogue_is_valid(app):
    assert _problems(app, COURSES_DIR) == []


def test_cli_check_passes_on_the_shipped_catalogue(app):
    result = app.test_cli_runner().invoke(args=["lms", "courses", "check"])
    assert result.exit_code == 0, result.output
    assert "3 tiers" in result.output


def test_cli_check_names_file_and_field_of_a_broken_field(app, courses):
    _edit(courses / COURSE / "course.yaml", lambda d: d["assessments"][0].update(grader="robot"))
    result = app.test_cli_runner().invoke(args=["lms", "courses", "check", str(courses)])
    assert result.exit_code == 1
    assert f"courses/{COURSE}/course.yaml: assessments[0].grader: " in result.output
    assert "Traceback" not in result.output


def test_yaml_syntax_error_names_file_and_line(app, courses):
    path = courses / "foundation" / "tier.yaml"
    path.write_text("code: foundation\norder: 1\ntitle: {zh_CN: 基础层, en: [unclosed\n", encoding="utf-8")
    problems = _problems(app, courses)
    assert len(problems) == 1
    assert problems[0].startswith("courses/foundation/tier.yaml: line 4: ")


def test_missing_translation_and_unknown_key(app, courses):
    def change(d):
        d["lessons"][0]["title"].pop("en")
        d["colour"] = "blue"

    _edit(courses / COURSE / "course.yaml", change)
    problems = _problems(app, courses)
    assert f"courses/{COURSE}/course.yaml: lessons[0].title.en: is missing or empty" in problems
    assert any(p.startswith(f"courses/{COURSE}/course.yaml: colour: ") for p in problems)


def test_bad_rubric_and_check_fields(app, courses):
    def change(d):
        a = d["assessments"][0]
        a["rubric"][0]["competency"] = "charisma"
        a["rubric"][1]["levels"][0]["points"] = 5
        a["checks"] = [{"field": "nope", "kind": "regex", "pattern": "([", "message": {"zh_CN": "x", "en": "x"}}]

    _edit(courses / COURSE / "course.yaml", change)
    fields = {p.split(": ")[1] for p in _problems(app, courses)}
    assert {"assessments[0].rubric[0].competency", "assessments[0].rubric[1].levels",
            "assessments[0].checks[0].field", "assessments[0].checks[0].pattern"} <= fields


def test_unquoted_yes_no_choice_is_refused(app, courses):
    def change(d):
        d["assessments"][0]["fields"] = [{
            "name": "ok", "type": "choice", "label": {"zh_CN": "是否", "en": "OK?"},
            "choices": [{"value": True, "label": {"zh_CN": "是", "en": "yes"}},
                        {"value": "b", "label": {"zh_CN": "否", "en": "no"}}],
        }]
        d["assessments"][0]["checks"] = []

    _edit(courses / COURSE / "course.yaml", change)
    assert any("fields[0].choices[0].value" in p for p in _problems(app, courses))


def test_missing_lesson_body_and_stray_file(app, courses):
    lessons = courses / COURSE / "lessons"
    first = sorted(lessons.glob("*.en.md"))[0]
    first.rename(lessons / "stray.en.md")
    problems = _problems(app, courses)
    assert any("is missing" in p and p.startswith(f"courses/{COURSE}/course.yaml: lessons[") for p in problems)
    assert f"courses/{COURSE}/lessons/stray.en.md: file: is not a listed lesson in course.yaml" in problems


def test_schedule_must_cover_every_track_and_roles_unlock_in_order(app, courses):
    def change(d):
        d["schedule"] = d["schedule"][1:]
        d["roles"]["collab_cs"]["tiers"] = ["advanced"]

    _edit(courses / "program.yaml", change)
    problems = _problems(app, courses)
    assert "courses/program.yaml: schedule: track foundation/agent-operations is not scheduled" in problems
    assert any(p.startswith("courses/program.yaml: roles.collab_cs.tiers: ") for p in problems)


def test_course_folder_not_listed_in_track(app, courses):
    track = courses / "foundation" / "agent-operations"
    _edit(track / "track.yaml", lambda d: d["courses"].pop())
    problems = _problems(app, courses)
    assert any(p.startswith("courses/foundation/agent-operations/track.yaml: courses: folder ") for p in problems)


def test_missing_folder(app, tmp_path):
    assert _problems(app, tmp_path / "nowhere")[0].endswith("folder: does not exist")


# --- answers stay hidden (courses/FORMAT.md) -------------------------------------------

RISK = "expert/risk-governance/risk-boundaries"  # regular_limit: number_range 9.5–10.5
PROMO = "advanced/answer-quality/misleading-answers-sku-promo"  # correct_amount 287.5–288.5


def _where(problems, course):
    return {p.split(": ")[1]: p for p in problems if p.startswith(f"courses/{course}/course.yaml: ")}


def test_judged_text_showing_a_numeric_answer_is_caught(app, courses):
    _edit(courses / RISK / "course.yaml",
          lambda d: d["assessments"][0]["rubric"][0]["judged"].update(en="Regular 10 CNY, Gold 20 CNY."))
    found = _where(_problems(app, courses), RISK)
    assert found == {"assessments[0].rubric[0].judged.en": (
        f"courses/{RISK}/course.yaml: assessments[0].rubric[0].judged.en: "
        "shows 10, an expected answer of checks[0], to trainees")}


def test_descriptor_below_the_top_level_may_not_hold_the_answer_but_the_top_may(app, courses):
    def change(d):
        levels = d["assessments"][0]["rubric"][0]["levels"]
        levels[1]["descriptor"]["zh_CN"] = "方法对，但结果不是 288 元。"
        levels[-1]["descriptor"]["zh_CN"] = "金额 288 元正确。"

    _edit(courses / PROMO / "course.yaml", change)
    found = _where(_problems(app, courses), PROMO)
    assert set(found) == {"assessments[0].rubric[0].levels[1].descriptor.zh_CN"}


def test_keyword_and_literal_regex_answers_are_caught_unless_the_brief_gives_them(app, courses):
    def change(d):
        a = d["assessments"][0]
        a["checks"].append({"field": "promo_id", "kind": "regex", "pattern": "^PROMO-D11-0342$",
                            "message": {"zh_CN": "活动ID不对。", "en": "Wrong promotion ID."}})
        a["checks"].append({"field": "impact_and_action", "kind": "keywords", "keywords": ["DEF-4411", "退款|refund"],
                            "blocking": False, "message": {"zh_CN": "写明缺陷单号。", "en": "Name the defect."}})
        a["fields"][1]["help"] = {"zh_CN": "例如 PROMO-D11-0342", "en": "e.g. PROMO-D11-0342"}
        a["rubric"][2]["judged"]["en"] = "Whether the report links DEF-4411 and mentions refunds."

    _edit(courses / PROMO / "course.yaml", change)
    found = _where(_problems(app, courses), PROMO)
    # PROMO-D11-0342 is in the brief (case data to copy); DEF-4411 is not; "refund" has no digit.
    assert set(found) == {"assessments[0].rubric[2].judged.en"}
    assert "shows DEF-4411, an expected answer of checks[4]" in found["assessments[0].rubric[2].judged.en"]


def test_not_answers_phrases_are_skipped_and_nothing_else(app, courses):
    course = "advanced/conversation-data/transfer-threshold-tuning"  # expects 11 wrong answers a day
    _edit(courses / course / "course.yaml", lambda d: d["assessments"][0].pop("not_answers"))
    assert set(_where(_problems(app, courses), course)) == {"assessments[0].brief.zh_CN",
                                                             "assessments[0].brief.en"}


def test_numbers_inside_ids_dates_times_and_list_markers_are_not_answers():
    from lms.services.catalog_leaks import numbers_in

    text = "1. 订单 T202611050012、SKU-88231，2026-11-20 9:00 前，1.7L 水壶\n2. 上限 10元，共 36,000元，占 75%。"
    assert numbers_in(text) == [10.0, 36000.0, 75.0]


def test_wide_ranges_pin_no_answer(app, courses):
    def change(d):
        check = d["assessments"][0]["checks"][0]
        check["min"], check["max"] = 1, 100
        d["assessments"][0]["rubric"][0]["judged"]["en"] = "Between 1 and 100, e.g. 10."

    _edit(courses / RISK / "course.yaml", change)
    assert _where(_problems(app, courses), RISK) == {}


# --- length limits per language ------------------------------------------------------------

def test_length_limit_needs_a_value_per_language_and_english_above_chinese(app, courses):
    def change(d):
        checks = d["assessments"][0]["checks"]
        checks[1]["value"] = {"zh_CN": 400, "en": 400}  # customer_reply max_length
        checks.append({"field": "defect_record", "kind": "min_length", "value": 60,
                       "message": {"zh_CN": "太短。", "en": "Too short."}})

    _edit(courses / COURSE / "course.yaml", change)
    found = _where(_problems(app, courses), COURSE)
    assert "must be at least twice the Chinese limit" in found["assessments[0].checks[1].value.en"]
    assert found["assessments[0].checks[3].value"].endswith("needs one limit per language (zh_CN and en)")


def test_criterion_needs_a_judged_text(app, courses):
    _edit(courses / COURSE / "course.yaml", lambda d: d["assessments"][0]["rubric"][0].pop("judged"))
    assert "assessments[0].rubric[0].judged" in _where(_problems(app, courses), COURSE)


# --- facts.yaml: one product per SKU, one set of products per order id ------------------------

def _append(path: Path, line: str) -> int:
    """Add a paragraph to a lesson; returns its line number."""
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + line + "\n"
    path.write_text(text, encoding="utf-8")
    return text.count("\n")


LESSON = f"{COURSE}/lessons/logging-agent-defects.zh_CN.md"


def test_sku_called_another_product_is_caught(app, courses):
    n = _append(courses / LESSON, "顾客问：`SKU-88231` 这款空气炸锅能放锡纸吗？")
    assert _problems(app, courses) == [
        f"courses/{LESSON}: line {n}: SKU-88231 is 电热水壶 1.7L / electric kettle 1.7 L in facts.yaml, "
        "but this line calls it 空气炸锅"]


def test_order_id_reused_for_another_product_is_caught(app, courses):
    first = _append(courses / LESSON, "顾客：订单 T202611050012 里的奶瓶消毒器 SKU-66102 坏了。")
    second = _append(courses / LESSON, "Customer: the stroller in order T202611050012 broke.")
    problems = _problems(app, courses)
    assert len(problems) == 2
    assert problems[0].startswith(f"courses/{LESSON}: line {first}: T202611050012 is SKU-50217 (")
    assert problems[0].endswith("but this line calls it SKU-66102")
    assert problems[1].startswith(f"courses/{LESSON}: line {second}: T202611050012 is SKU-50217 (")
    assert problems[1].endswith("but this line calls it stroller")


def test_undeclared_ids_are_caught_and_the_same_product_passes(app, courses):
    n = _append(courses / LESSON, "订单 T202611990001 的 SKU-99999 和 SKU-88231 电热水壶。")
    assert _problems(app, courses) == [
        f"courses/{LESSON}: line {n}: SKU-99999 is not declared in facts.yaml",
        f"courses/{LESSON}: line {n}: T202611990001 is not declared in facts.yaml"]


def test_facts_file_entries_are_checked(app, courses):
    path = courses / "facts.yaml"
    _edit(path, lambda d: (d["orders"].update({"T202611050012": "SKU-00000"}),
                           d["products"].update({"kettle": {"names": ["x"]}})))
    problems = _problems(app, courses)
    assert "courses/facts.yaml: orders.T202611050012: must name declared products, or none" in problems
    assert any(p.startswith("courses/facts.yaml: products.kettle: must look like") for p in problems)
