"""The whole program in a real browser, once in each language, every step through the pages a
person uses: the admin creates a cohort and imports it from an Excel-style CSV (GB18030 in
Chinese, UTF-8 with a BOM in English; Chinese headings and job titles) and hands out the
invitation links; a trainee accepts, reads a lesson, submits an assessment, sees the
auto-check feedback, fixes it and submits again; both mentors grade it (dual sign-off) and the
advanced tier unlocks; the admin is refused placement until the advanced tier is passed, then
places the trainee with an agent; the coach logs a check-in on a phone; the trainee logs a
defect on a phone (masked on save); the reviewer triages, fixes and verifies it; three weeks
later the reviewer measures the contribution and the admin approves the award and sees it, then
reads the cohort's dashboard, its gradebook (a cell opens the graded work), the trainee's dossier
and the report across cohorts.

Any console error or failed request fails the test. Each step leaves a screenshot in
`artifacts/journeys/<locale>/` (LMS_ARTIFACTS moves it) and axe-core checks that page."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from playwright.sync_api import expect

from lms.extensions import db
from lms.models import Assessment, Contribution, Enrollment, MentorAssignment, User
from lms.services import placement as placement_service
from lms.services.clock import today_in
from tests.conftest import PASSWORD
from tests.e2e.helpers import LOCALES, PHONE, Person, Steps, pass_tier

TASK = "compliance-review-drill"  # foundation, dual sign-off, optional PDF/PNG upload
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW_PASSWORD = "lantern-river-7731"
# What HR exports from Excel: Chinese headings, names and job titles (售前客服 and 订单专员
# are synonyms of the source roles, 人机协同客服 the target role's Chinese title).
COHORT_CSV = ("邮箱,姓名,目标岗位,原岗位\r\n"
              "zhou.xin@example.com,周欣,人机协同客服,售前客服\r\n"
              "wu.lei@example.com,吴磊,人机协同客服,订单专员\r\n")
TRAINEE, TRAINEE_NAME = "zhou.xin@example.com", "周欣"
ENCODINGS = {"zh_CN": "gb18030", "en": "utf-8-sig"}  # Excel's "CSV" in China; "CSV UTF-8" elsewhere
TEXT = {
    "zh_CN": {"unlocked": "已解锁", "refused": "无法上岗", "tier": "进阶层", "qualifies": "符合条件"},
    "en": {"unlocked": "Unlocked", "refused": "Not placed", "tier": "Advanced", "qualifies": "qualifies"},
}


def _staff(app, make_user):
    """The people and the agent there before the program: admin, two mentors, a reviewer."""
    admin = make_user("admin", email="admin@example.com", name="王敏", password=PASSWORD)
    make_user("mentor", email="ai@example.com", mentor_kind="ai", name="李思远")
    make_user("mentor", email="biz@example.com", mentor_kind="business", name="陈静")
    make_user("mentor", email="ops@example.com", mentor_kind="ai", name="王磊", reviewer=True)
    with app.app_context():
        placement_service.create_agent(db.session, None, {
            "code": "qianniu-cs-01", "name": "小蜜售前助手", "platform": "千牛", "version": "v3.2",
            "owner_team": "智能客服组"})
        db.session.commit()
    return admin


def _mentors_of(app, email: str) -> dict[str, str]:
    """The trainee's mentors as auto-assign chose them: kind → email."""
    with app.app_context():
        enrollment = db.session.scalar(sa.select(Enrollment).join(User, Enrollment.trainee_id == User.id)
                                       .where(User.email == email))
        return {a.kind.value: a.mentor.email for a in db.session.scalars(sa.select(MentorAssignment).where(
            MentorAssignment.enrollment_id == enrollment.id, MentorAssignment.ended_at.is_(None)))}


