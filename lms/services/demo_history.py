"""Dates the demo's history: `flask lms demo` writes every row through the same services
as the pages, and those stamp "now". A cohort that started weeks or months ago whose
work was all handed in, graded and assigned in the same second reads wrong (every
handed-in gradebook cell late, 0 h grading turnaround, mentor assignments that end the
minute they start), so once everything is created this moves the stamps to where they
would have fallen: enrolled before the start, mentors from intake until placement or the
recorded outcome, each submission inside its track's weeks (a few late on purpose), each
grade hours to a couple of days later by mentor, lessons spread over the weeks.

The stamps derive from the cohort's start date and the rows alone, so running it again
writes the same values (idempotent). Only the two demo cohorts are touched.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from lms.models import (
    Cohort,
    Enrollment,
    LessonProgress,
    Placement,
    Submission,
    TrainingOutcome,
)
from lms.models.diagnostics import DiagnosticResult
from lms.services import clock, progress

COHORTS = ("DEMO-2026", "DEMO-2026-A")
# Typical hours from hand-in to grade: the AI mentors are quick, the business mentors busier.
TURNAROUND_HOURS = {"mentor.ai@example.com": 5, "mentor.biz@example.com": 26,
                    "mentor.ai2@example.com": 9, "mentor.biz2@example.com": 38}
# Handed in on a given day of the cohort (days from its start): the work still waiting in the
# first cohort's queues came in lately, one of it long ago (the 48-hour reminder has something).
ON_DAY = {("trainee3@example.com", "takeover-and-defect-drill"): 33,
          ("trainee4@example.com", "dashboard-anomaly-drill"): 18,
          ("trainee5@example.com", "wrong-answer-causes"): 31,
          ("trainee6@example.com", "after-sales-casework"): 32}
# Late on purpose: days after the due day.
LATE = {("trainee7@example.com", "handoff-week-review"): 2, ("trainee8@example.com", "lost-gift-recovery"): 1}


class _Stamps:
    def __init__(self, zone: str, now: datetime):
        self.zone, self.now = ZoneInfo(zone), now

    def at(self, day: date, hour: float) -> datetime:
        """Naive UTC of `hour` o'clock local time on `day`, never in the future."""
        local = datetime.combine(day, time(int(hour), int(hour % 1 * 60)), tzinfo=self.zone)
        return min(local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None), self.now - timedelta(minutes=5))


def backdate_demo(session: Session, zone: str, now: datetime) -> None:
    stamps = _Stamps(zone, now)
    for cohort in session.scalars(sa.select(Cohort).where(Cohort.code.in_(COHORTS)).order_by(Cohort.id)):
        _cohort(session, cohort, stamps)
    session.flush()


def _cohort(session: Session, cohort: Cohort, stamps: _Stamps) -> None:
    start = cohort.start_date
    cohort.created_at = stamps.at(start - timedelta(days=21), 10)
    enrollments = session.scalars(
        sa.select(Enrollment).where(Enrollment.cohort_id == cohort.id).order_by(Enrollment.id)
        .options(selectinload(Enrollment.assignments), selectinload(Enrollment.baselines),
                 selectinload(Enrollment.trainee))).all()
    tracks = {t.id: t for tier in progress.load_outline(session, cohort.program) for t in tier.tracks}
    for n, enrollment in enumerate(enrollments):
        enrollment.created_at = stamps.at(start - timedelta(days=10 - n % 3), 10 + n % 6)
        ended = _training_end(session, enrollment, stamps)
        for a in enrollment.assignments:  # intake week: two mentors each
            a.started_at = stamps.at(start + timedelta(days=1), 9.5 + n / 6)
            if a.ended_at is not None and ended is not None:
                a.ended_at = ended
        for b in enrollment.baselines:
            b.rated_at = stamps.at(start + timedelta(days=4 if b.rated_by_id else 2), 10 + n % 6)
        for d in session.scalars(sa.select(DiagnosticResult).where(DiagnosticResult.enrollment_id == enrollment.id)):
            d.submitted_at = stamps.at(start + timedelta(days=2), 10 + n % 6)
        _submissions(session, enrollment, tracks, stamps, n)
        _lessons(session, enrollment, stamps, n)


