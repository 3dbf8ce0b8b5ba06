"""Where a trainee in training stands: on track, behind or at risk, and why — the rule in
one place, as SQL, so the dashboard counts every trainee of a cohort in one statement.

At risk, for any of these reasons:
- `out_of_attempts`: failed the last allowed attempt of a required assessment, never passed;
- `overdue`: AT_RISK_OVERDUE or more required assessments past their due week, neither
  passed nor handed in (work waiting for a grade is never overdue: the trainee did their part);
- `no_mentor`: an active trainee without a current AI or business mentor (the cohort page's rule);
- `inactive`: nothing done (no lesson completed, no work saved) for INACTIVE_DAYS, once
  training has begun.
Behind: not at risk, with at least one required assessment overdue. Otherwise on track.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa

from lms.models import Assessment, CapstoneMember, Enrollment, LessonProgress, Submission, SubmissionState
from lms.services.dashboards import _lacking_mentor as lacking_mentor
from lms.services.report_scope import FACTS

AT_RISK_OVERDUE = 2
INACTIVE_DAYS = 14
REASONS = ("out_of_attempts", "overdue", "no_mentor", "inactive")

P_INACTIVE_SINCE = sa.bindparam("inactive_since", type_=sa.DateTime)


def inactive_since(now: datetime) -> datetime:
    return now - timedelta(days=INACTIVE_DAYS)


def credited_exists(trainee_id, assessment_id, *where) -> sa.ColumnElement:
    """Whether a submission that counts for the trainee (their own, or their capstone group's)
    of the assessment meets `where`: two indexed EXISTS, not a scan of a derived table."""
    # correlate_except: the trainee and assessment columns come from selects two or three levels
    # out, which auto-correlation (the enclosing select only) would pull in as a cross join
    own = (sa.exists().where(Submission.trainee_id == trainee_id, Submission.assessment_id == assessment_id,
                             Submission.group_id.is_(None), *where).correlate_except(Submission))
    group = (sa.exists().where(CapstoneMember.trainee_id == trainee_id,
                               Submission.group_id == CapstoneMember.group_id,
                               Submission.assessment_id == assessment_id, *where)
             .correlate_except(Submission, CapstoneMember))
    return sa.or_(own, group)


def passed(trainee_id, assessment_id) -> sa.ColumnElement:
    return credited_exists(trainee_id, assessment_id, Submission.passed.is_(True))


def waiting(trainee_id, assessment_id) -> sa.ColumnElement:
    return credited_exists(trainee_id, assessment_id, Submission.state == SubmissionState.SUBMITTED)


def standing_select(req: sa.Subquery) -> sa.Select:
    """One row per enrollment in training in scope: overdue count, the four reasons as flags,
    `at_risk` and `behind`. `req`: `report_scope.requirements(...).table`."""
    f = FACTS
    mine = sa.and_(req.c.program_id == f.c.program_id, req.c.role == f.c.target_role)
    overdue = (sa.select(sa.func.count()).select_from(req)
               .where(mine, req.c.end_week < f.c.cohort_week, ~passed(f.c.trainee_id, req.c.assessment_id),
                      ~waiting(f.c.trainee_id, req.c.assessment_id))
               .correlate_except(req).scalar_subquery())
    out_of_attempts = (
        sa.exists().select_from(req).where(
            mine, ~passed(f.c.trainee_id, req.c.assessment_id),
            credited_exists(f.c.trainee_id, req.c.assessment_id, Submission.state == SubmissionState.GRADED,
                            Submission.passed.is_(False),
                            Submission.attempt_no >= sa.select(Assessment.max_attempts)
                            .where(Assessment.id == req.c.assessment_id).correlate_except(Assessment)
                            .scalar_subquery())).correlate_except(req))
    busy = sa.or_(
        sa.exists().where(LessonProgress.trainee_id == f.c.trainee_id, LessonProgress.completed_at >= P_INACTIVE_SINCE)
        .correlate_except(LessonProgress),
        sa.exists().where(Submission.trainee_id == f.c.trainee_id, Submission.updated_at >= P_INACTIVE_SINCE)
        .correlate_except(Submission))
    inactive = sa.and_(f.c.cohort_week >= 1, Enrollment.created_at < P_INACTIVE_SINCE, ~busy)
    rows = (sa.select(f.c.enrollment_id, f.c.trainee_id, f.c.cohort_id, overdue.label("overdue"),
                      out_of_attempts.label("out_of_attempts"), lacking_mentor().label("no_mentor"),
                      inactive.label("inactive"))
            .join(Enrollment, Enrollment.id == f.c.enrollment_id)
            .where(f.c.in_training.is_(True))
            .subquery("standing_rows"))
    at_risk = sa.or_(rows.c.out_of_attempts, rows.c.overdue >= AT_RISK_OVERDUE, rows.c.no_mentor, rows.c.inactive)
    return sa.select(*rows.c, at_risk.label("at_risk"),
                     sa.and_(~at_risk, rows.c.overdue >= 1).label("behind"))


def reasons(row) -> list[str]:
    """The reasons of a standing row, in REASONS order."""
    out = []
    if row.out_of_attempts:
        out.append("out_of_attempts")
    if row.overdue >= AT_RISK_OVERDUE:
        out.append("overdue")
    if row.no_mentor:
        out.append("no_mentor")
    if row.inactive:
        out.append("inactive")
    return out
