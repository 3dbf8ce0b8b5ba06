"""A retake in a real browser, once in each language. The training journey itself (read,
submit, auto-check feedback, dual sign-off, next tier) is part of test_program_journey.py."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lms.extensions import db
from lms.models import Assessment, Cohort, Enrollment, User
from lms.services import grading, mentoring
from lms.services import people as people_service
from lms.services import submissions as submission_service
from tests.conftest import PASSWORD
from tests.e2e.helpers import LOCALES, Person, pass_tier

TASK = "compliance-review-drill"  # foundation, dual sign-off, optional PDF/PNG upload
RETAKE_TASK = "takeover-and-defect-drill"  # graded by the AI mentor alone


def _setup(app, make_cohort, make_user, skip=(TASK,)):
    """A trainee who passed every required foundation assessment but those in `skip`, with both mentors."""
    ai = make_user("mentor", mentor_kind="ai", name="AI 导师")
    biz = make_user("mentor", mentor_kind="business", name="业务导师")
    cohort_id, (enrollment_id,) = make_cohort(trainees=1)
    with app.app_context():
        mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        trainee = db.session.get(Enrollment, enrollment_id).trainee
        people_service.set_password(db.session, None, trainee, PASSWORD, app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
        email = trainee.email
        task_id = db.session.scalar(sa.select(Assessment.id).where(Assessment.code == TASK))
    pass_tier(app, email, "foundation", skip)
    return email, ai.email, biz.email, task_id


@pytest.mark.parametrize("locale", LOCALES)
def test_retake_opens_with_the_last_answers(app, live_server, browser, make_cohort, make_user, locale):
    """A failed attempt: the retake form holds its answers; the trainee changes one and submits."""
    trainee_email, ai_email, _biz, _task = _setup(app, make_cohort, make_user, skip=(TASK, RETAKE_TASK))
    answers = {"order_id": "T202611110532", "defect_type": "wrong_answer", "defect_record": "回答错了满减。",
               "customer_reply": "活动以页面为准。", "tags": "活动"}
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.code == RETAKE_TASK))
        trainee = db.session.scalar(sa.select(User).where(User.email == trainee_email))
        first, _results = submission_service.save_attempt(db.session, trainee, assessment, answers, {},
                                                          app.config["UPLOAD_FOLDER"], submit=True)
        db.session.flush()
        mentor = db.session.scalar(sa.select(User).where(User.email == ai_email))
        grading.grade(db.session, mentor, first, first.version, {c.code: 0 for c in assessment.criteria}, "再试 retry")
        db.session.commit()
        retake_id = assessment.id
    trainee = Person(browser, live_server, trainee_email, locale)
    page = trainee.page
    page.goto(f"{live_server}/me/assessments/{retake_id}")
    assert page.input_value("input[name=f_order_id]") == "T202611110532"
    assert page.input_value("textarea[name=f_customer_reply]") == "活动以页面为准。"
    assert page.locator("input[name=f_defect_type][value=wrong_answer]").is_checked()
    assert "400" in page.locator("#count-customer_reply").inner_text()  # Chinese limit while typing Chinese
    page.fill("textarea[name=f_customer_reply]", "So sorry: we refund the 50 yuan difference, or you may cancel.")
    assert "1500" in page.locator("#count-customer_reply").inner_text()  # the English limit for English
    page.fill("textarea[name=f_customer_reply]", "非常抱歉，差价50元原路退回，也可以取消订单。")
    page.click("button[name=action][value=submit]")
    expect(page.locator("#result .alert-info")).to_have_count(1)  # waits for the reply (a busy CI machine)
    assert page.locator("#history .answers", has_text="差价50元").count() == 1
    assert trainee.close() == []
