"""Honest status on the home pages and the grading queue: handed-in work waits for a
grade and is never overdue; what is coming up, where to continue, progress, countdowns."""

from datetime import timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Assessment, Cohort, Enrollment, Lesson, LessonProgress, Submission, SubmissionState, Tier, Track
from lms.services import dashboards, mentoring, progress
from lms.services.clock import today_in
from lms.services.outline import OutlineAssessment, OutlineLesson
from tests.conftest import login


def _today(app):
    return today_in(app.config["BABEL_DEFAULT_TIMEZONE"])


def _first_track_assessment(app) -> Assessment:
    """The first required assessment of the first track (due at the end of week 2)."""
    with app.app_context():
        track = db.session.scalar(sa.select(Track).join(Tier).order_by(Tier.position, Track.start_week, Track.position))
        assessment = next(a for c in track.courses for a in c.assessments if a.required)
        db.session.expunge(assessment)
        return assessment


def _hand_in(app, trainee_id, assessment_id):
    with app.app_context():
        db.session.add(Submission(trainee_id=trainee_id, assessment_id=assessment_id, attempt_no=1,
                                  state=SubmissionState.SUBMITTED, answers={}, checks=[], submitted_at=sa.func.now()))
        db.session.commit()


def _card(html, card_id):
    return html.split(f'id="{card_id}"')[1].split("</div>\n  </div>")[0]


def _enrolled(app, make_cohort, make_user, start, mentors=False):
    cohort_id, (enrollment_id,) = make_cohort(trainees=1, start=start)
    ai = make_user("mentor", mentor_kind="ai", capacity=10) if mentors else None
    if mentors:
        make_user("mentor", mentor_kind="business", capacity=10)
        with app.app_context():
            mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
            db.session.commit()
    with app.app_context():
        trainee = db.session.get(Enrollment, enrollment_id).trainee
        db.session.expunge(trainee)
    return trainee, ai


def test_waiting_work_is_not_overdue_on_the_trainee_home(app, make_cohort, make_user, client):
    trainee, _ = _enrolled(app, make_cohort, make_user, _today(app) - timedelta(days=7 * 5))  # week 5
    assessment = _first_track_assessment(app)
    login(client, trainee)
    html = client.get("/me/").get_data(as_text=True)
    assert f"/me/assessments/{assessment.id}" in _card(html, "overdue")  # overdue items are links
    _hand_in(app, trainee.id, assessment.id)
    html = client.get("/me/").get_data(as_text=True)
    assert f"/me/assessments/{assessment.id}" not in _card(html, "overdue")
    waiting = _card(html, "waiting")
    assert f"/me/assessments/{assessment.id}" in waiting and "waiting for grade" in waiting


def test_waiting_work_is_not_overdue_in_the_mentor_home_counts(app, make_cohort, make_user, client):
    trainee, ai = _enrolled(app, make_cohort, make_user, _today(app) - timedelta(days=7 * 5), mentors=True)
    login(client, ai)
    row = client.get("/mentor/").get_data(as_text=True).split("<tbody>")[1]
    overdue_before = int(row.split('<td class="overdue"><span class="badge text-bg-danger">')[1].split("<")[0])
    _hand_in(app, trainee.id, _first_track_assessment(app).id)
    row = client.get("/mentor/").get_data(as_text=True).split("<tbody>")[1]
    assert int(row.split('<td class="overdue"><span class="badge text-bg-danger">')[1].split("<")[0]) \
        == overdue_before - 1
    assert '<td class="waiting"><span class="badge text-bg-info">1</span>' in row


def test_the_queue_shows_waiting_since_not_the_due_date(app, make_cohort, make_user, client):
    trainee, ai = _enrolled(app, make_cohort, make_user, _today(app) - timedelta(days=7 * 5), mentors=True)
    assessment = _first_track_assessment(app)
    with app.app_context():  # the first track's assessment is graded by the ai mentor or both
        assert assessment.grader.value in ("ai", "both")
    _hand_in(app, trainee.id, assessment.id)
    login(client, ai)
    html = client.get("/mentor/queue").get_data(as_text=True)
    assert "Waiting since" in html and 'class="text-md-nowrap waiting-since"' in html
    assert "overdue" not in html.lower()
    assert "Due" not in html.split("<thead>")[1].split("</thead>")[0]


def test_coming_up_lists_work_due_within_14_days_only(app, make_cohort, make_user):
    trainee, _ = _enrolled(app, make_cohort, make_user, _today(app) - timedelta(days=7 * 2 + 1))  # week 2
    today = _today(app)
    with app.app_context():
        home = dashboards.trainee_home(db.session, db.session.get(type(trainee), trainee.id), today, "Asia/Shanghai")
        soon = [i.assessment.code for i in home.coming_up]
        assert soon and all(today <= i.due.date <= today + timedelta(days=14) for i in home.coming_up)
        later = [a.code for a, due in dashboards.Outline(home.enrollment.cohort.program, [s.tier for s in home.states])
                 .assessments_with_due(home.enrollment.target_role, home.enrollment.cohort.start_date)
                 if due.date > today + timedelta(days=14)]
        assert later and not set(later) & set(soon)


