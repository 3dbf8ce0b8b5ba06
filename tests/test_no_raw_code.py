"""Every page of the demo, for every role, in zh_CN: no code and no stray English.

Visible text is the page's text and its spoken attributes (title, placeholder,
aria-label, alt), without scripts, `<pre>`/`<code>`/`<kbd>` blocks, text areas and
feedback (people's own words) and lesson bodies (code or course prose on purpose).
Four failures: a `snake_case` token (an email address is allowed); a word that
is one of the interface's own one-word English msgids ("Weight", "Email", …),
which means a string reached the page untranslated; and a one-word domain code
(`ai`, `business`, `trainee`, `max_length` …) shown as it is stored; and a spoken
attribute in plain English letters only (`aria-label="breadcrumb"`).
"""

import re
from html.parser import HTMLParser

import sqlalchemy as sa
from babel.messages.pofile import read_po

from lms.cli_i18n import po_path
from lms.extensions import db
from lms.models import (
    Agent,
    AgentDefect,
    Assessment,
    CapstoneGroup,
    Cohort,
    Contribution,
    DefectState,
    DefectType,
    Enrollment,
    EnrollmentStatus,
    GraderKind,
    Lesson,
    MentorKind,
    Placement,
    Role,
    Submission,
    SubmissionState,
    TierCode,
    User,
)
from lms.services.catalog_specs import CHECK_KINDS, FIELD_TYPES
from lms.services.clock import Phase
from tests.conftest import login
from tests.demo_data import load_demo

SKIPPED_TAGS = {"script", "style", "pre", "code", "kbd", "textarea"}
# Attributes people read or hear (tooltips, placeholders, screen-reader names).
SPOKEN = ("title", "placeholder", "aria-label", "alt")
SKIPPED_CLASSES = {"lesson-body", "feedback"}  # course prose; a mentor's own words
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
EMAIL = re.compile(r"\S+@\S+")
# Absolute file paths (the admin catalogue names its course directory) depend on
# where the checkout lives, e.g. /check/work/main in CI, and are not prose.
PATH = re.compile(r"(?<![\w/])(?:/[\w.\-]+){2,}/?")
# The program's name for itself and language names stay as they are in both locales.
KEPT = {"Reskill", "English", "AI"}
# Demo names are owned by the demo data (step 6 "loop" drops these suffixes).
DEMO_SUFFIXES = re.compile(r"\((?:Admin|AI mentor|Business mentor)\)")


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []  # per open element: does it hide its text?
        self.parts: list[str] = []
        self.english: list[str] = []  # spoken attributes with no translated word in them

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        hidden = tag in SKIPPED_TAGS or bool(classes & SKIPPED_CLASSES)
        if not hidden and not any(self.stack):
            spoken = [values[name] for name in SPOKEN if values.get(name)]
            self.parts += spoken
            self.english += [v for v in spoken if re.fullmatch(r"[A-Za-z][A-Za-z ]*", v) and v not in KEPT]
        if tag in VOID:
            return
        self.stack.append(hidden)

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return DEMO_SUFFIXES.sub(" ", " ".join(parser.parts)) + "".join(f" [{v}]" for v in parser.english)


def english_words() -> set[str]:
    with open(po_path("zh_CN"), "rb") as f:
        ids = {m.id for m in read_po(f) if isinstance(m.id, str)}
    return {i for i in ids if re.fullmatch(r"[A-Za-z]{3,}", i)} - KEPT


def codes() -> set[str]:
    """One-word codes of the domain (role, mentor kind, state, check kind …)."""
    enums = [Role, MentorKind, GraderKind, SubmissionState, EnrollmentStatus, TierCode, Phase, DefectState,
             DefectType]
    return {str(v) for e in enums for v in e} | set(CHECK_KINDS) | set(FIELD_TYPES)


def problems(text: str, words: set[str], codes: frozenset[str] = frozenset()) -> list[str]:
    text = PATH.sub(" ", EMAIL.sub(" ", text))
    found = SNAKE.findall(text) + re.findall(r"\[([A-Za-z][A-Za-z ]*)\]", text)
    found += [w for w in re.findall(r"[A-Za-z]+", text) if w in words or w in codes]
    return found


def _ids(session) -> dict[str, list[int]]:
    """A few ids per kind of page: one of each submission state and role keeps the walk quick."""
    def first(model, *where):
        return session.scalars(sa.select(model.id).where(*where).order_by(model.id)).first()

    submissions = [first(Submission, Submission.state == state) for state in SubmissionState]
    submissions.append(first(Submission, Submission.attempt_no > 1))  # a retake
    submissions = sorted({s for s in submissions if s})
    return {
        "cohort_id": [first(Cohort)],
        "group_id": [first(CapstoneGroup)],
        "enrollment_id": [first(Enrollment)],
        "user_id": [first(User, User.role == role) for role in Role],
        "lesson_id": [first(Lesson)],
        "assessment_id": sorted({first(Assessment)} | {
            session.get(Submission, s).assessment_id for s in submissions}),
        "submission_id": submissions,
        "token": [_invitation_token(session)],
        "placement_id": [first(Placement)],
        "defect_id": [first(AgentDefect)],
        "file_id": [],  # screenshots are downloads
        "contribution_id": [first(Contribution)],
        "agent_id": [first(Agent)],
    }


