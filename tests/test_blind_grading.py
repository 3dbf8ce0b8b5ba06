"""Optional blind second grading for dual sign-off (program.yaml `blind_second_grading`)."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Program
from lms.services.catalog_sync import sync_catalog
from tests.conftest import login
from tests.test_assessments import BOTH_TASK, _all, _grade, _submitted
from tests.test_catalog_files import _edit, _problems, courses  # noqa: F401 (a fixture)


def _set_blind(app, value: bool) -> None:
    with app.app_context():
        db.session.scalar(sa.select(Program)).blind_second_grading = value
        db.session.commit()


def _first_grade_by_ai(app, t):
    sid = _submitted(app, t.trainee, BOTH_TASK)
    _grade(app, t.ai, sid, _all(3, BOTH_TASK), feedback="第一位导师的反馈 first opinion")
    return sid


def test_blind_is_off_by_default_and_the_second_mentor_sees_the_first_grade(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    with app.app_context():
        assert db.session.scalar(sa.select(Program)).blind_second_grading is False
    sid = _first_grade_by_ai(app, t)
    login(client, t.biz)
    html = client.get(f"/mentor/submissions/{sid}").get_data(as_text=True)
    assert "第一位导师的反馈 first opinion" in html and "100.0%" in html and 'id="blind-note"' not in html


def test_blind_hides_the_first_grade_until_the_second_mentor_saves(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    _set_blind(app, True)
    sid = _first_grade_by_ai(app, t)
    login(client, t.biz)
    html = client.get(f"/mentor/submissions/{sid}").get_data(as_text=True)
    grades = html[html.index('id="grades"'):]
    assert 'id="blind-note"' in grades
    assert "第一位导师的反馈 first opinion" not in html and "100.0%" not in grades
    _grade(app, t.biz, sid, _all(1, BOTH_TASK), feedback="第二位导师 second opinion")
    html = client.get(f"/mentor/submissions/{sid}").get_data(as_text=True)
    assert "第一位导师的反馈 first opinion" in html and "第二位导师 second opinion" in html
    assert 'id="blind-note"' not in html


def test_blind_does_not_hide_the_first_mentors_own_grade(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    _set_blind(app, True)
    sid = _first_grade_by_ai(app, t)
    login(client, t.ai)
    html = client.get(f"/mentor/submissions/{sid}").get_data(as_text=True)
    assert "第一位导师的反馈 first opinion" in html and 'id="blind-note"' not in html


@pytest.mark.parametrize("value", [True, False])
def test_program_yaml_setting_reaches_the_program(app, courses, value):  # noqa: F811
    _edit(courses / "program.yaml", lambda d: d.update(blind_second_grading=value))
    assert _problems(app, courses) == []
    with app.app_context():
        assert sync_catalog(db.session, str(courses)).ok
        db.session.commit()
        assert db.session.scalar(sa.select(Program)).blind_second_grading is value


def test_courses_check_refuses_a_non_boolean_setting(app, courses):  # noqa: F811
    _edit(courses / "program.yaml", lambda d: d.update(blind_second_grading="sometimes"))
    assert any(p.startswith("courses/program.yaml: blind_second_grading: ") for p in _problems(app, courses))
