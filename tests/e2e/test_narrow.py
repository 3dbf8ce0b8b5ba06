"""At a phone's 390 px width, in both languages, no page of any role scrolls sideways
(wide tables scroll inside their own box instead). Any console error fails the test."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Enrollment, Lesson, Submission, User
from lms.services.demo import DEMO_PASSWORD
from tests.demo_data import load_demo
from tests.e2e.test_journey import Watch

WIDTH = 390
PAGES = {
    "admin@example.com": ["/admin/", "/admin/cohorts/{cohort}", "/admin/cohorts", "/admin/people", "/admin/audit",
                          "/admin/enrollments/{enrollment}", "/catalog/", "/catalog/assessments/{assessment}",
                          "/admin/placements", "/admin/agents", "/admin/handoffs", "/admin/calendar",
                          "/triage/", "/triage/contributions"],
    "mentor.ai@example.com": ["/mentor/", "/mentor/queue", "/mentor/trainees/{enrollment}",
                              "/mentor/submissions/{submission}"],
    "mentor.biz@example.com": ["/mentor/", "/mentor/queue", "/mentor/buffer"],
    "trainee1@example.com": ["/me/", "/me/catalog", "/me/lessons/{lesson}", "/me/assessments/{assessment}"],
    "trainee7@example.com": ["/me/", "/me/buffer", "/me/buffer/defects/new", "/me/buffer/defects",
                             "/me/contributions"],
}


def _ids(app, cohort) -> dict:
    """Ids of trainee1's enrollment, their latest submission, its assessment and a first lesson."""
    with app.app_context():
        trainee = db.session.scalar(sa.select(User).where(User.email == "trainee1@example.com"))
        enrollment = db.session.scalar(sa.select(Enrollment).where(Enrollment.trainee_id == trainee.id))
        submission = db.session.scalars(sa.select(Submission).where(Submission.trainee_id == trainee.id)
                                        .order_by(Submission.id.desc())).first()
        lesson = db.session.scalars(sa.select(Lesson.id).order_by(Lesson.id)).first()
        return {"cohort": cohort, "enrollment": enrollment.id, "submission": submission.id,
                "assessment": submission.assessment_id, "lesson": lesson}


def _login(page, base, email, locale):
    page.goto(f"{base}/auth/login")
    if page.viewport_size["width"] < 992:  # the navbar is collapsed: open it for the locale buttons
        page.click(".navbar-toggler")
    page.click(f"button[name=locale][value={locale}]")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/auth/login" not in url)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_no_page_scrolls_sideways_at_390px(app, live_server, browser, locale):
    ids = _ids(app, load_demo(app))
    errors, wide = [], []
    for email, paths in PAGES.items():
        context = browser.new_context(viewport={"width": WIDTH, "height": 844})
        page = context.new_page()
        watch = Watch(page)
        _login(page, live_server, email, locale)
        for path in paths:
            page.goto(live_server + path.format(**ids))
            assert page.locator("main#content").count() == 1, path
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                wide.append(f"{email} {path}: {width}px")
        errors += watch.errors
        context.close()
    assert wide == []
    assert errors == []


def test_skip_link_is_the_first_stop_and_targets_main(app, live_server, page):
    load_demo(app)
    _login(page, live_server, "trainee1@example.com", "en")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert "skip-link" in focused[0] and focused[1] == "#content"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
