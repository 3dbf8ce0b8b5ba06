"""Where a trainee in training stands: on track, behind or at risk, and why — the rule in
one place, as SQL, so the dashboard counts every trainee of a cohort in one statement.

At risk, for any of these reasons:
- `out_of_attempts`: failed the last allowed attempt of a required assessment, never passed;
- `overdue`: AT_RISK_OVERDUE or more required assessments past their due date, neither
  passed nor handed in (work waiting for a grade is never overdue: the trainee did their part);
  work due before the trainee joined is due `clock.CATCH_UP_DAYS` after they joined (`clock.catch_up`);
- `no_mentor`: an active trainee without a current AI or business mentor (the cohort page's rule);
- `inactive`: nothing done (no lesson completed, no work saved) for INACTIVE_DAYS, once
  training has begun.
Behind: not at risk, with at least one required assessment overdue. Otherwise on track.

The dashboard counts it per scope (`dashboard_training.standing_figures`); the mentors'
reminders and digests (lms/jobs/) read it per enrollment through `standings`.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import Cohort, Enrollment, LessonProgress, Submission
from lms.services import clock
from lms.services.dashboards import _lacking_mentor as lacking_mentor
from lms.services.report_scope import P_TODAY, SCOPE_PROGRAMS, Scope, pair_rows, requirements
from lms.services.sql_dialect import days_between, local_date

AT_RISK_OVERDUE = 2
INACTIVE_DAYS = 14
REASONS = ("out_of_attempts", "overdue", "no_mentor", "inactive")

P_INACTIVE_SINCE = sa.bindparam("inactive_since", type_=sa.DateTime)
P_UTC_OFFSET = sa.bindparam("utc_offset", type_=sa.Integer)  # minutes: the day someone joined, in the program's zone


def inactive_since(now: datetime) -> datetime:
    return now - timedelta(days=INACTIVE_DAYS)


def params(scope: Scope, today: date, now: datetime, timezone: str) -> dict:
    """The parameters of `standing_select` (and of the scope's other report selects)."""
    return {**scope.params(today, now), "inactive_since": inactive_since(now),
            "utc_offset": clock.utc_offset_minutes(timezone, now)}


def _overdue(pairs: sa.Subquery) -> sa.ColumnElement:
    """`clock.catch_up` in SQL: past its due date (the end of its due week; for work due before the
    day the trainee joined, CATCH_UP_DAYS after that day), neither passed nor waiting for a grade."""
    joined = days_between(local_date(Enrollment.created_at, P_UTC_OFFSET), Cohort.start_date)
    due_before_joining = 7 * pairs.c.end_week + 6 < joined
    caught_up_over = days_between(P_TODAY, Cohort.start_date) > joined + clock.CATCH_UP_DAYS
    return sa.and_(pairs.c.end_week < pairs.c.cohort_week, pairs.c.passed == 0, pairs.c.waiting == 0,
                   sa.or_(~due_before_joining, caught_up_over))


def standing_select(req: sa.Subquery) -> sa.Select:
    """One row per enrollment in training in scope: overdue count, the four reasons as flags,
    `at_risk` and `behind`. `req`: `report_scope.requirements(...).table`."""
    pairs = pair_rows(req)
    work = (sa.select(pairs.c.enrollment_id, pairs.c.trainee_id, pairs.c.cohort_id, pairs.c.cohort_week,
                      sa.func.sum(sa.case((_overdue(pairs), 1), else_=0)).label("overdue"),
                      sa.func.max(sa.case((sa.and_(pairs.c.exhausted == 1, pairs.c.passed == 0), 1), else_=0))
                      .label("exhausted"))
            .select_from(pairs).join(Enrollment, Enrollment.id == pairs.c.enrollment_id)
            .join(Cohort, Cohort.id == pairs.c.cohort_id)
            .where(pairs.c.in_training.is_(True))
            .group_by(pairs.c.enrollment_id, pairs.c.trainee_id, pairs.c.cohort_id, pairs.c.cohort_week)
            .subquery("work"))
    busy = sa.or_(
        sa.exists().where(LessonProgress.trainee_id == work.c.trainee_id,
                          LessonProgress.completed_at >= P_INACTIVE_SINCE).correlate_except(LessonProgress),
        sa.exists().where(Submission.trainee_id == work.c.trainee_id, Submission.updated_at >= P_INACTIVE_SINCE)
        .correlate_except(Submission))
    # counted from the start of week 1 at the earliest (intake week has no lessons to do): from
    # week 1 + INACTIVE_DAYS // 7 on, and enrolled INACTIVE_DAYS ago at least
    inactive = sa.and_(work.c.cohort_week >= 1 + INACTIVE_DAYS // 7, Enrollment.created_at < P_INACTIVE_SINCE, ~busy)
    rows = (sa.select(work.c.enrollment_id, work.c.trainee_id, work.c.cohort_id, work.c.overdue,
                      (work.c.exhausted == 1).label("out_of_attempts"), lacking_mentor().label("no_mentor"),
                      inactive.label("inactive"))
            .join(Enrollment, Enrollment.id == work.c.enrollment_id)
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


@dataclass(frozen=True)
class EnrollmentStanding:
    enrollment_id: int
    at_risk: bool
    behind: bool
    reasons: tuple[str, ...]  # REASONS, when at risk


def standings(session: Session, today: date, now: datetime, timezone: str,
              scope: Optional[Scope] = None) -> dict[int, EnrollmentStanding]:
    """Every enrollment in training in `scope` (every cohort by default) → its standing, in one
    statement over the outlines of the programs in scope."""
    values = params(scope or Scope(), today, now, timezone)
    reqs = requirements(session, list(session.scalars(SCOPE_PROGRAMS, values)))
    return {r.enrollment_id: EnrollmentStanding(r.enrollment_id, bool(r.at_risk), bool(r.behind),
                                                tuple(reasons(r)) if r.at_risk else ())
            for r in session.execute(_selects(reqs.table), values)}


_built: dict = {}


def _selects(req: sa.Subquery) -> sa.Select:
    """`standing_select` built once per requirements table (a catalogue version)."""
    found = _built.get(id(req))
    if found is None or found[0] is not req:
        if len(_built) > 16:
            _built.clear()
        found = _built[id(req)] = (req, standing_select(req))
    return found[1]