def _training_end(session: Session, enrollment: Enrollment, stamps: _Stamps) -> datetime | None:
    """When training ended: the placement was recorded (three days before its start) or the outcome."""
    placement = session.scalar(sa.select(Placement).where(Placement.enrollment_id == enrollment.id))
    if placement is not None:
        placement.created_at = placement.updated_at = stamps.at(placement.start_date - timedelta(days=3), 14)
        return placement.created_at
    outcome = session.scalar(sa.select(TrainingOutcome).where(TrainingOutcome.enrollment_id == enrollment.id))
    if outcome is not None:
        outcome.recorded_at = stamps.at(outcome.on, 16)
        return outcome.recorded_at
    return None


def _submissions(session: Session, enrollment: Enrollment, tracks: dict, stamps: _Stamps, n: int) -> None:
    start, email = enrollment.cohort.start_date, enrollment.trainee.email
    rows = session.scalars(
        sa.select(Submission).where(Submission.trainee_id == enrollment.trainee_id, Submission.group_id.is_(None),
                                    Submission.submitted_at.is_not(None))
        .order_by(Submission.assessment_id, Submission.attempt_no)
        .options(selectinload(Submission.grades), selectinload(Submission.files))).all()
    previous: dict[int, Submission] = {}
    for s in rows:
        assessment = s.assessment
        track = tracks[assessment.course.track_id]
        first, due = clock.week_start(start, track.start_week), clock.week_end(start, track.end_week)
        siblings = [a.id for c in progress.live(track.courses) for a in progress.live(c.assessments)]
        rank = siblings.index(assessment.id) if assessment.id in siblings else 0
        earlier = previous.get(s.assessment_id)
        if earlier is not None:  # a retake: a couple of days after the grade of the last try
            day = (earlier.graded_at or earlier.submitted_at).date() + timedelta(days=2)
            if s.state.value == "submitted":
                day = max(day, stamps.now.date() - timedelta(days=2))
        elif (email, assessment.code) in ON_DAY:
            day = start + timedelta(days=ON_DAY[(email, assessment.code)])
        elif (email, assessment.code) in LATE:
            day = due + timedelta(days=LATE[(email, assessment.code)])
        else:  # spread over the track's weeks, the last one a day or two before the due day
            day = first + timedelta(days=round((rank + 1) * ((due - first).days - 1) / (len(siblings) + 1)))
        s.submitted_at = stamps.at(day, 19.5 + n % 3)
        s.created_at = s.submitted_at - timedelta(minutes=50)  # the draft
        s.check_runs = [{**run, "at": s.submitted_at.isoformat()} for run in s.check_runs or []]
        for f in s.files:
            f.uploaded_at = s.submitted_at - timedelta(minutes=20)
        for g in s.grades:
            typical = TURNAROUND_HOURS.get(g.mentor.email, 12)
            hours = typical * (0.6 + 0.15 * ((s.id + g.id) % 6))
            g.created_at = max(min(s.submitted_at + timedelta(hours=hours), stamps.now - timedelta(minutes=10)),
                               s.submitted_at + timedelta(minutes=30))
        current = [g.created_at for g in s.grades if g.current]
        s.graded_at = max(current) if s.graded_at is not None and current else s.graded_at
        s.updated_at = s.graded_at or s.submitted_at
        previous[s.assessment_id] = s


def _lessons(session: Session, enrollment: Enrollment, stamps: _Stamps, n: int) -> None:
    """Lessons read in order from week 1 to the last day before today (or the end of training)."""
    rows = session.scalars(sa.select(LessonProgress).where(LessonProgress.trainee_id == enrollment.trainee_id)
                           .order_by(LessonProgress.lesson_id)).all()
    if not rows:
        return
    start = enrollment.cohort.start_date
    first = clock.week_start(start, 1) + timedelta(days=n % 3)
    last = min(stamps.now.date() - timedelta(days=1 + n % 2), clock.week_end(start, enrollment.cohort.program.weeks))
    span = max((last - first).days, 0)
    for i, row in enumerate(rows):
        day = first + timedelta(days=round(i * span / max(len(rows) - 1, 1)))
        row.completed_at = stamps.at(day, 12.5 + (i % 4) * 2)