def _invitation_token(session) -> str:
    """A working set-password link's token (the page says whom it is for)."""
    from flask import current_app

    from lms.services import invitations

    trainee = session.scalars(sa.select(User).where(User.role == Role.TRAINEE).order_by(User.id)).first()
    invitation = invitations.invite(session, None, trainee)
    session.commit()
    return invitations.token(invitation, current_app.config["SECRET_KEY"])


def _urls(app, ids) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "bootstrap.static", "main.download",
                                                          "main.notification_open", "main.healthz"):
            continue
        if rule.endpoint.startswith("api.") or rule.endpoint == "api_docs.openapi_json":
            continue  # the HR API answers JSON to tokens, not pages (its reference page is walked)
        args = list(rule.arguments)
        if not args:
            urls.append(rule.rule)
        elif len(args) == 1:
            for value in ids[args[0]]:
                urls.append(re.sub(r"<[^>]+>", str(value), rule.rule))
    return urls


def test_no_raw_code_or_english_on_any_zh_cn_page(app, client):
    load_demo(app)
    words, domain_codes = english_words(), frozenset(codes())
    with app.app_context():
        ids = _ids(db.session)
        people = [db.session.scalar(sa.select(User).where(User.email == e)) for e in (
            "admin@example.com", "mentor.ai@example.com", "mentor.biz@example.com",
            "trainee1@example.com", "trainee2@example.com", "trainee7@example.com", "lead@example.com")]
    urls = _urls(app, ids)
    found, seen = {}, 0
    for person in [None, *people]:
        client.delete_cookie("session")
        with client.session_transaction() as sess:
            sess["locale"] = "zh_CN"
        if person is not None:
            login(client, person)
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            seen += 1
            bad = problems(visible_text(response.get_data(as_text=True)), words, domain_codes)
            if bad:
                found[f"{person.email if person else 'anonymous'} {url}"] = sorted(set(bad))
    assert seen > 40
    assert not found, "\n".join(f"{k}: {v}" for k, v in found.items())


def test_the_rule_catches_codes_and_english_but_not_emails_or_code_blocks():
    words = {"Weight", "Email"}
    html = ('<p>权重 Weight: <span>ai</span> data_processing wang@ex_ample.com</p>'
            '<pre>mentor_kind</pre><div class="lesson-body"><p>transfer_rate</p></div>'
            '<p data-role="target_role">李思远 (AI mentor)</p><input placeholder="Email">'
            '<textarea>my_answer</textarea><nav aria-label="breadcrumb"></nav><nav aria-label="导航"></nav>')
    assert set(problems(visible_text(html), words)) == {"data_processing", "Email", "breadcrumb", "Weight"}


def test_form_errors_in_zh_cn_have_no_code_or_english(app, client):
    """Forms sent back with their errors (WTForms' own messages included)."""
    cohort = load_demo(app)
    words, domain_codes = english_words(), frozenset(codes())
    with app.app_context():
        admin, ai = (db.session.scalar(sa.select(User).where(User.email == e))
                     for e in ("admin@example.com", "mentor.ai@example.com"))
        # one the AI mentor may grade: without an order PostgreSQL may hand back a business-only one (403)
        submission = db.session.scalars(
            sa.select(Submission.id).join(Assessment).where(
                Submission.state == "submitted", Assessment.grader.in_([GraderKind.AI, GraderKind.BOTH]))
            .order_by(Submission.id)).first()
        enrollment = db.session.scalars(sa.select(Enrollment.id)).first()
        coach = db.session.scalar(sa.select(User).where(User.email == "mentor.biz@example.com"))
        placement = db.session.scalar(sa.select(Placement.id).where(Placement.outcome.is_(None)))
    posts = [
        (None, "/auth/login", {"email": "x"}),
        (None, "/auth/forgot", {"email": "x"}),
        (admin, "/admin/people/new", {"email": "not-an-email", "role": "mentor", "capacity": "x"}),
        (admin, "/admin/cohorts/new", {"code": "", "start_date": "x"}),
        (admin, "/admin/people/import", {}),
        (admin, f"/admin/cohorts/{cohort}/import", {}),
        (admin, f"/admin/enrollments/{enrollment}", {}),
        (admin, f"/admin/enrollments/{enrollment}/withdraw", {}),
        (admin, "/auth/password", {"new": "a"}),
        (ai, f"/mentor/submissions/{submission}", {}),
        (ai, f"/mentor/trainees/{enrollment}/baseline", {"data_processing": "abc"}),
        (admin, f"/admin/enrollments/{enrollment}/place", {"start_date": "x"}),
        (admin, f"/admin/enrollments/{enrollment}/outcome", {"on": "x"}),
        (admin, "/admin/agents", {}),
        (admin, "/admin/handoffs", {}),
        (admin, "/admin/calendar", {"day": "x"}),
        (admin, f"/admin/placements/{placement}", {"outcome": "extended"}),
        (coach, f"/mentor/buffer/{placement}", {"agent_share": "x", "actions-0-action": "x"}),
    ]
    found = {}
    for person, url, data in posts:
        client.delete_cookie("session")
        with client.session_transaction() as sess:
            sess["locale"] = "zh_CN"
        if person is not None:
            login(client, person)
        client._token = None  # a new session: a new CSRF token
        response = client.post_form(url, data, follow_redirects=True)
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 400) and "CSRF" not in html, url
        bad = problems(visible_text(html), words, domain_codes)
        if bad:
            found[url] = sorted(set(bad))
    assert not found