def test_coming_up_on_the_home_links_to_the_assessment(app, make_cohort, make_user, client):
    trainee, _ = _enrolled(app, make_cohort, make_user, _today(app) - timedelta(days=7 * 2 + 1))
    assessment = _first_track_assessment(app)
    login(client, trainee)
    assert f"/me/assessments/{assessment.id}" in _card(client.get("/me/").get_data(as_text=True), "coming-up")


def test_continue_points_to_the_next_lesson_then_the_courses_assessment(app, make_cohort, make_user, client):
    trainee, _ = _enrolled(app, make_cohort, make_user, _today(app))
    login(client, trainee)
    with app.app_context():
        program = progress.current_program(db.session)
        ordered = progress.steps(progress.load_outline(db.session, program))
        first = ordered[0]
        course_lessons = [s.id for s in ordered if isinstance(s, OutlineLesson) and s.course_id == first.course_id]
        course_assessment = next(s for s in ordered
                                 if isinstance(s, OutlineAssessment) and s.course_id == first.course_id)
    assert f"/me/lessons/{first.id}" in _card(client.get("/me/").get_data(as_text=True), "continue")
    with app.app_context():
        for lesson_id in course_lessons:
            db.session.add(LessonProgress(trainee_id=trainee.id, lesson_id=lesson_id))
        db.session.commit()
    assert f"/me/assessments/{course_assessment.id}" in _card(client.get("/me/").get_data(as_text=True), "continue")


def test_home_progress_counts_required_assessments_as_well_as_lessons(app, make_cohort, make_user, client):
    trainee, _ = _enrolled(app, make_cohort, make_user, _today(app))
    today = _today(app)
    with app.app_context():
        home = dashboards.trainee_home(db.session, db.session.get(type(trainee), trainee.id), today, "Asia/Shanghai")
        needed = [s for s in home.states if s.needed]
        lessons = sum(s.progress.total for s in needed)
        required = sum(s.required_total for s in needed)
        assert required and home.overall.total == lessons + required
        assessment = progress.required_assessments(needed[0].tier)[0]
        db.session.add(Submission(trainee_id=trainee.id, assessment_id=assessment.id, attempt_no=1,
                                  state=SubmissionState.GRADED, passed=True, answers={}, checks=[]))
        db.session.commit()
        home = dashboards.trainee_home(db.session, db.session.get(type(trainee), trainee.id), today, "Asia/Shanghai")
        assert home.overall.done == 1
    login(client, trainee)
    assert f"1 of {lessons + required} steps done" in client.get("/me/").get_data(as_text=True)


def test_a_cohort_starting_in_3_days_says_3_days(app, make_cohort, make_user, client, login_as):
    trainee, ai = _enrolled(app, make_cohort, make_user, _today(app) + timedelta(days=3), mentors=True)
    login(client, trainee)
    assert "starts in 3 days" in client.get("/me/").get_data(as_text=True)
    login(client, ai)
    assert "starts in 3 days" in client.get("/mentor/").get_data(as_text=True)
    admin_client, _ = login_as("admin")
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert "starts in 3 days" in html and "starts in 7 days" not in html
    with app.app_context():
        cohort_id = db.session.scalar(sa.select(Enrollment.cohort_id).where(Enrollment.trainee_id == trainee.id))
    assert "starts in 3 days" in admin_client.get(f"/admin/cohorts/{cohort_id}").get_data(as_text=True)


def _work(app, trainee_id, lesson_ids, assessment_ids):
    """Lessons done; assessments alternately passed and waiting for a grade."""
    with app.app_context():
        for lesson_id in lesson_ids:
            db.session.add(LessonProgress(trainee_id=trainee_id, lesson_id=lesson_id))
        for n, assessment_id in enumerate(assessment_ids):
            db.session.add(Submission(trainee_id=trainee_id, assessment_id=assessment_id, attempt_no=1,
                                      state=SubmissionState.SUBMITTED if n % 2 else SubmissionState.GRADED,
                                      passed=not n % 2, answers={}, checks=[]))
        db.session.commit()


def test_trainee_home_queries_do_not_grow_with_work(app, make_cohort, make_user, client, count_queries):
    trainee, _ = _enrolled(app, make_cohort, make_user, _today(app) - timedelta(days=7 * 5))
    with app.app_context():
        lessons = list(db.session.scalars(sa.select(Lesson.id)))
        assessments = list(db.session.scalars(sa.select(Assessment.id)))
    _work(app, trainee.id, lessons[:1], assessments[:2])  # some of each kind, so every loader runs
    login(client, trainee)
    client.get("/me/")
    with count_queries() as few:
        client.get("/me/")
    _work(app, trainee.id, lessons[1:], assessments[2:])
    with count_queries() as many:
        client.get("/me/")
    assert len(many.statements) == len(few.statements)


def test_the_assessment_page_says_waiting_not_overdue_once_handed_in(app, make_cohort, make_user, client):
    trainee, _ = _enrolled(app, make_cohort, make_user, _today(app) - timedelta(days=7 * 5))
    assessment = _first_track_assessment(app)
    login(client, trainee)
    meta = client.get(f"/me/assessments/{assessment.id}").get_data(as_text=True).split('id="meta"')[1].split("</p>")[0]
    assert "overdue" in meta
    _hand_in(app, trainee.id, assessment.id)
    meta = client.get(f"/me/assessments/{assessment.id}").get_data(as_text=True).split('id="meta"')[1].split("</p>")[0]
    assert "overdue" not in meta and "waiting for grade" in meta
