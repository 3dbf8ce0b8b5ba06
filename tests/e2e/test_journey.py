"""The training journey in a real browser, once in each language: a trainee reads a
lesson and submits an assessment with a file (seeing the auto-check feedback
first), the AI and the business mentor grade it, and the trainee sees the result
and the next tier unlocked. Any browser console error fails the test."""

import io

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lms.extensions import db
from lms.models import Assessment, Cohort, Enrollment, SubmissionState, Tier, User
from lms.services import grading, mentoring, progress
from lms.services import people as people_service
from lms.services import submissions as submission_service
from lms.services.demo_answers import DEMO_ANSWERS, STRONG
from lms.services.uploads import store_upload
from tests.conftest import PASSWORD

TASK = "compliance-review-drill"  # foundation, dual sign-off, optional PDF/PNG upload
RETAKE_TASK = "takeover-and-defect-drill"  # graded by the AI mentor alone
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _setup(app, make_cohort, make_user, skip=(TASK,)):
    """A trainee who passed every required foundation assessment but those in `skip`, with both mentors."""
    ai = make_user("mentor", mentor_kind="ai", name="AI 导师")
    biz = make_user("mentor", mentor_kind="business", name="业务导师")
    cohort_id, (enrollment_id,) = make_cohort(trainees=1)
    with app.app_context():
        mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        trainee = db.session.get(Enrollment, enrollment_id).trainee
        people_service.set_password(db.session, None, trainee, PASSWORD, app.config["PASSWORD_HASH_METHOD"])
        foundation = db.session.scalar(sa.select(Tier).where(Tier.code == "foundation"))
        for assessment in progress.required_assessments(foundation):
            if assessment.code in skip:
                continue
            folder = app.config["UPLOAD_FOLDER"]
            files = {f["name"]: store_upload(folder, io.BytesIO(b"a,b\n1,2\n"), "data.csv", [".csv"])
                     for f in assessment.fields if f["type"] == "file" and f.get("required")}
            draft, _results = submission_service.save_attempt(
                db.session, trainee, assessment, DEMO_ANSWERS[assessment.code][STRONG], files,
                app.config["UPLOAD_FOLDER"], submit=True)
            assert draft.state == SubmissionState.SUBMITTED
            for kind in submission_service.grader_kinds(assessment.grader):
                mentor = db.session.get(User, ai.id if kind == "ai" else biz.id)
                grading.grade(db.session, mentor, draft, draft.version,
                              {c.code: c.max_points for c in assessment.criteria}, "好 good")
                db.session.refresh(draft)
        db.session.commit()
        task_id = db.session.scalar(sa.select(Assessment.id).where(Assessment.code == TASK))
        return trainee.email, ai.email, biz.email, task_id


class Watch:
    """Collects console errors and uncaught page errors."""

    def __init__(self, page):
        self.errors = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


def _login(page, base, email, locale):
    page.goto(f"{base}/auth/login")
    page.click(f"button[name=locale][value={locale}]")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/auth/login" not in url)


def _grade(browser, base, email, locale, task_id):
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page)
    _login(page, base, email, locale)
    page.goto(f"{base}/mentor/queue")
    page.click("#queue a.btn")
    for group in page.locator("#grade-form fieldset").all():
        group.locator("input[type=radio]").last.check()  # the top level of every criterion
    page.fill("textarea[name=feedback]", "清楚、合规。Clear and compliant.")
    page.click("#grade-form input[type=submit]")
    page.wait_for_url(f"{base}/mentor/queue")
    assert page.locator(".alert-success").count() == 1
    context.close()
    return watch.errors


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_training_journey(app, live_server, browser, make_cohort, make_user, locale):
    base = live_server
    trainee, ai, biz, task_id = _setup(app, make_cohort, make_user)
    unlocked = {"zh_CN": "已解锁", "en": "Unlocked"}[locale]

    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page)
    _login(page, base, trainee, locale)
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if locale == "zh_CN" else "en")

    # Read a lesson and mark it complete.
    page.goto(f"{base}/me/catalog")
    assert page.locator(f"text={unlocked}").count() == 1  # only foundation so far
    page.locator("#tier-foundation ol a").first.click()
    page.click("button[name=done][value='1']")
    page.goto(f"{base}/me/catalog")
    assert page.locator("text=✓").count() >= 1

    # Submit the assessment: a too-long rewrite first (blocking auto-check), then fixed.
    page.goto(f"{base}/me/assessments/{task_id}")
    page.locator("input[name=f_compliant_draft]").first.check()
    page.fill("textarea[name=f_violations]", "草稿A用了绝对化用语；草稿C承诺功效。Absolute claims; efficacy promise.")
    page.fill("textarea[name=f_rewrite_draft_1]", "太长" * 200)
    page.fill("textarea[name=f_rewrite_draft_2]", "为保护其他客户隐私，无法提供。We protect privacy.")
    page.set_input_files("input[name=f_rule_evidence]", files=[
        {"name": "规则截图.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    assert "300" in page.locator("#count-rewrite_draft_1").inner_text()  # the live counter, Chinese limit
    page.click("button[name=action][value=submit]")
    expect(page.locator("#auto-checks .badge.text-bg-danger")).to_have_count(1)  # waits for the reply
    assert page.locator("#auto-checks a[href='#f_rewrite_draft_1']").count() == 1
    assert page.locator("textarea#f_rewrite_draft_1.is-invalid").count() == 1
    page.fill("textarea[name=f_rewrite_draft_1]", "亲，本商品支持价保，降价可申请差价。Price protection applies.")
    page.click("button[name=action][value=submit]")
    expect(page.locator("#result .alert-info")).to_have_count(1)  # waits for the reply (a busy CI machine)
    assert page.locator("#history a", has_text="规则截图.pdf").count() == 1
    assert page.locator("#history .answers", has_text="亲，本商品支持价保").count() == 1  # what they handed in

    # Both mentors grade it (dual sign-off).
    errors = _grade(browser, base, ai, locale, task_id)
    errors += _grade(browser, base, biz, locale, task_id)

    # The trainee sees the result and the advanced tier unlocked.
    page.goto(f"{base}/me/assessments/{task_id}")
    assert page.locator("#result .alert-success").count() == 1
    # The feedback explains itself: per criterion the chosen (top) level's descriptor and the competency.
    with app.app_context():
        top = [max(c.levels, key=lambda lv: lv["points"])["descriptor"]["en" if locale == "en" else "zh_CN"]
               for c in db.session.get(Assessment, task_id).criteria if c.archived_at is None]
    for text in top:
        assert page.locator("#history .level-descriptor", has_text=text[:30]).count() == 2  # both mentors
    assert page.locator("#history .criterion-result .competency").count() == 2 * len(top)
    page.goto(f"{base}/me/catalog")
    assert page.locator(f"text={unlocked}").count() == 2
    assert page.locator("#unread-count").count() == 1
    context.close()
    assert watch.errors + errors == []


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
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
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page)
    _login(page, live_server, trainee_email, locale)
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
    context.close()
    assert watch.errors == []
