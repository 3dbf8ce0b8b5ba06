"""A cohort's key figures for the HR API, in a fixed number of statements (aggregates in SQL):
head counts and mentor gaps (the cohort page's own definitions, lms/services/dashboards.py),
placement and outcomes, transition success beside the source's 83%, contributions and awards
(lms/services/contributions.py). `kpis` is the one call the API makes."""

from datetime import date
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import (
    BufferOutcome,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Placement,
    TrainingOutcome,
    TrainingOutcomeKind,
)
from lms.services import clock, contributions
from lms.services.dashboards import _lacking_mentor
from lms.services.placement import cohort_buffer_until

TRANSITION_SUCCESS_REFERENCE = 0.83  # the source's 120-person program
PLACED_BY_WEEK = 14

_COHORT = sa.bindparam("cohort_id", type_=sa.Integer)
_ENROLLMENTS = (
    sa.select(sa.func.count(Enrollment.id),
              sa.func.count(Enrollment.id).filter(Enrollment.status == EnrollmentStatus.ACTIVE),
              sa.func.count(Enrollment.id).filter(Enrollment.status == EnrollmentStatus.WITHDRAWN),
              sa.func.count(Enrollment.id).filter(_lacking_mentor()))
    .where(Enrollment.cohort_id == _COHORT))
_BUFFER_OPEN = sa.or_(Placement.outcome.is_(None), Placement.outcome == BufferOutcome.EXTENDED)
_PLACEMENTS = (
    sa.select(sa.func.count(Placement.id),
              sa.func.count(Placement.id).filter(Placement.start_date <= sa.bindparam("placed_by", type_=sa.Date)),
              sa.func.count(Placement.id).filter(_BUFFER_OPEN),
              *(sa.func.count(Placement.id).filter(Placement.outcome == o) for o in BufferOutcome))
    .join(Enrollment, Enrollment.id == Placement.enrollment_id).where(Enrollment.cohort_id == _COHORT))
_NOT_PLACED = (
    sa.select(TrainingOutcome.kind, sa.func.count(TrainingOutcome.id))
    .join(Enrollment, Enrollment.id == TrainingOutcome.enrollment_id)
    .where(Enrollment.cohort_id == _COHORT).group_by(TrainingOutcome.kind))
# Still in training: active, neither placed nor given an outcome (extended training is on its way too).
_IN_TRAINING = (
    sa.select(sa.func.count(Enrollment.id))
    .where(Enrollment.cohort_id == _COHORT, Enrollment.status == EnrollmentStatus.ACTIVE,
           ~sa.exists().where(Placement.enrollment_id == Enrollment.id),
           ~sa.exists().where(TrainingOutcome.enrollment_id == Enrollment.id,
                              TrainingOutcome.kind != TrainingOutcomeKind.EXTENDED_TRAINING)))


def _rate(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def kpis(session: Session, cohort: Cohort, today: date) -> dict[str, Any]:
    """The cohort's figures as plain data. Transition success = buffer completed ÷ (enrolled −
    still in progress), in progress being in training or in a buffer that has not ended."""
    params = {"cohort_id": cohort.id}
    enrolled, active, withdrawn, lacking = session.execute(_ENROLLMENTS, params).one()
    placed_by = clock.week_end(cohort.start_date, PLACED_BY_WEEK)
    placed, placed_in_time, in_buffer, *by_outcome = session.execute(
        _PLACEMENTS, {**params, "placed_by": placed_by}).one()
    outcomes = dict(zip((o.value for o in BufferOutcome), by_outcome, strict=True))
    not_placed = {kind.value: 0 for kind in TrainingOutcomeKind}
    not_placed.update({kind.value: n for kind, n in session.execute(_NOT_PLACED, params)})
    in_training = session.scalar(_IN_TRAINING, params) or 0
    settled = enrolled - in_training - in_buffer
    return {
        "phase": clock.phase(cohort.start_date, today, cohort.closed_at is not None, cohort.program.weeks,
                             cohort_buffer_until(session, cohort.id)).value,
        "week": clock.week_of(cohort.start_date, today),
        "enrollment": {"enrolled": enrolled, "active": active, "withdrawn": withdrawn, "lacking_mentor": lacking},
        "placement": {"placed": placed, "placed_by_week_14": placed_in_time,
                      "placed_by_week_14_rate": _rate(placed_in_time, enrolled), "in_training": in_training,
                      "in_buffer": in_buffer, "buffer_outcomes": outcomes, "not_placed": not_placed},
        "transition_success": {"completed": outcomes[BufferOutcome.COMPLETED.value], "settled": settled,
                               "rate": _rate(outcomes[BufferOutcome.COMPLETED.value], settled),
                               "reference": TRANSITION_SUCCESS_REFERENCE},
        "contributions": contributions.summary(session, cohort_id=cohort.id),
    }
