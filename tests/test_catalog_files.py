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
