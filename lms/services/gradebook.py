"""A cohort's gradebook: trainees × assessments, each cell the trainee's status, best score,
attempts and lateness, linked to the attempt an admin reads.

Rows are filtered in SQL (by track: the trainees whose role takes it) and read in one
statement with the figures they sort by (assessments passed, the best score on one
assessment); they are sorted in Python, names by pinyin (`name_order`: SQL sorts by code
point), and paged from the list, so a page costs the same statements at any cohort size; the
cells of the page's trainees come from one grouped select.
"""

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import Enrollment, EnrollmentStatus, Placement, Submission, SubmissionState, TrainingOutcome, User
from lms.services import clock, enrollment_state, progress
from lms.services.name_order import name_key
from lms.services.outline import OutlineAssessment, OutlineTier, OutlineTrack, roles_by_track
from lms.services.report_scope import CREDITED

SORTS = ("name", "passed", "score")
_COHORT = sa.bindparam("cohort_id", type_=sa.Integer)
_ROLES = sa.bindparam("roles", expanding=True)
_ASSESSMENT = sa.bindparam("assessment_id", type_=sa.Integer)
_TRAINEES = sa.bindparam("trainee_ids", expanding=True)

_credit = sa.and_(Submission.id == CREDITED.c.submission_id, CREDITED.c.trainee_id == Enrollment.trainee_id)
_PASSED_COUNT = (sa.select(sa.func.count(sa.distinct(Submission.assessment_id))).select_from(CREDITED)
                 .join(Submission, _credit).where(Submission.passed.is_(True)).scalar_subquery())
_BEST_ON = (sa.select(sa.func.max(Submission.score)).select_from(CREDITED).join(Submission, _credit)
            .where(Submission.assessment_id == _ASSESSMENT, Submission.state == SubmissionState.GRADED)
            .scalar_subquery())


@functools.lru_cache(maxsize=4)
def rows_select(by_track: bool, by_score: bool) -> sa.Select:
    """The cohort's trainees (parameter `cohort_id`; with `by_track`, those whose role is in
    `roles`), each with the assessments passed and (with `by_score`, `assessment_id`) the best
    score on one assessment; built once per shape. `sort_rows` orders them."""
    query = (sa.select(Enrollment.id, Enrollment.trainee_id, User.name, User.email, Enrollment.target_role,
                       (Enrollment.status == EnrollmentStatus.ACTIVE).label("active"),
                       _PASSED_COUNT.label("passed"),
                       (_BEST_ON if by_score else sa.null()).label("best_on"),
                       # the facts of enrollment_state.state_of: training over, nothing is overdue
                       sa.exists().where(Placement.enrollment_id == Enrollment.id).label("placed"),
                       sa.select(Placement.outcome).where(Placement.enrollment_id == Enrollment.id)
                       .scalar_subquery().label("buffer_outcome"),
                       sa.select(TrainingOutcome.kind).where(TrainingOutcome.enrollment_id == Enrollment.id)
                       .scalar_subquery().label("training_outcome"),
                       Enrollment.withdrawn_on, Enrollment.created_at)
             .join(User, User.id == Enrollment.trainee_id).where(Enrollment.cohort_id == _COHORT))
    if by_track:
        query = query.where(Enrollment.target_role.in_(_ROLES))
    return query.order_by(Enrollment.id)


def sort_rows(rows, sort: str, descending: bool) -> list:
    """By name (pinyin), or by assessments passed or the best score (no score: last either way,
    by name), names by pinyin within a tie."""
    by_name = sorted(rows, key=lambda r: (name_key(r.name), r.id), reverse=descending and sort == "name")
    if sort == "passed":
        return sorted(by_name, key=lambda r: r.passed or 0, reverse=descending)  # stable: ties keep name order
    if sort == "score":
        scored = sorted((r for r in by_name if r.best_on is not None), key=lambda r: r.best_on, reverse=descending)
        return scored + [r for r in by_name if r.best_on is None]
    return by_name


def state(row) -> enrollment_state.State:
    """Where a gradebook row's enrollment stands (in training, in buffer, finished, withdrawn)."""
    return enrollment_state.state_of(row.active, row.placed, row.buffer_outcome, row.training_outcome)


