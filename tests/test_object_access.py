"""Object-level access through the one set of policies: closing a cohort, reading
and grading submissions, files, locked tiers in services, and the demo's links."""

from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import (
    Assessment,
    Cohort,
    Enrollment,
    Lesson,
    Notification,
    Program,
    Submission,
    SubmissionFile,
    Tier,
    User,
)
from lms.services import DomainError, clock, grading, mentoring, progress
from lms.services import cohorts as cohort_service
from lms.services import submissions as submission_service
from lms.services.baselines import rate_baseline
from tests.conftest import login
from tests.test_assessments import _grade, _submitted

FILE_TASK = "dashboard-anomaly-drill"  # grader: ai, with a required file


def _top(app, code=FILE_TASK) -> dict[str, int]:
    """The top level of every live criterion."""
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.code == code))
        return {c.code: max(level["points"] for level in c.levels)
                for c in assessment.criteria if c.archived_at is None}


def _move_to_new_cohort(app, t, new_ai, new_biz):
    """Close the trainee's cohort; enroll them in a new one with new mentors."""
    with app.app_context():
        admin = None
        cohort_service.close_cohort(db.session, admin, db.session.get(Cohort, t.cohort_id))
        program = db.session.get(Program, db.session.get(Cohort, t.cohort_id).program_id)
        new = cohort_service.create_cohort(db.session, None, program, {
            "code": "NEXT", "name": "Next", "start_date": date(2026, 11, 2)})
        enrollment, _ = cohort_service.enroll(db.session, None, new, db.session.get(User, t.trainee.id),
                                              "collab_cs", "basic_cs")
        for mentor in (new_ai, new_biz):
            mentoring.assign(db.session, None, enrollment, db.session.get(User, mentor.id), "new cohort")
        db.session.commit()
        return enrollment.id


def test_closing_a_cohort_frees_seats_and_hands_waiting_work_to_the_new_mentors(
        app, trainee_with_mentors, make_user, client):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, FILE_TASK)
    new_ai = make_user("mentor", mentor_kind="ai", capacity=5)
    new_biz = make_user("mentor", mentor_kind="business", capacity=5)
    _move_to_new_cohort(app, t, new_ai, new_biz)
    today = date(2026, 11, 10)
    with app.app_context():
        old_ai = db.session.get(User, t.ai.id)
        assert old_ai.mentor_load == 0 and db.session.get(User, t.biz.id).mentor_load == 0  # seats freed
        assert sid not in [i.submission_id for i in grading.queue(db.session, old_ai, today)]
        [item] = [i for i in grading.queue(db.session, db.session.get(User, new_ai.id), today)
                  if i.submission_id == sid]
        assert item.cohort_code == "NEXT"  # the new cohort's due date, not the old one's
        file_id = db.session.scalar(sa.select(SubmissionFile.id).where(SubmissionFile.submission_id == sid))
    with pytest.raises(DomainError):
        _grade(app, t.ai, sid, _top(app))
    login(client, t.ai)
    assert client.get(f"/mentor/submissions/{sid}").status_code == 403
    assert client.get(f"/files/{file_id}").status_code == 404
    with app.app_context():  # the old mentor's "waiting" notification no longer leads to a 403
        note_id = db.session.scalar(sa.select(Notification.id).where(Notification.user_id == t.ai.id,
                                                                     Notification.submission_id == sid))
    opened = client.get(f"/notifications/{note_id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/notifications")
    for mentor in (new_ai, new_biz):  # both new mentors read it and open its file
        login(client, mentor)
        assert client.get(f"/mentor/submissions/{sid}").status_code == 200
        assert client.get(f"/files/{file_id}").status_code == 200
    _grade(app, new_ai, sid, _top(app))


def test_closed_cohort_trainee_record_is_no_longer_the_old_mentors(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    with app.app_context():
        cohort_service.close_cohort(db.session, None, db.session.get(Cohort, t.cohort_id))
        db.session.commit()
        assert all(a.ended_at is not None for a in db.session.get(Enrollment, t.enrollment_id).assignments)
    login(client, t.ai)
    assert client.get(f"/mentor/trainees/{t.enrollment_id}").status_code == 403


def test_business_mentor_reads_the_ai_graded_submission_with_its_grade_and_file(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, FILE_TASK)
    _grade(app, t.ai, sid, _top(app), feedback="清楚的分析 clear analysis")
    with app.app_context():
        file_id = db.session.scalar(sa.select(SubmissionFile.id).where(SubmissionFile.submission_id == sid))
    login(client, t.biz)
    page = client.get(f"/mentor/submissions/{sid}")
    assert page.status_code == 200 and "clear analysis" in page.text and 'id="grade-form"' not in page.text
    assert client.get(f"/files/{file_id}").status_code == 200
    record = client.get(f"/mentor/trainees/{t.enrollment_id}")
    assert f"/mentor/submissions/{sid}" in record.text


def test_admin_reads_any_submission_read_only_linked_from_the_record(app, trainee_with_mentors, login_as):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, FILE_TASK)
    _grade(app, t.ai, sid, _top(app), feedback="清楚的分析 clear analysis")
    client, _admin = login_as("admin")
    page = client.get(f"/admin/submissions/{sid}")
    assert page.status_code == 200 and "clear analysis" in page.text
    assert 'id="read-only"' in page.text and "<form method=\"post\" novalidate" not in page.text
    assert f"/admin/submissions/{sid}" in client.get(f"/mentor/trainees/{t.enrollment_id}").text


