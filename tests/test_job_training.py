"""Training reminders at frozen times around their boundaries, each run twice in a row: the second
run writes nothing."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from lms.extensions import db
from lms.models import (
    Assessment,
    Enrollment,
    GraderKind,
    LessonProgress,
    Submission,
    SubmissionState,
    Tier,
)
from lms.services import dashboards, progress
from tests.job_helpers import enrolled_on, notes, run, twice

START = date(2026, 9, 7)  # a Monday
ZONE = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 8, minute: int = 0, second: int = 0) -> datetime:
    """A local time in the program's zone as naive UTC."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=ZONE).astimezone(UTC).replace(tzinfo=None)


def first_due(app, enrollment_id: int) -> tuple[int, date]:
    """The trainee's first foundation assessment and its due date."""
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        outline = dashboards.Outline(enrollment.cohort.program,
                                     progress.load_outline(db.session, enrollment.cohort.program))
        items = sorted(dashboards.due_items(outline, enrollment, set(), START, "Asia/Shanghai"),
                       key=lambda i: (i.due.date, i.assessment.id))
        return items[0].assessment.id, items[0].due.date


def test_due_within_48_hours_tells_the_trainee_once(app, trainee_with_mentors):
    t = trainee_with_mentors
    assessment_id, due = first_due(app, t.enrollment_id)
    # the due date ends at local midnight: 08:00 two days before is 64 hours ahead, the day before 40
    assert twice(app, "assessments_due", at(due - timedelta(days=2))) == 0
    assert twice(app, "assessments_due", at(due + timedelta(days=1), 0, 0) - timedelta(hours=48, seconds=1)) == 0
    first = twice(app, "assessments_due", at(due + timedelta(days=1), 0, 0) - timedelta(hours=48))
    assert first >= 1
    assert twice(app, "assessments_due", at(due - timedelta(days=1))) == 0  # same work, same due date: said
    told = [p for user, _, p in notes(app, "assessment_due") if p["assessment_id"] == assessment_id]
    assert len(told) == 1 and told[0]["due"] == due.isoformat()
    assert {user for user, _, _ in notes(app)} == {t.trainee.id}


def test_handed_in_work_is_not_reminded(app, trainee_with_mentors):
    t = trainee_with_mentors
    assessment_id, due = first_due(app, t.enrollment_id)
    with app.app_context():
        db.session.add(Submission(trainee_id=t.trainee.id, assessment_id=assessment_id, attempt_no=1,
                                  state=SubmissionState.SUBMITTED, submitted_at=at(due - timedelta(days=3))))
        db.session.commit()
    twice(app, "assessments_due", at(due - timedelta(days=1)))
    assert all(p["assessment_id"] != assessment_id for _, _, p in notes(app, "assessment_due"))


def test_overdue_work_is_told_once_a_week(app, trainee_with_mentors):
    t = trainee_with_mentors
    assessment_id, due = first_due(app, t.enrollment_id)
    assert twice(app, "overdue_work", at(due, 23, 59)) == 0  # still its due date
    assert twice(app, "overdue_work", at(due + timedelta(days=1), 8, 5)) == 1
    assert twice(app, "overdue_work", at(due + timedelta(days=2), 8, 5)) == 0  # same week
    first = due + timedelta(days=1)
    monday = first + timedelta(days=7 - first.weekday())  # the week after the first reminder's
    assert twice(app, "overdue_work", at(monday, 8, 5)) == 1  # a new week, still overdue
    (user, _, params), _again = notes(app, "work_overdue")
    assert user == t.trainee.id and params["count"] >= 1 and params["titles"]


def _fail(app, trainee_id: int, assessment_id: int, attempts: range, graded_at: datetime) -> None:
    with app.app_context():
        for n in attempts:
            db.session.add(Submission(trainee_id=trainee_id, assessment_id=assessment_id, attempt_no=n,
                                      state=SubmissionState.GRADED, passed=False, score=40.0,
                                      submitted_at=graded_at, graded_at=graded_at))
        db.session.commit()


def test_the_last_attempt_failed_tells_trainee_both_mentors_and_admin(app, trainee_with_mentors, make_user):
    t = trainee_with_mentors
    admin = make_user("admin")
    assessment_id, _ = first_due(app, t.enrollment_id)
    with app.app_context():
        allowed = db.session.get(Assessment, assessment_id).max_attempts
    now = datetime(2026, 10, 1, 3, 0)
    _fail(app, t.trainee.id, assessment_id, range(1, allowed), now - timedelta(hours=1))
    assert twice(app, "attempts_exhausted", now) == 0  # an attempt is left
    _fail(app, t.trainee.id, assessment_id, range(allowed, allowed + 1), now - timedelta(minutes=5))
    assert twice(app, "attempts_exhausted", now) == 4
    told = notes(app, "attempts_exhausted")
    assert {u for u, _, _ in told} == {t.trainee.id, t.ai.id, t.biz.id, admin.id}
    assert [p.get("own") for u, _, p in told if u == t.trainee.id] == [True]
    assert run(app, "attempts_exhausted", now).status == "ok"  # through the runner: nothing new either
    assert len(notes(app)) == 4