def _import_cohort(admin: Person, steps: Steps, locale: str, tmp_path) -> int:
    page = admin.page
    page.click("nav a[href='/admin/cohorts']")
    page.click("a[href='/admin/cohorts/new']")
    page.fill("input[name=code]", f"HZ-{locale}")
    page.fill("input[name=name]", "杭州客服转型一期")
    page.fill("input[name=start_date]", today_in("Asia/Shanghai").isoformat())
    steps.shot(page, "admin-creates-cohort")
    page.click("form input[type=submit]")
    page.wait_for_url(lambda url: "/admin/cohorts/" in url and not url.endswith("/new"))
    cohort_id = int(page.url.rsplit("/", 1)[1])
    csv = tmp_path / "名单.csv"
    csv.write_bytes(COHORT_CSV.encode(ENCODINGS[locale]))
    page.set_input_files("input[name=file]", str(csv))
    page.click("form[enctype='multipart/form-data'] input[type=submit]")
    if locale == "zh_CN":  # not UTF-8: the rows as they will be stored, and the admin confirms
        expect(page.locator("#import-preview")).to_contain_text("GB18030")
        assert page.locator("#import-preview td", has_text="周欣").count() == 1
        steps.shot(page, "admin-previews-gb18030")
        page.click("#import-preview input[name='confirm-submit']")
    page.wait_for_url(lambda url: "/admin/invitations" in url)
    assert page.locator(".alert-success").count() == 1
    steps.shot(page, "admin-gets-invitation-links")
    return cohort_id


def _accept_invitation(admin: Person, trainee: Person, steps: Steps, locale: str) -> None:
    row = admin.page.locator("tr", has_text=TRAINEE_NAME)
    link = row.locator("input[readonly]").input_value()
    assert "/auth/set-password/" in link
    page = trainee.page
    page.goto(link)
    assert page.locator("main#content", has_text=TRAINEE_NAME).count() == 1  # whom the link is for
    page.fill("input[name=new]", NEW_PASSWORD)
    page.fill("input[name=confirm]", NEW_PASSWORD)
    steps.shot(page, "trainee-opens-invitation")
    page.click("input[type=submit]")
    page.wait_for_url(f"{trainee.base}/me/")
    assert page.locator(".alert-success").count() == 1
    if locale != "zh_CN":  # imported accounts speak Chinese until their owner picks another language
        with page.expect_navigation():
            page.click(f"button[name=locale][value={locale}]")
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if locale == "zh_CN" else "en")
    steps.shot(page, "trainee-home")


def _read_and_submit(trainee: Person, steps: Steps, words: dict, task_id: int) -> None:
    page = trainee.page
    page.click("nav a[href='/me/catalog']")
    assert page.locator(f"text={words['unlocked']}").count() == 1  # only foundation so far
    page.locator("#tier-foundation ol a").first.click()
    steps.shot(page, "trainee-reads-lesson")
    with page.expect_navigation():  # on to the next lesson
        page.click("button[name=done][value='1']")
    assert page.locator(".alert-success").count() == 1
    page.click("nav a[href='/me/catalog']")
    assert page.locator("text=✓").count() >= 1

    # A rewrite longer than the limit first: the blocking auto-check answers before any mentor.
    page.goto(f"{trainee.base}/me/assessments/{task_id}")
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
    steps.shot(page, "trainee-sees-auto-check-feedback")
    page.fill("textarea[name=f_rewrite_draft_1]", "亲，本商品支持价保，降价可申请差价。Price protection applies.")
    page.click("button[name=action][value=submit]")
    expect(page.locator("#result .alert-info")).to_have_count(1)  # waits for the reply (a busy CI machine)
    assert page.locator("#history a", has_text="规则截图.pdf").count() == 1
    assert page.locator("#history .answers", has_text="亲，本商品支持价保").count() == 1  # what they handed in
    steps.shot(page, "trainee-submits-the-fix")


def _grade(mentor: Person, steps: Steps, kind: str) -> None:
    page = mentor.page
    page.click("nav a[href='/mentor/queue']")
    steps.shot(page, f"{kind}-mentor-queue")
    page.click("#queue a.btn")
    for group in page.locator("#grade-form fieldset").all():
        group.locator("input[type=radio]").last.check()  # the top level of every criterion
    page.fill("textarea[name=feedback]", "清楚、合规。Clear and compliant.")
    steps.shot(page, f"{kind}-mentor-grades")
    page.click("#grade-form input[type=submit]")
    page.wait_for_url(f"{mentor.base}/mentor/queue")
    assert page.locator(".alert-success").count() == 1


