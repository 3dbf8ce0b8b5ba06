"""The trainee record a mentor (or admin) opens: progress per course, what is
overdue and coming up, intake baseline with its source (diagnostic, adjusted, mentor-rated), attainment, attempts.
A fixed number of queries, whatever the catalogue's size."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from lms.models import Assessment, BaselineRating, Competency, Course, Enrollment, Submission, SubmissionState
from lms.models.capstone import credited
from lms.services import clock, progress
from lms.services.dashboards import Outline
from lms.services.grading import attainment
from lms.services.outline import rubrics
from lms.services.readiness import ReadinessRow, readiness

UPCOMING_DAYS = 14


@dataclass
class CourseRow:
    course: Course
    lessons: progress.Progress
    assessments: list[tuple[Assessment, Optional[str]]]  # status: passed | waiting | failed | draft | None


@dataclass
class RecordItem:
    assessment: Assessment
    due: clock.Due
    waiting: bool  # submitted, waiting for a grade: never overdue


@dataclass
class TraineeRecord:
    enrollment: Enrollment
    courses: list[CourseRow] = field(default_factory=list)
    overdue: list[RecordItem] = field(default_factory=list)
    upcoming: list[RecordItem] = field(default_factory=list)
    baselines: list[BaselineRating] = field(default_factory=list)  # with source, diagnostic score, reason
    scores: dict = field(default_factory=dict)  # competency → attainment % or None
    submissions: list[Submission] = field(default_factory=list)  # newest first, drafts left out
    readiness: list[ReadinessRow] = field(default_factory=list)  # against the target role's model

    @property
    def baseline_scores(self) -> dict:
        return {b.competency: b.score for b in self.baselines}


def trainee_record(session: Session, enrollment: Enrollment, today: date, timezone: str) -> TraineeRecord:
    trainee_id = enrollment.trainee_id
    program = enrollment.cohort.program
    outline = Outline(program, progress.load_outline(session, program))
    completed = progress.completed_lesson_ids(session, trainee_id)
    statuses = progress.assessment_statuses(session, trainee_id)
    record = TraineeRecord(enrollment)
    for tier in outline.needed_tiers(enrollment.target_role):
        for track in progress.live(tier.tracks):
            for course in progress.live(track.courses):
                record.courses.append(CourseRow(
                    course, progress.course_progress(course, completed),
                    [(a, statuses.get(a.id)) for a in progress.live(course.assessments)]))
    horizon = today + timedelta(days=UPCOMING_DAYS)
    joined = clock.joined_on(enrollment.created_at, timezone)
    for assessment, due in outline.assessments_with_due(enrollment.target_role, enrollment.cohort.start_date):
        due = clock.catch_up(due, joined)
        status = statuses.get(assessment.id)
        if status == "passed":
            continue
        item = RecordItem(assessment, due, status == "waiting")
        if due.date < today and not item.waiting:
            record.overdue.append(item)
        elif today <= due.date <= horizon:
            record.upcoming.append(item)
    record.upcoming.sort(key=lambda i: i.due.date)
    # the loader brought the baselines with who rated them (load_enrollment)
    record.baselines = sorted(enrollment.baselines, key=lambda b: list(Competency).index(b.competency))
    record.scores = attainment(session, [trainee_id], rubrics(outline.tiers))[trainee_id]  # criteria as cached
    record.readiness = readiness(program, enrollment.target_role, record.scores)
    record.submissions = list(session.scalars(
        sa.select(Submission).where(Submission.id.in_(sa.select(credited([trainee_id]).c.submission_id)),
                                    Submission.state != SubmissionState.DRAFT)
        .options(selectinload(Submission.assessment)).order_by(Submission.id.desc())
    ))
    return record
