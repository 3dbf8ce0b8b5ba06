"""Every page of every role at a phone's 390 px, in both languages, on the demo data: no page
scrolls sideways (wide tables scroll inside their own box), axe-core finds no serious or
critical accessibility violation, and no console error or failed request. The walk must
cover every page the app serves (a new page not added here fails the test)."""

from urllib.parse import urlsplit

import sqlalchemy as sa

from lms.extensions import db
from lms.models import (
    Agent,
    AgentDefect,
    Contribution,
    Enrollment,
    Lesson,
    Placement,
    Submission,
    User,
)
from lms.services import cohorts as cohort_service
from lms.services import invitations
from lms.services import people as people_service
from lms.services.demo import DEMO_PASSWORD
from tests.demo_data import load_demo
from tests.e2e.helpers import LOCALES, PHONE, Person, axe_violations, login, squeezed_cells, switch_locale

WIDTH = PHONE["width"]
ADMIN_PAGES = [
    "/admin/", "/admin/cohorts", "/admin/cohorts/new", "/admin/cohorts/{cohort}", "/admin/cohorts/{cohort}/edit",
    "/admin/cohorts/{cohort}/capstone", "/admin/enrollments/{enrollment}", "/admin/enrollments/{unplaced}/place",
    "/admin/enrollments/{unplaced}/outcome", "/admin/submissions/{submission}",
    "/admin/people", "/admin/people/new", "/admin/people/{invitee}", "/admin/people/import", "/admin/invitations",
    "/admin/audit", "/admin/placements", "/admin/placements/{placement}", "/admin/agents", "/admin/handoffs",
    "/admin/calendar", "/catalog/", "/catalog/lessons/{lesson}", "/catalog/assessments/{assessment}",
    "/triage/", "/triage/defects/{defect}", "/triage/contributions", "/triage/contributions/{contribution}",
    "/triage/agents/{agent}/responsibilities", "/notifications", "/auth/password",
    "/admin/reports", "/admin/cohorts/{cohort}/dashboard", "/admin/cohorts/{cohort}/gradebook",
    "/admin/enrollments/{enrollment}/dossier", "/admin/jobs", "/admin/webhooks", "/admin/api-tokens",
    "/api/v1/docs", "/account/notifications",
]
PAGES = {
    None: ["/auth/login", "/auth/forgot", "/auth/set-password/{invitation}"],
    "admin@example.com": ADMIN_PAGES,
    "mentor.ai@example.com": ["/mentor/", "/mentor/queue", "/mentor/trainees/{enrollment}",
                              "/mentor/trainees/{enrollment}/baseline", "/mentor/submissions/{submission}",
                              "/mentor/buffer", "/catalog/", "/notifications"],
    "mentor.biz@example.com": ["/mentor/", "/mentor/queue", "/mentor/buffer", "/mentor/buffer/{placement}"],
    "ops@example.com": ["/mentor/", "/triage/", "/triage/defects/{defect}", "/triage/contributions",
                        "/triage/contributions/{contribution}", "/triage/agents/{agent}/responsibilities"],
    "lead@example.com": ["/lead/", "/lead/placements/{placement}", "/notifications"],
    "trainee1@example.com": ["/me/", "/me/catalog", "/me/lessons/{lesson}", "/me/assessments/{assessment}",
                             "/me/diagnostic/result", "/notifications", "/auth/password"],
    "trainee3@example.com": ["/me/capstone"],  # their group's page
    "newcomer@example.com": ["/me/", "/me/diagnostic"],
    "trainee7@example.com": ["/me/", "/me/buffer", "/me/buffer/defects/new", "/me/buffer/defects",
                             "/me/buffer/defects/{defect}", "/me/buffer/defects/{colleague_defect}",
                             "/me/contributions", "/me/buffer/api-token"],
}
# GET endpoints that are not pages: files, exports, redirects and the health check.
NOT_PAGES = {
    "static", "bootstrap.static", "main.healthz", "main.index", "main.download", "triage.defect_file",
    "admin.invitations_csv", "main.notification_open", "trainee.capstone",
    "admin.audit_export", "admin.cohort_dossiers", "admin.cohort_export", "admin.program_export",
    "api_docs.openapi_json",
} | {"api." + name for name in ("cohort_trainees", "get_cohort", "list_awards", "list_cohorts", "list_defects",
                                "list_placements", "trainee_progress")}


def _one(statement):
    value = db.session.scalar(statement)
    assert value is not None, str(statement)
    return value


def _user(email: str):
    return sa.select(User.id).where(User.email == email).scalar_subquery()