def _sees_result(app, trainee: Person, steps: Steps, words: dict, locale: str, task_id: int) -> None:
    page = trainee.page
    page.goto(f"{trainee.base}/me/assessments/{task_id}")
    assert page.locator("#result .alert-success").count() == 1
    # The feedback explains itself: per criterion the chosen (top) level's descriptor and the competency.
    with app.app_context():
        top = [max(c.levels, key=lambda lv: lv["points"])["descriptor"]["en" if locale == "en" else "zh_CN"]
               for c in db.session.get(Assessment, task_id).criteria if c.archived_at is None]
    for text in top:
        assert page.locator("#history .level-descriptor", has_text=text[:30]).count() == 2  # both mentors
    assert page.locator("#history .criterion-result .competency").count() == 2 * len(top)
    assert page.locator("#unread-count").count() == 1
    steps.shot(page, "trainee-passes-with-feedback")
    page.click("nav a[href='/me/catalog']")
    assert page.locator(f"text={words['unlocked']}").count() == 2  # advanced is open now
    steps.shot(page, "next-tier-unlocked")


def _place(admin: Person, steps: Steps, words: dict, app) -> None:
    page = admin.page
    with app.app_context():
        enrollment = db.session.scalar(sa.select(Enrollment.id).join(User, Enrollment.trainee_id == User.id)
                                       .where(User.email == TRAINEE))
    page.click("nav a[href='/admin/placements']")
    page.click(f"a[href='/admin/enrollments/{enrollment}/place']")
    page.select_option("select[name=agent_id]", index=1)
    page.fill("input[name=team]", "售前一组")
    page.fill("input[name=lead_name]", "黄蕾")
    with admin.watch.expecting(400):  # the form comes back, answered 400, naming the tier still missing
        page.click("#place-form input[type=submit]")
        expect(page.locator("main#content")).to_contain_text(words["refused"])
    assert words["tier"] in page.inner_text("main#content")
    steps.shot(page, "admin-placement-refused")

    # Weeks 5–13: the advanced tier's work, handed in and graded through the services.
    pass_tier(app, TRAINEE, "advanced")
    page.goto(f"{admin.base}/admin/enrollments/{enrollment}/place")
    page.select_option("select[name=agent_id]", index=1)
    page.fill("input[name=team]", "售前一组")
    page.fill("input[name=lead_name]", "黄蕾")
    page.click("#place-form input[type=submit]")
    page.wait_for_url(lambda url: "/admin/placements/" in url)
    assert page.locator(".alert-success", has_text=TRAINEE_NAME).count() == 1
    steps.shot(page, "admin-places-trainee")


def _check_in(coach: Person, steps: Steps) -> None:
    page = coach.page
    page.goto(f"{coach.base}/mentor/buffer")
    page.locator("#coached a", has_text=TRAINEE_NAME).click()
    assert page.input_value("select[name=week]") == "1"  # placed today: week 1 has begun
    page.fill("input[name=agent_share]", "60")
    page.fill("input[name=handoffs]", "9")
    page.fill("textarea[name=went_well]", "大促咨询接得住")
    page.fill("textarea[name=hard]", "运费险规则不熟")
    page.check("input[name=wellbeing][value='4']")
    page.fill("input[name='actions-0-action']", "复习运费险课程")
    page.fill("input[name='actions-0-owner']", TRAINEE_NAME)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    steps.shot(page, "coach-logs-check-in")
    page.click("#checkin-form input[type=submit]")
    page.wait_for_url(lambda url: url.endswith("/mentor/buffer"))
    assert page.locator(".alert-success").count() == 1
    steps.shot(page, "coach-check-in-saved")


