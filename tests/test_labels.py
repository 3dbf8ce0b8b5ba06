"""Codes reach people as words: messages built in Python and forms, in zh_CN."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from markupsafe import escape

from lms import labels
from lms.extensions import db
from lms.models import Grade
from lms.services import grading
from tests.conftest import login
from tests.demo_data import load_demo


def test_mentor_kind_label_in_both_languages(app_ctx):
    with force_locale("zh_CN"):
        assert labels.mentor_kind("ai") == "AI导师"
        assert labels.mentor_kind("business") == "业务导师"
    with force_locale("en"):
        assert labels.mentor_kind("business") == "Business mentor"


def test_a_second_grade_conflict_names_the_mentor_kind_in_words(app):
    load_demo(app)
    with app.test_request_context(), force_locale("zh_CN"):
        grade = db.session.scalars(sa.select(Grade).where(Grade.kind == "ai", Grade.current)).first()
        submission, mentor = grade.submission, grade.mentor
        points = {c.code: c.max_points for c in submission.assessment.criteria}
        with pytest.raises(grading.GradeConflict) as raised:
            grading.grade(db.session, mentor, submission, submission.version, points, "再评一次")
        message = str(raised.value.message)
        db.session.rollback()
    assert "AI" in message and " ai " not in f" {message} " and "mentor" not in message


def test_auto_assign_warning_names_the_missing_kinds_in_words(app, make_cohort, make_user, client):
    cohort_id, _ = make_cohort(trainees=1)  # no mentors exist: both kinds are missing
    login(client, make_user("admin", locale="zh_CN"))
    html = client.post_form(f"/admin/cohorts/{cohort_id}/auto-assign", follow_redirects=True).get_data(as_text=True)
    assert "没有可分配的业务导师" in html and "没有可分配的AI导师" in html  # no mentor at all, not a capacity problem
    assert "business" not in html


def test_cohort_name_is_名称_not_a_persons_name(catalog, make_user, client):
    login(client, make_user("admin", locale="zh_CN"))
    html = client.get("/admin/cohorts/new").get_data(as_text=True)
    assert "批次名称" in html and "姓名" not in html


def test_csv_enrollment_error_names_the_role_in_words(make_cohort, make_user, client):
    import io

    cohort_id, _ = make_cohort(trainees=0)
    mentor = make_user("mentor")
    login(client, make_user("admin", locale="zh_CN"))
    csv = f"email,name,target_role,source_role\n{mentor.email},导师,collab_cs,\n"
    response = client.post_form(f"/admin/cohorts/{cohort_id}/import",
                                {"file": (io.BytesIO(csv.encode()), "roster.csv")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "属于导师账号，不是学员" in html


def test_a_target_role_the_program_does_not_describe_shows_its_name_not_its_code(app_ctx):
    from types import SimpleNamespace

    from flask import render_template_string
    from flask_babel import force_locale

    program = SimpleNamespace(roles={})
    with force_locale("zh_CN"):
        source = '{{ label.target_role(p, "collab_cs") }}'
        html = render_template_string(source, p=program)
    assert html.strip() == "人机协同客服"


LABELS = {  # what the old per-call dict macros printed, in both languages
    "en": {("role", "mentor"): "Mentor", ("mentor_kind", "ai"): "AI mentor", ("mentor_kind", None): "",
           ("phase", "buffer"): "Buffer period", ("source_role", "basic_cs"): "Basic customer service",
           ("source_role", None): "—", ("field_type", "textarea"): "Long text",
           ("check_kind", "max_length"): "Length limit", ("target_role", "ai_trainer"): "AI trainer"},
    "zh_CN": {("role", "mentor"): "导师", ("mentor_kind", "ai"): "AI导师", ("mentor_kind", None): "",
              ("phase", "buffer"): "人机协同缓冲期", ("source_role", "basic_cs"): "基础客服",
              ("source_role", None): "—", ("field_type", "textarea"): "长文本",
              ("check_kind", "max_length"): "长度上限", ("target_role", "ai_trainer"): "AI训练师"},
}


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_labels_show_the_same_words_as_before_in_both_languages(app_ctx, locale):
    from types import SimpleNamespace

    from flask import render_template_string
    from flask_babel import force_locale

    program = SimpleNamespace(roles={})
    with force_locale(locale):
        for (name, code), expected in LABELS[locale].items():
            args = (program, code) if name == "target_role" else (code,)
            assert getattr(labels, name)(*args) == expected, (name, code)
            html = render_template_string("{{ label[name](*args) }}", name=name, args=args)
            assert html == str(escape(expected))
        assert labels.week(3, 13) == {"en": "Week 3 of 13", "zh_CN": "第 3 周 / 共 13 周"}[locale]
        assert labels.week(-1, 13, 2) == {"en": "starts in 2 days", "zh_CN": "2 天后开始"}[locale]
        assert 'class="badge text-bg-success"' in labels.phase_badge("buffer")


def test_template_translations_follow_a_forced_locale_and_come_back(app_ctx):
    """The per-request catalogue is checked against the locale, so mail in another language works."""
    from flask import render_template_string
    from flask_babel import force_locale

    with force_locale("en"):
        assert render_template_string("{{ _('Mentor') }}") == "Mentor"
        with force_locale("zh_CN"):
            assert render_template_string("{{ _('Mentor') }}") == "导师"
        assert render_template_string("{{ _('Mentor') }}") == "Mentor"
