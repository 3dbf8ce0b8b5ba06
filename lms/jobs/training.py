"""Training reminders for trainees: work due within 48 hours, work past its due date, and the
last attempt at an assessment failed (to the trainee, both mentors and the admins). Due dates,
pass states and tier locks come from the services the trainee's home page uses."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from lms.jobs.context import JobContext
from lms.models import (
    Assessment,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    NotificationKind,
    Placement,
    Submission,
    SubmissionState,
    User,
)
from lms.permissions import coaching_mentors
from lms.services import clock, dashboards, progress
from lms.services.cohorts import current_enrollment
from lms.services.outbox import admin_ids

DUE_SOON_HOURS = 48
EXHAUSTED_LOOKBACK_DAYS = 14  # a failed last attempt graded longer ago than this was told about then


def _training_enrollments(ctx: JobContext) -> Iterator[tuple[Enrollment, list[dashboards.DueItem]]]:
    """Each active trainee of an open cohort in intake or training, not placed, with the open work
    of the tiers they have unlocked (as their home page lists it)."""
    placed = sa.exists().where(Placement.enrollment_id == Enrollment.id)
    enrollments = ctx.session.scalars(
        sa.select(Enrollment).join(Cohort)
        .where(Enrollment.status == EnrollmentStatus.ACTIVE, Enrollment.cohort_open.is_(True),
               Cohort.closed_at.is_(None), ~placed)
        .options(joinedload(Enrollment.cohort).joinedload(Cohort.program), joinedload(Enrollment.trainee))
        .order_by(Enrollment.id)).all()
    outlines: dict[int, dashboards.Outline] = {}
    for enrollment in enrollments:
        cohort = enrollment.cohort
        phase = clock.phase(cohort.start_date, ctx.today, False, cohort.program.weeks)
        if phase not in (clock.Phase.INTAKE, clock.Phase.TRAINING):
            continue
        if cohort.program_id not in outlines:
            outlines[cohort.program_id] = dashboards.Outline(cohort.program,
                                                             progress.load_outline(ctx.session, cohort.program))
        outline = outlines[cohort.program_id]
        statuses = progress.assessment_statuses(ctx.session, enrollment.trainee_id)
        passed = {a for a, s in statuses.items() if s == "passed"}
        waiting = frozenset(a for a, s in statuses.items() if s == "waiting")
        states = progress.tier_states(outline.role_tiers(enrollment.target_role), passed, set(),
                                      cohort.program.tiers_for_role(enrollment.target_role))
        locked = {s.tier.id for s in states if not s.unlocked}
        items = [i for i in dashboards.due_items(outline, enrollment, passed, ctx.today,
                                                       ctx.settings.timezone, waiting)
                 if i.assessment.course.track.tier_id not in locked]
        yield enrollment, items


def _due_end(day, zone: str) -> datetime:
    """The end of a due date (local midnight after it), naive UTC."""
    return (datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo(zone))
            .astimezone(UTC).replace(tzinfo=None))


def assessments_due(ctx: JobContext) -> None:
    """Work due within 48 hours and not handed in: once per trainee, assessment and due date."""
    for enrollment, items in _training_enrollments(ctx):
        for item in items:
            if item.status not in ("this_week", "later"):
                continue
            left = _due_end(item.due.date, ctx.settings.timezone) - ctx.now
            if timedelta(0) < left <= timedelta(hours=DUE_SOON_HOURS):
                ctx.notify(enrollment.trainee_id, NotificationKind.ASSESSMENT_DUE,
                           f"{enrollment.id}:{item.assessment.id}:{item.due.date.isoformat()}",
                           program_id=enrollment.cohort.program_id, assessment=item.assessment.title,
                           assessment_id=item.assessment.id, due=item.due.date.isoformat())


def overdue_work(ctx: JobContext) -> None:
    """Work past its due date and not handed in: one reminder per trainee a week, naming it."""
    year, week, _ = ctx.today.isocalendar()
    for enrollment, items in _training_enrollments(ctx):
        overdue = sorted((i for i in items if i.status == "overdue"), key=lambda i: i.due.date)
        if overdue:
            ctx.notify(enrollment.trainee_id, NotificationKind.WORK_OVERDUE, f"{enrollment.id}:{year}-W{week:02d}",
                       program_id=enrollment.cohort.program_id, count=len(overdue),
                       titles=[i.assessment.title for i in overdue[:3]], assessment_id=overdue[0].assessment.id)


def attempts_exhausted(ctx: JobContext) -> None:
    """A trainee's last allowed attempt was graded and failed, and no attempt passed: the trainee,
    both their mentors and the admins hear of it once (per final attempt)."""
    other = aliased(Submission)
    passed = sa.exists().where(other.trainee_id == Submission.trainee_id,
                               other.assessment_id == Submission.assessment_id, other.passed.is_(True))
    rows = ctx.session.execute(
        sa.select(Submission.id, Submission.trainee_id, Submission.assessment_id, Submission.attempt_no,
                  Assessment.title, User.name)
        .join(Assessment, Assessment.id == Submission.assessment_id).join(User, User.id == Submission.trainee_id)
        .where(Submission.state == SubmissionState.GRADED, Submission.passed.is_(False),
               Submission.group_id.is_(None), Submission.attempt_no >= Assessment.max_attempts,
               Submission.graded_at >= ctx.now - timedelta(days=EXHAUSTED_LOOKBACK_DAYS), ~passed)
        .order_by(Submission.id)).all()
    admins = admin_ids(ctx.session)
    for row in rows:
        enrollment = current_enrollment(ctx.session, row.trainee_id)
        if enrollment is None:
            continue
        common = {"program_id": enrollment.cohort.program_id, "trainee": row.name, "assessment": row.title,
                  "attempts": row.attempt_no, "assessment_id": row.assessment_id, "enrollment_id": enrollment.id}
        key = str(row.id)
        ctx.notify(row.trainee_id, NotificationKind.ATTEMPTS_EXHAUSTED, key, own=True, **common)
        mentors = [a.mentor_id for a in coaching_mentors(ctx.session, row.trainee_id)]
        for user_id in dict.fromkeys([*mentors, *admins]):
            ctx.notify(user_id, NotificationKind.ATTEMPTS_EXHAUSTED, key, **common)
