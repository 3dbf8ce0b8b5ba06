"""The demo's history reads like weeks of work, not one load: gradebook cells mostly on time,
grading takes hours, mentors coach from intake until placement, trainee9's record matches her note."""

from datetime import timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Cohort, Enrollment, MentorAssignment, Submission, TrainingOutcome, User
from lms.models.base import utcnow
from lms.services import clock, dashboard_training, gradebook, progress
from lms.services.report_scope import Scope
from tests.demo_data import load_demo


def _handed_in_cells(cohort: Cohort, today, zone) -> list:
    cols = gradebook.columns(progress.load_outline(db.session, cohort.program), cohort.program, cohort.start_date)
    rows = db.session.execute(gradebook.rows_select(False, False), {"cohort_id": cohort.id}).all()
    cells = gradebook.cells(db.session, rows, cols, today, zone)
    return [c for c in cells.values() if c.attempts]


def test_demo_history_is_spread_over_the_weeks(app):
    load_demo(app)
    load_demo(app)  # idempotent: the second load dates nothing differently
    zone = app.config["BABEL_DEFAULT_TIMEZONE"]
    with app.app_context():
        today, now = clock.today_in(zone), utcnow()
        cohorts = db.session.scalars(sa.select(Cohort).where(Cohort.code.like("DEMO-%"))).all()
        assert len(cohorts) == 2
        handed = [c for cohort in cohorts for c in _handed_in_cells(cohort, today, zone)]
        late = [c for c in handed if c.late]
        assert handed and late and len(late) < len(handed) / 4, (len(late), len(handed))

        figures = dashboard_training.turnaround(db.session, Scope().params(today, now))
        assert len(figures) == 4 and all(t.median_hours > 0 for t in figures), figures
        assert len({round(t.median_hours) for t in figures}) > 1  # mentors differ

        for a in db.session.scalars(sa.select(MentorAssignment)):
            enrollment = a.enrollment
            assert a.started_at.date() >= enrollment.cohort.start_date - timedelta(days=1)
            assert a.started_at.date() <= enrollment.cohort.start_date + timedelta(days=7)
            assert a.ended_at is None or a.ended_at - a.started_at > timedelta(days=28), (a.started_at, a.ended_at)
        starts = {}
        for e in db.session.scalars(sa.select(Enrollment)):
            assert e.created_at.date() <= e.cohort.start_date
            starts[e.trainee_id] = e.cohort.start_date
        for s in db.session.scalars(sa.select(Submission).where(Submission.submitted_at.is_not(None))):
            assert s.submitted_at.date() >= clock.week_start(starts[s.trainee_id], 1) and s.submitted_at < now
            for g in s.grades:
                assert g.created_at > s.submitted_at


def test_trainee9_failed_the_advanced_data_assessment_twice_as_her_note_says(app):
    load_demo(app)
    with app.app_context():
        trainee = db.session.scalar(sa.select(User).where(User.email == "trainee9@example.com"))
        enrollment = db.session.scalar(sa.select(Enrollment).where(Enrollment.trainee_id == trainee.id))
        outcome = db.session.scalar(sa.select(TrainingOutcome).where(TrainingOutcome.enrollment_id == enrollment.id))
        assert "两次未通过" in outcome.note and "进阶层数据处理" in outcome.note
        attempts = db.session.scalars(sa.select(Submission).where(Submission.trainee_id == trainee.id)
                                      .order_by(Submission.submitted_at)).all()
        failed = [s for s in attempts if s.passed is False]
        assert len(failed) == 2 and len({s.assessment_id for s in failed}) == 1
        drill = failed[0].assessment
        assert drill.course.track.tier.code.value == "advanced"
        assert "data_processing" in {c.competency.value for c in drill.criteria}
        assert not any(s.passed for s in attempts if s.assessment_id == drill.id)
        assert all(s.submitted_at.date() <= outcome.on for s in attempts)
        assert {a.kind.value for a in enrollment.assignments} == {"ai", "business"}
        assert all(a.started_at.date() < outcome.on and a.ended_at is not None
                   and a.ended_at.date() == outcome.on for a in enrollment.assignments)