def _log_defect(trainee: Person, steps: Steps) -> None:
    page = trainee.page
    page.goto(f"{trainee.base}/me/buffer")
    steps.shot(page, "trainee-buffer-day-1")
    page.click("#log-defect")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.select_option("select[name=type]", "wrong_answer")
    page.fill("input[name=intent]", "运费险说明")
    page.check("input[name=severity][value=medium]")
    page.fill("textarea[name=excerpt]", "[10:31] 顾客：有运费险吗？我电话 139 1234 5678\n[10:31] 智能体：没有运费险哦")
    page.fill("textarea[name=agent_said]", "没有运费险")
    page.fill("textarea[name=should_say]", "本商品赠送运费险，退货时自动理赔。")
    steps.shot(page, "trainee-logs-defect")
    page.click("#defect-form button[type=submit]")
    page.wait_for_url(lambda url: "/me/buffer/defects/" in url and not url.endswith("/new"))
    body = page.inner_text("main#content")
    assert "139****5678" in body and "1234 5678" not in body  # the phone number masked before saving
    steps.shot(page, "trainee-defect-logged")


def _triage(reviewer: Person, steps: Steps) -> None:
    page = reviewer.page
    page.click("nav a[href='/triage/']")
    steps.shot(page, "reviewer-board")
    page.locator("#board a").first.click()  # the one defect on the board
    for target in ("confirmed", "in_fix", "fixed", "verified"):
        with page.expect_navigation():
            page.click(f"button[name=move][value={target}]")
    assert page.locator(".sla-breached").count() == 0  # answered and fixed within the clocks
    steps.shot(page, "reviewer-verifies-fix")


def _measure(reviewer: Person, steps: Steps, words: dict, released: str) -> None:
    page = reviewer.page
    page.goto(f"{reviewer.base}/triage/contributions")
    page.locator("#contributions tr", has_text=TRAINEE_NAME).locator("a").click()
    page.fill("input[name=release_on]", released)
    page.fill("input[name=window_days]", "14")
    page.fill("input[name=before_samples]", "1200")
    page.fill("input[name=after_samples]", "1180")
    page.fill("input[name=efficiency_before]", "40")
    page.fill("input[name=efficiency_after]", "38")  # handle time, seconds: 5 % better
    page.fill("input[name=error_before]", "6.0")
    page.fill("input[name=error_after]", "5.8")
    page.click("#measure button[type=submit]")
    expect(page.locator("#award-rule")).to_contain_text(words["qualifies"])
    steps.shot(page, "reviewer-measures-effect")


def _award(admin: Person, steps: Steps) -> int:
    page = admin.page
    page.goto(f"{admin.base}/triage/contributions")
    page.locator("#contributions tr", has_text=TRAINEE_NAME).locator("a").click()
    page.click("#award button[type=submit]")
    assert page.locator(".alert-success").count() == 1
    steps.shot(page, "admin-approves-award")
    return int(page.url.rsplit("/", 1)[1])


def _admin_sees_it(page, base: str, steps: Steps, cohort_id: int, band: int) -> None:
    """The admin finds the outcome where they look today: the cohort's contribution line, the
    contributions list and the placement overview."""
    page.goto(f"{base}/admin/cohorts/{cohort_id}")
    assert page.locator("#missing-mentors").count() == 0  # placed: coached in the buffer, not lacking mentors
    assert str(band) in page.inner_text("#cohort-contributions")  # the CNY awarded in this cohort
    steps.shot(page, "admin-sees-cohort-contributions")
    page.goto(f"{base}/triage/contributions")
    assert str(band) in page.locator("#contributions tr", has_text=TRAINEE_NAME).inner_text()
    steps.shot(page, "admin-sees-award-in-list")
    page.goto(f"{base}/admin/placements")
    assert page.locator("main#content a", has_text=TRAINEE_NAME).count() >= 1
    steps.shot(page, "admin-sees-placement")


def _follow(page, link) -> None:
    """Click a link and wait for the next page to load (its scripts too), so the next click
    does not abort the last page's requests."""
    with page.expect_navigation(wait_until="load"):
        link.click()