# Per page trainee and assessment: attempts handed in, best score, passed, waiting, a draft, the
# first hand-in (for lateness) and the latest handed-in attempt (the cell's link: an admin reads
# submitted work, never a draft).
_handed_in = Submission.state != SubmissionState.DRAFT
CELLS = (
    sa.select(CREDITED.c.trainee_id, Submission.assessment_id,
              sa.func.count(Submission.id).filter(_handed_in),
              sa.func.max(Submission.score).filter(Submission.state == SubmissionState.GRADED),
              sa.func.max(sa.case((Submission.passed.is_(True), 1), else_=0)),
              sa.func.max(sa.case((Submission.state == SubmissionState.SUBMITTED, 1), else_=0)),
              sa.func.max(sa.case((Submission.state == SubmissionState.DRAFT, 1), else_=0)),
              sa.func.min(Submission.submitted_at),
              sa.func.max(sa.case((_handed_in, Submission.id))),
              sa.func.min(sa.case((Submission.passed.is_(True), Submission.submitted_at))))
    .select_from(CREDITED).join(Submission, Submission.id == CREDITED.c.submission_id)
    .where(CREDITED.c.trainee_id.in_(_TRAINEES))
    .group_by(CREDITED.c.trainee_id, Submission.assessment_id))


@dataclass(frozen=True, slots=True)
class Cell:
    # passed | failed | waiting | draft | overdue | open | not_taken (the role does not take it) |
    # ended (nothing handed in, and training is over: placed, a final outcome or withdrawn)
    status: str
    best: Optional[float] = None
    attempts: int = 0
    late: bool = False  # handed in (the passing attempt, else the first) after the due day
    submission_id: Optional[int] = None  # the latest handed-in attempt


@dataclass(frozen=True)
class Column:
    assessment: OutlineAssessment
    track: OutlineTrack
    tier: OutlineTier
    due: date
    roles: frozenset  # target roles that take it


def columns(tiers, program, start: date, track_id: Optional[int] = None) -> list[Column]:
    """The program's live assessments in program order (one track's, when given), with due days."""
    takers = roles_by_track(program, tiers)
    out = []
    for tier in tiers:
        for track in progress.live(tier.tracks):
            if track_id is not None and track.id != track_id:
                continue
            for course in progress.live(track.courses):
                for a in progress.live(course.assessments):
                    out.append(Column(a, track, tier, clock.week_end(start, track.end_week),
                                      frozenset(takers.get(track.id, ()))))
    return out


def _local_day(moment: datetime, zone: str) -> date:
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).date()


def cells(session: Session, trainees: list, cols: list[Column], today: date, zone: str) -> dict:
    """(enrollment id, assessment id) → Cell for the page's rows (one statement)."""
    found = {}
    if trainees:
        for (trainee_id, assessment_id, attempts, best, passed, waiting, draft, first, latest,
             passed_at) in session.execute(CELLS, {"trainee_ids": [t.trainee_id for t in trainees]}):
            found[(trainee_id, assessment_id)] = (attempts, best, passed, waiting, draft, first, latest, passed_at)
    out = {}
    for t in trainees:
        training = state(t).code == "in_training"  # only work still to do can be overdue
        joined = clock.joined_on(t.created_at, zone)
        for col in cols:
            a = col.assessment
            due = clock.due_day_for(col.due, joined)  # joined late: due later for them
            if t.target_role not in col.roles:
                out[(t.id, a.id)] = Cell("not_taken")
                continue
            data = found.get((t.trainee_id, a.id))
            if data is None:
                out[(t.id, a.id)] = Cell(("overdue" if today > due else "open") if training else "ended")
                continue
            attempts, best, passed, waiting, draft, first, latest, passed_at = data
            handed = passed_at or first
            late = handed is not None and _local_day(handed, zone) > due
            if passed:
                status = "passed"
            elif waiting:
                status = "waiting"
            elif attempts:
                status = "failed"
            elif not training:
                status = "ended"
            else:
                status = "overdue" if today > due else "draft"
            out[(t.id, a.id)] = Cell(status, best, attempts, late, latest)
    return out


def taken(cols: list[Column], rows, cells: dict, keep: Optional[int] = None) -> list[Column]:
    """The columns someone in `rows` has taken (handed in, or started a draft), and the column
    `keep` (the one the rows are sorted by); every column when there is no row."""
    if not rows:
        return cols
    return [col for col in cols if col.assessment.id == keep or any(
        cells[(r.id, col.assessment.id)].attempts or cells[(r.id, col.assessment.id)].status == "draft"
        for r in rows)]


def tracks(tiers) -> list[tuple[OutlineTier, OutlineTrack]]:
    return [(tier, track) for tier in tiers for track in progress.live(tier.tracks)
            if any(progress.live(c.assessments) for c in progress.live(track.courses))]

