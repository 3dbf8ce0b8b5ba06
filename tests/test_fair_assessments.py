"""Fair assessments: what a trainee reads of the rubric before and after grading, and
length limits that follow the language of the answer (courses/FORMAT.md)."""

import markupsafe
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Assessment, RubricCriterion, Submission, SubmissionState, Tier, User
from lms.models.base import utcnow
from lms.services import progress
from lms.services import submissions as submission_service
from tests.conftest import assessment_id, login
from tests.test_assessments import AI_TASK, GOOD_AI_ANSWERS, _grade, _submitted


def _texts(text: dict) -> list[str]:
    return [str(markupsafe.escape(text[locale])) for locale in ("zh_CN", "en")]


def _unlock_every_tier(app, trainee_id):
    """Passed attempts at every required foundation and advanced assessment."""
    with app.app_context():
        for code in ("foundation", "advanced"):
            tier = db.session.scalar(sa.select(Tier).where(Tier.code == code))
            for assessment in progress.required_assessments(tier):
                db.session.add(Submission(trainee_id=trainee_id, assessment_id=assessment.id, attempt_no=1,
                                          state=SubmissionState.GRADED, passed=True, score=100.0,
                                          submitted_at=utcnow(), answers={}, checks=[]))
        db.session.commit()


def test_trainee_reads_what_is_judged_and_no_level_descriptor_before_grading(app, trainee_with_mentors, client):
    trainee = trainee_with_mentors.trainee
    _unlock_every_tier(app, trainee.id)
    login(client, trainee)
    with app.app_context():
        assessments = db.session.scalars(sa.select(Assessment).order_by(Assessment.id)).all()
        rubrics = {a.id: [(c.title, c.judged, [lv["descriptor"] for lv in c.levels]) for c in a.criteria]
                   for a in assessments if a.group_work is None}  # the capstone: tests/test_capstone.py
    assert len(rubrics) == 25  # every individual assessment in the shipped catalogue, step 9's content included
    for locale in ("zh_CN", "en"):
        with app.app_context():
            db.session.get(User, trainee.id).locale = locale
            db.session.commit()
        for aid, criteria in rubrics.items():
            response = client.get(f"/me/assessments/{aid}")
            assert response.status_code == 200, aid
            html = response.get_data(as_text=True)
            for title, judged, descriptors in criteria:
                shown = 0 if locale == "zh_CN" else 1
                assert _texts(title)[shown] in html and _texts(judged)[shown] in html
                for descriptor in descriptors:
                    assert not any(text in html for text in _texts(descriptor)), (aid, descriptor)


def test_trainee_page_shows_each_criterion_with_competency_and_share(app, trainee_with_mentors, client):
    login(client, trainee_with_mentors.trainee)
    html = client.get(f"/me/assessments/{assessment_id(app, AI_TASK)}").get_data(as_text=True)
    criteria = html[html.index('id="criteria"'):]
    # weights 30/40/30 of takeover-and-defect-drill
    assert criteria.count("30% of the score") == 2 and criteria.count("40% of the score") == 1
    assert "Problem solving" in criteria and "Tool use" in criteria and "Communication" in criteria


def test_graded_attempt_shows_the_chosen_level_with_its_descriptor(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    points = {"defect-diagnosis": 3, "console-steps": 1, "customer-reply": 2}
    _grade(app, t.ai, sid, points)
    with app.app_context():
        criteria = db.session.scalars(sa.select(RubricCriterion).join(Assessment)
                                      .where(Assessment.code == AI_TASK)).all()
        chosen = {c.code: c.level_for(points[c.code])["descriptor"]["en"] for c in criteria}
        others = [lv["descriptor"]["en"] for c in criteria for lv in c.levels if lv["points"] != points[c.code]]
    login(client, t.trainee)
    html = client.get(f"/me/assessments/{assessment_id(app, AI_TASK)}").get_data(as_text=True)
    history = html[html.index('id="history"'):]
    for text in chosen.values():
        assert str(markupsafe.escape(text)) in history
    assert not any(str(markupsafe.escape(text)) in html for text in others)
    # Each criterion's result names its competency.
    results = history.split('class="criterion-result"')[1:]
    assert len(results) == len(criteria)
    assert all('class="badge text-bg-light border competency"' in r.split("</li>")[0] for r in results)
    assert "Problem solving" in history


def test_length_limit_follows_the_language_of_the_answer(app, trainee_with_mentors):
    """takeover-and-defect-drill: the customer reply may be 400 characters in Chinese, 1,500 in English."""
    english = "I am sorry: the toothbrush is not in the offer. We refund 50 yuan or cancel. " * 18
    assert 1300 < len(english) <= 1500
    results = {}
    for name, reply in (("english", english), ("chinese", "非常抱歉，差价50元原路退回，也可以取消订单。" * 18)):
        with app.app_context():
            user = db.session.get(User, trainee_with_mentors.trainee.id)
            assessment = db.session.get(Assessment, assessment_id(app, AI_TASK))
            draft = submission_service.open_draft(db.session, user, assessment)
            submission_service.save_draft(db.session, draft, {**GOOD_AI_ANSWERS, "customer_reply": reply}, {},
                                          app.config["UPLOAD_FOLDER"])
            checks = submission_service.submit(db.session, user, draft)
            results[name] = next(r.passed for r in checks if r.kind == "max_length")
            db.session.rollback()  # the next language starts from no draft
    assert results == {"english": True, "chinese": False}