def _admin_reports_it(page, base: str, steps: Steps, cohort_id: int, band: int) -> None:
    """The program's numbers as the admin reports them: the cohort's dashboard (reached from the
    cohort page), the gradebook cell that leads to the graded work, the trainee's dossier, and
    the report across cohorts filtered to this one."""
    page.goto(f"{base}/admin/cohorts/{cohort_id}")
    _follow(page, page.locator(f"a[href='/admin/cohorts/{cohort_id}/dashboard']"))
    assert page.locator("#kpis .stat").first.inner_text().strip() == "2"  # the two trainees imported
    assert str(band) in page.inner_text("#contribution-table")  # the award, in this cohort's buffer figures
    assert page.locator("#funnel-table tbody tr").count() >= 1
    steps.shot(page, "admin-sees-cohort-dashboard")
    _follow(page, page.locator(f"a[href='/admin/cohorts/{cohort_id}/gradebook']"))
    row = page.locator("#gradebook tbody tr", has_text=TRAINEE_NAME)
    _follow(page, row.locator("a[href*='/admin/submissions/']").first)  # a graded cell opens the work, read-only
    assert page.locator("main#content").count() == 1 and "/admin/submissions/" in page.url
    steps.shot(page, "admin-opens-gradebook-cell")
    with page.expect_navigation():
        page.go_back()
    _follow(page, page.locator("#gradebook tbody tr", has_text=TRAINEE_NAME).locator("th a"))
    _follow(page, page.locator("#dossier-link"))
    assert TRAINEE_NAME in page.inner_text("#dossier") and "小蜜售前助手" in page.inner_text("#dossier-placement")
    steps.shot(page, "admin-reads-dossier")
    page.goto(f"{base}/admin/reports?cohort={cohort_id}")
    assert str(band) in page.inner_text("#contribution-table")
    steps.shot(page, "admin-sees-program-report")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_whole_program(app, live_server, browser, catalog, make_user, tmp_path, locale):
    _staff(app, make_user)
    steps, words, base = Steps("journeys", locale), TEXT[locale], live_server
    with app.app_context():
        task_id = db.session.scalar(sa.select(Assessment.id).where(Assessment.code == TASK))
    people = []

    def person(email):
        people.append(Person(browser, base, email, locale))
        return people[-1]

    try:
        admin = person("admin@example.com")
        cohort_id = _import_cohort(admin, steps, locale, tmp_path)
        trainee = person(None)
        _accept_invitation(admin, trainee, steps, locale)
        admin.goto(f"/admin/cohorts/{cohort_id}")
        admin.page.click("#missing-mentors button[type=submit]")  # auto-assign both mentors
        assert admin.page.locator(".alert-success").count() == 1
        steps.shot(admin.page, "admin-auto-assigns-mentors")

        # Weeks 1–4: the rest of the foundation tier's work, handed in and graded through the services.
        pass_tier(app, TRAINEE, "foundation", skip=(TASK,))
        _read_and_submit(trainee, steps, words, task_id)
        mentors = _mentors_of(app, TRAINEE)
        graders = {kind: person(mentors[kind]) for kind in ("ai", "business")}
        for kind, mentor in graders.items():
            _grade(mentor, steps, kind)
        _sees_result(app, trainee, steps, words, locale, task_id)

        _place(admin, steps, words, app)
        # On their phones now: the buffer coach (the business mentor) and the placed person.
        for phone in (graders["business"], trainee):
            phone.page.set_viewport_size(PHONE)
        _check_in(graders["business"], steps)
        _log_defect(trainee, steps)
        reviewer = person("ops@example.com")
        _triage(reviewer, steps)
        released = today_in(app.config["BABEL_DEFAULT_TIMEZONE"]).isoformat()
        errors = [error for p in people for error in p.close()]

        # Three weeks later (the release week plus a 14-day window after it): everyone logs in
        # afresh, as their sessions have ended, and the effect is measured and awarded.
        with time_machine.travel(datetime.now(UTC) + timedelta(days=22), tick=True):
            people = []
            _measure(person("ops@example.com"), steps, words, released)
            admin = person("admin@example.com")
            contribution_id = _award(admin, steps)
            with app.app_context():
                band = db.session.get(Contribution, contribution_id).band_cny
            _admin_sees_it(admin.page, base, steps, cohort_id, band)
            _admin_reports_it(admin.page, base, steps, cohort_id, band)
            errors += [error for p in people for error in p.close()]
    finally:  # a failed step leaves no browser context open
        for p in people:
            p.close()
    assert not errors, "\n".join(errors)
    assert not steps.violations, "\n".join(steps.violations)
