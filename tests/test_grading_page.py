"""The mentor's grading page: live total data, save and grade next, competency legends, earlier attempts."""

import re

from lms.extensions import db
from lms.models import Assessment, Submission
from lms.services import grading
from tests.conftest import login
from tests.test_assessments import AI_TASK, BIZ_TASK, GOOD_AI_ANSWERS, _all, _grade, _submitted


def _form(client, sid, level=3, **extra):
    page = client.get(f"/mentor/submissions/{sid}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = {"version": version, "feedback": "很好 good", **extra}
    data.update({f"c_{code}": str(level) for code in _all(level, AI_TASK)})
    return data


def test_each_criterion_legend_names_its_competency_and_carries_the_weights(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    login(client, t.ai)
    html = client.get(f"/mentor/submissions/{sid}").get_data(as_text=True)
    legends = re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.S)
    with app.app_context():
        assessment = db.session.get(Submission, sid).assessment
        criteria = [c for c in assessment.criteria if c.archived_at is None]
        names = {"data_processing": "Data processing", "problem_solving": "Problem solving",
                 "tool_use": "Tool use", "communication": "Communication"}
        assert len(legends) == len(criteria)
        for legend, criterion in zip(legends, criteria, strict=True):
            assert names[criterion.competency.value] in legend
            assert (f'data-weight="{criterion.weight}" data-max-points="{criterion.max_points}"') in html
        assert f'data-pass-mark="{assessment.pass_mark}"' in html
    assert 'id="live-total"' in html and "grading.js" in html


def test_save_and_grade_next_opens_the_next_waiting_submission(app, trainee_with_mentors, make_cohort, client):
    t = trainee_with_mentors
    first = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    # a second trainee of the same ai mentor, submitted later
    from lms.models import Cohort, Enrollment, User
    from lms.services import mentoring
    cohort_id, (enrollment_id,) = make_cohort(trainees=1)
    with app.app_context():
        mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        db.session.commit()
        other = db.session.get(Enrollment, enrollment_id).trainee
        assert db.session.get(User, t.ai.id).id in [a.mentor_id for a in db.session.get(Enrollment, enrollment_id)
                                                    .assignments]
        db.session.expunge(other)
    second = _submitted(app, other, AI_TASK, GOOD_AI_ANSWERS)
    login(client, t.ai)
    response = client.post_form(f"/mentor/submissions/{first}", {**_form(client, first), "submit_next": "1"})
    assert response.status_code == 302 and response.location.endswith(f"/mentor/submissions/{second}")
    response = client.post_form(f"/mentor/submissions/{second}", {**_form(client, second), "submit_next": "1"})
    assert response.status_code == 302 and response.location.endswith("/mentor/queue")  # none left
    with app.app_context():
        assert all(db.session.get(Submission, s).passed for s in (first, second))


def test_plain_save_still_returns_to_the_queue(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    first = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    _submitted(app, t.trainee, BIZ_TASK)
    login(client, t.ai)
    response = client.post_form(f"/mentor/submissions/{first}", {**_form(client, first), "submit": "1"})
    assert response.location.endswith("/mentor/queue")


def test_retake_shows_the_earlier_attempt_answers_and_feedback(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    first = _submitted(app, t.trainee, AI_TASK, {**GOOD_AI_ANSWERS, "defect_record": "第一次的记录 first try"})
    _grade(app, t.ai, first, _all(0, AI_TASK), feedback="请补充步骤 add the steps")
    retake = _submitted(app, t.trainee, AI_TASK, {**GOOD_AI_ANSWERS, "defect_record": "第二次 second try"})
    login(client, t.ai)
    html = client.get(f"/mentor/submissions/{retake}").get_data(as_text=True)
    assert "第二次 second try" in html
    earlier = html[html.index('id="attempt-1"'):]
    assert "第一次的记录 first try" in earlier and "请补充步骤 add the steps" in earlier


def test_live_total_rule_matches_the_server(app, catalog):
    """grading.js reads weight and max points per criterion; check the same formula on a real rubric."""
    with app.app_context():
        import sqlalchemy as sa
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.code == AI_TASK))
        live = [c for c in assessment.criteria if c.archived_at is None]
        points = {c.code: c.levels[1]["points"] for c in live}
        js_rule = round(1000 * sum(c.weight * points[c.code] / c.max_points for c in live)
                        / sum(c.weight for c in live)) / 10
        assert js_rule == grading.weighted_score(assessment.criteria, points)