def _ids(app, cohort: int) -> dict:
    """The demo's objects each page shows, plus a newcomer who has not taken the intake
    diagnostic and an invited person who has not set a password."""
    with app.app_context():
        trainee1 = _one(sa.select(Enrollment).where(Enrollment.trainee_id == _user("trainee1@example.com")))
        submission = db.session.scalars(sa.select(Submission).where(Submission.trainee_id == trainee1.trainee_id)
                                        .order_by(Submission.id.desc())).first()
        placement = _one(sa.select(Placement).where(Placement.trainee_id == _user("trainee7@example.com")))
        defect = _one(sa.select(AgentDefect.id).where(AgentDefect.reporter_id == placement.trainee_id)
                      .order_by(AgentDefect.id))
        colleague_defect = _one(sa.select(AgentDefect.id).where(
            AgentDefect.agent_id == placement.agent_id, AgentDefect.reporter_id == _user("trainee8@example.com")))
        newcomer = people_service.create_person(db.session, None, {
            "email": "newcomer@example.com", "name": "新同学", "role": "trainee", "locale": "zh_CN"},
            password=DEMO_PASSWORD, hash_method=app.config["PASSWORD_HASH_METHOD"])
        cohort_service.enroll(db.session, None, trainee1.cohort, newcomer, "collab_cs", "basic_cs")
        invitee = people_service.create_person(db.session, None, {
            "email": "invitee@example.com", "name": "待激活", "role": "trainee", "locale": "zh_CN"})
        db.session.commit()
        invitation = invitations.open_invitation(db.session, invitee.id)
        return {
            "cohort": cohort, "enrollment": trainee1.id, "submission": submission.id,
            "assessment": submission.assessment_id, "lesson": _one(sa.select(sa.func.min(Lesson.id))),
            "unplaced": _one(sa.select(Enrollment.id).where(Enrollment.trainee_id == _user("trainee9@example.com"))),
            "placement": placement.id, "agent": _one(sa.select(sa.func.min(Agent.id))),
            "defect": defect, "colleague_defect": colleague_defect,
            "contribution": _one(sa.select(sa.func.min(Contribution.id))),
            "invitee": invitee.id,
            "invitation": invitations.token(invitation, app.config["SECRET_KEY"]),
        }


def _endpoint(app, url: str) -> str:
    return app.url_map.bind("localhost").match(urlsplit(url).path, method="GET")[0]


def _page_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods} - NOT_PAGES


def _check(app, page, where: str, seen: set) -> list[str]:
    """What is wrong with the page as shown: its width, squeezed cells, axe's findings."""
    if page.locator("main#content").count() != 1:
        return [f"{where}: no main content"]
    seen.add(_endpoint(app, page.url))
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        problems.append(f"{where}: {width}px wide")
    if squeezed := squeezed_cells(page):
        problems.append(f"{where}: {len(squeezed)} table cells wrap one character per line: {squeezed[:3]}")
    return problems + axe_violations(page, where)


def test_every_page_fits_390px_and_passes_axe_in_both_languages(app, live_server, browser):
    """One phone per account, logged in once: its pages in Chinese, then the language switched
    with the navbar's button and the same pages in English. Every navbar link is walked."""
    ids = _ids(app, load_demo(app))
    problems, seen = [], set()
    walked = {path.format(**ids) for paths in PAGES.values() for path in paths}
    for email, paths in PAGES.items():
        person = Person(browser, live_server, email, LOCALES[0], DEMO_PASSWORD, viewport=PHONE)
        nav = person.page.eval_on_selector_all("#nav a.nav-link", "links => links.map(a => a.getAttribute('href'))")
        problems += [f"{email}: the navbar's {href} is not walked" for href in nav if href not in walked]
        for locale in LOCALES:
            if locale != LOCALES[0]:
                switch_locale(person.page, locale)
            for path in paths:
                response = person.goto(path.format(**ids))
                where = f"{locale} {email} {path}"
                if response.status != 200:
                    problems.append(f"{where}: status {response.status}")
                    continue
                problems += _check(app, person.page, where, seen)
        problems += [f"{email}: {error}" for error in person.close()]
    assert not problems, "\n".join(problems)
    assert _page_endpoints(app) - seen == set(), "pages the walk does not visit: add them to PAGES"


def test_skip_link_is_the_first_stop_and_targets_main(app, live_server, page):
    load_demo(app)
    login(page, live_server, "trainee1@example.com", "en", DEMO_PASSWORD)
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert "skip-link" in focused[0] and focused[1] == "#content"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