def test_nobody_but_the_trainee_sees_a_draft(app, trainee_with_mentors, login_as):
    t = trainee_with_mentors
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.code == FILE_TASK))
        draft = submission_service.open_draft(db.session, db.session.get(User, t.trainee.id), assessment)
        db.session.commit()
        draft_id = draft.id
    client, _admin = login_as("admin")
    assert client.get(f"/admin/submissions/{draft_id}").status_code == 404


def _locked_tier(app):
    with app.app_context():
        tiers = db.session.scalars(sa.select(Tier).order_by(Tier.position)).all()
        return tiers[-1].id


def test_services_refuse_a_locked_tier(app, trainee_with_mentors):
    t = trainee_with_mentors
    tier_id = _locked_tier(app)
    with app.app_context():
        trainee = db.session.get(User, t.trainee.id)
        lesson = db.session.scalars(sa.select(Lesson).join(Lesson.course).join_from(
            Lesson, Lesson.course).where(Lesson.archived_at.is_(None))).all()
        lesson = next(x for x in lesson if x.course.track.tier_id == tier_id)
        assessment = next(a for a in db.session.scalars(sa.select(Assessment)).all()
                          if a.course.track.tier_id == tier_id)
        with pytest.raises(DomainError):
            progress.set_lesson_done(db.session, trainee, lesson, True)
        with pytest.raises(DomainError):
            submission_service.open_draft(db.session, trainee, assessment)
        db.session.rollback()
        assert db.session.scalar(sa.select(Submission.id).where(Submission.trainee_id == trainee.id)) is None


# --- no link shown to a mentor or admin answers 403 ---------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/") and not href.startswith("/static"):
            self.links.append(urlsplit(href).path)


def _walk(client, start: str, limit: int = 400) -> dict[str, int]:
    """Follow every in-app GET link reachable from `start`; url → status."""
    seen, todo = {}, [start]
    while todo and len(seen) < limit:
        url = todo.pop()
        if url in seen or url.startswith(("/auth/logout", "/notifications/")):
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code in (301, 302, 303):
            todo.append(urlsplit(response.headers["Location"]).path)
        elif response.status_code == 200 and response.mimetype == "text/html":
            parser = _Links()
            parser.feed(response.text)
            todo.extend(u for u in parser.links if u not in seen)
    return seen


@pytest.fixture
def demo(app, catalog):
    from lms.services.demo import ensure_demo, ensure_demo_cohort
    from lms.services.demo_activity import ensure_demo_activity

    with app.app_context():
        ensure_demo(db.session, app.config["PASSWORD_HASH_METHOD"])
        program = db.session.get(Program, catalog)
        cohort = ensure_demo_cohort(db.session, program, clock.today_in(app.config["BABEL_DEFAULT_TIMEZONE"]))
        ensure_demo_activity(db.session, cohort, app.config["UPLOAD_FOLDER"])
        db.session.commit()
        users = db.session.scalars(sa.select(User).where(User.role != "trainee")).all()
        for u in users:
            db.session.expunge(u)
        return users


def test_no_link_on_the_mentor_and_admin_pages_of_the_demo_is_refused(app, client, demo):
    assert {u.role.value for u in demo} >= {"admin", "mentor"}
    for user in demo:
        login(client, user)
        statuses = _walk(client, "/")
        bad = {url: code for url, code in statuses.items() if code in (403, 404, 500)}
        assert not bad, (user.email, bad)
        assert any(u.startswith(("/mentor/submissions/", "/admin/submissions/")) for u in statuses), user.email


def test_the_trainee_record_a_mentor_opens_shows_progress_dates_baseline_and_a_way_back(
        app, trainee_with_mentors, client):
    t = trainee_with_mentors
    with app.app_context():
        enrollment = db.session.get(Enrollment, t.enrollment_id)
        rate_baseline(db.session, db.session.get(User, t.biz.id), enrollment,
                      {"communication": 40, "data_processing": 20}, "入营面谈观察")
        db.session.commit()
    login(client, t.ai)
    html = client.get(f"/mentor/trainees/{t.enrollment_id}").get_data(as_text=True)
    for section in ('id="overdue"', 'id="upcoming"', 'id="baseline"', 'id="courses"', 'id="submissions"'):
        assert section in html
    baseline = html.split('id="baseline"')[1].split("</ul>")[0]
    assert t.biz.name in baseline and "40%" in baseline and "<time" in baseline  # who rated it, and when
    assert html.split('id="courses"')[1].count('class="h6 mb-1"') > 3  # a row per course
    assert 'href="/mentor/"' in html.split('class="breadcrumb"')[1].split("</ol>")[0]


def test_no_link_on_a_trainees_pages_of_the_demo_is_refused(app, client, demo):
    """The walk found the home's "coming up" linking to a locked tier's assessment (403)."""
    with app.app_context():
        trainees = db.session.scalars(sa.select(User).where(User.role == "trainee")).all()
        for u in trainees:
            db.session.expunge(u)
    for user in trainees:
        login(client, user)
        statuses = _walk(client, "/")
        bad = {url: code for url, code in statuses.items() if code in (403, 404, 500)}
        assert not bad, (user.email, bad)
