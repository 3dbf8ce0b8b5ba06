"""A cohort's key figures for the HR API, read through the dashboard's own service functions
(lms/services/dashboard_training.py, dashboard_buffer.py) over the scope of that one cohort,
so the API and the cohort dashboard give the same numbers: head counts (in training, in
buffer, finished: lms/services/enrollment_state.py), placement (placed by week 14 of the
enrollments in cohorts past week 14), outcomes, transition success beside the source's 83%,
contributions and awards. The mentor gaps are the cohort page's count (lms/services/dashboards.py).
`kpis` is the one call the API makes; a fixed number of statements, aggregates in SQL."""

from collections import Counter
from datetime import date, datetime, time
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import BufferOutcome, Cohort, Enrollment, TrainingOutcomeKind
from lms.services import clock, dashboard_buffer, dashboard_training
from lms.services.dashboards import _lacking_mentor
from lms.services.report_scope import Scope

TRANSITION_SUCCESS_REFERENCE = 0.83  # the source's 120-person program
PLACED_BY_WEEK = clock.PLACEMENT_WEEK

_LACKING = (sa.select(sa.func.count(Enrollment.id))
            .where(Enrollment.cohort_id == sa.bindparam("cohort_id", type_=sa.Integer), _lacking_mentor()))


def _rate(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def kpis(session: Session, cohort: Cohort, today: date) -> dict[str, Any]:
    """The cohort's figures as plain data. Transition success = buffer completed ÷ (enrolled −
    still in progress), in progress being in training or in a buffer that has not ended."""
    params = Scope(cohort_id=cohort.id).params(today, datetime.combine(today, time()))
    total = dashboard_training.funnel(session, params, []).total
    outcomes = dashboard_buffer.outcomes(session, params)
    rows = dashboard_training.cohorts(session, params)
    buffer_until = rows[0].buffer_until if rows else None
    by_buffer_outcome = Counter({o.value: 0 for o in BufferOutcome})
    by_buffer_outcome[BufferOutcome.COMPLETED.value] = total.completed
    for outcome, _reason, n in outcomes.buffer_not_completed:
        by_buffer_outcome[str(getattr(outcome, "value", outcome))] += n
    not_placed = Counter({kind.value: 0 for kind in TrainingOutcomeKind})
    for kind, _reason, n in outcomes.not_placed:
        not_placed[str(getattr(kind, "value", kind))] += n
    contributions = dashboard_buffer.contributions(session, params)
    settled = total.enrolled - total.in_progress
    return {
        "phase": clock.phase(cohort.start_date, today, cohort.closed_at is not None, cohort.program.weeks,
                             buffer_until).value,
        "week": clock.week_of(cohort.start_date, today),
        "enrollment": {"enrolled": total.enrolled, "active": total.enrolled - total.withdrawn,
                       "withdrawn": total.withdrawn,
                       "lacking_mentor": session.scalar(_LACKING, {"cohort_id": cohort.id}) or 0},
        "placement": {"placed": total.placed, "placed_by_week_14": total.placed_in_time,
                      "placed_by_week_14_of": total.past_placement_week,
                      "placed_by_week_14_rate": _rate(total.placed_in_time, total.past_placement_week),
                      "in_training": total.in_training, "in_buffer": total.in_buffer, "finished": total.finished,
                      "buffer_outcomes": dict(by_buffer_outcome), "not_placed": dict(not_placed)},
        "transition_success": {"completed": total.completed, "settled": settled,
                               "rate": _rate(total.completed, settled),
                               "reference": TRANSITION_SUCCESS_REFERENCE},
        "contributions": {"total": contributions.total, "adopted": contributions.adopted,
                          "awarded": contributions.awarded, "amount": contributions.amount,
                          "rate": contributions.adoption_rate},
    }