def _both_graded_assessment(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Assessment.id).join(Assessment.course).where(
            Assessment.grader == GraderKind.BOTH).order_by(Assessment.id).limit(1))


def test_mentors_hear_of_work_waiting_more_than_48_hours(app, trainee_with_mentors):
    t = trainee_with_mentors
    handed_in = datetime(2026, 10, 5, 2, 0)
    with app.app_context():
        db.session.add(Submission(trainee_id=t.trainee.id, assessment_id=_both_graded_assessment(app), attempt_no=1,
                                  state=SubmissionState.SUBMITTED, submitted_at=handed_in))
        db.session.commit()
    assert twice(app, "grading_waiting", handed_in + timedelta(hours=48)) == 0
    assert twice(app, "grading_waiting", handed_in + timedelta(hours=48, seconds=1)) == 2
    assert {u for u, _, _ in notes(app)} == {t.ai.id, t.biz.id}
    assert twice(app, "grading_waiting", handed_in + timedelta(hours=50)) == 0  # same day
    assert twice(app, "grading_waiting", handed_in + timedelta(days=3)) == 2  # the next day, still waiting


def test_a_trainee_doing_nothing_for_two_weeks_of_training_is_at_risk(app, trainee_with_mentors):
    """The dashboard's rule (lms/services/standing.py): no activity for 14 days, counted from the
    start of week 1 at the earliest (intake week has no lessons to do)."""
    enrolled_on(app, trainee_with_mentors.enrollment_id, at(START - timedelta(days=14)))
    week1 = START + timedelta(days=7)
    assert twice(app, "trainees_at_risk", at(week1 + timedelta(days=13), 8, 15)) == 0
    assert twice(app, "trainees_at_risk", at(week1 + timedelta(days=14), 8, 15)) == 2  # both mentors
    reasons = {tuple(p["reasons"]) for _, _, p in notes(app, "trainee_at_risk")}
    assert reasons == {("overdue", "inactive")}  # two weeks of nothing: week 1's work is overdue too
    assert twice(app, "trainees_at_risk", at(week1 + timedelta(days=15), 8, 15)) == 0  # same week


def test_a_lesson_done_is_activity(app, trainee_with_mentors):
    """Not inactive any more; in week 3 week 1's work is overdue, so still at risk, for that alone."""
    t = trainee_with_mentors
    enrolled_on(app, t.enrollment_id, at(START - timedelta(days=14)))
    week1 = START + timedelta(days=7)
    with app.app_context():
        lesson = db.session.scalar(sa.select(Tier).order_by(Tier.position)).tracks[0].courses[0].lessons[0]
        db.session.add(LessonProgress(trainee_id=t.trainee.id, lesson_id=lesson.id,
                                      completed_at=at(week1 + timedelta(days=3))))
        db.session.commit()
    assert twice(app, "trainees_at_risk", at(week1 + timedelta(days=14), 8, 15)) == 2
    assert {tuple(p["reasons"]) for _, _, p in notes(app, "trainee_at_risk")} == {("overdue",)}


def test_the_reminder_and_the_dashboard_agree_on_who_is_at_risk(app, trainee_with_mentors, make_cohort):
    """One rule: the mentors hear of the trainees the dashboard counts at risk, for its reasons."""
    from lms.services import dashboard
    from lms.services.buffer_clock import BufferSettings
    from lms.services.defect_rules import DefectSettings
    from lms.services.report_scope import Scope

    t = trainee_with_mentors
    enrolled_on(app, t.enrollment_id, at(START - timedelta(days=14)))
    _, (alone,) = make_cohort(trainees=1)  # no mentor at all: at risk, but no mentor to tell
    now = at(START + timedelta(days=28), 8, 15)
    assert twice(app, "trainees_at_risk", now) == 2
    told = {(p["enrollment_id"], tuple(p["reasons"])) for _, _, p in notes(app, "trainee_at_risk")}
    with app.app_context():
        d = dashboard.build(db.session, Scope(cohort_id=t.cohort_id), now.date(), now, BufferSettings(),
                            DefectSettings())
        other = dashboard.build(db.session, Scope(), now.date(), now, BufferSettings(), DefectSettings())
    assert {(r["enrollment_id"], tuple(r["reasons"])) for r in d.standing.shown} == told
    assert d.standing.at_risk == 1 and other.standing.at_risk == 2
    assert alone in {r["enrollment_id"] for r in other.standing.shown}
