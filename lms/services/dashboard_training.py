"""The dashboard's training figures: funnel, progress by phase and tier, standing,
assessments, grading turnaround, mentor calibration and competencies.

Every figure is an aggregate the database computes over the report's scope
(`report_scope.FACTS`); Python only arranges the few grouped rows for the page.
Selects that do not depend on the catalogue are module constants; those that join the
requirements are built once per catalogue version (`_memo`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from lms.models import (
    Assessment,
    BaselineRating,
    BufferOutcome,
    Cohort,
    Competency,
    Grade,
    GraderKind,
    MentorKind,
    Program,
    RubricCriterion,
    Submission,
    SubmissionState,
    TierCode,
    User,
)
from lms.services import standing
from lms.services.attainment_sql import scores_select
from lms.services.report_scope import CREDITED, FACTS, P_COHORT, Requirements, pair_rows
from lms.services.sql_dialect import count_if, json_length, json_max_points, json_number, seconds_between

f = FACTS
AT_RISK_SHOWN = 25  # the at-risk rows named on the page; the rest are counted (and in the roster export)


# --- funnel ----------------------------------------------------------------------------


@dataclass
class FunnelRow:
    """Enrollments counted by where they stand (lms/services/enrollment_state.py)."""

    source_role: Optional[str]
    target_role: str
    enrolled: int = 0
    withdrawn: int = 0
    tiers: dict = field(default_factory=dict)  # tier code → passed (absent: the role does not need it)
    tier_bases: dict = field(default_factory=dict)  # tier code → enrolled whose role needs it (the tier's base)
    placed: int = 0  # placed, any time
    placed_in_time: int = 0  # placed by week 14, of those in cohorts past week 14
    past_placement_week: int = 0  # enrolled in cohorts past week 14 (the base of placed_in_time)
    completed: int = 0  # buffer completed
    in_progress: int = 0  # in training + in buffer
    in_training: int = 0
    in_buffer: int = 0

    COUNTS = ("enrolled", "withdrawn", "placed", "placed_in_time", "past_placement_week", "completed",
              "in_progress", "in_training", "in_buffer")

    @property
    def finished(self) -> int:
        """A final outcome: neither withdrawn nor still in progress."""
        return self.enrolled - self.withdrawn - self.in_progress

    @property
    def placed_in_time_share(self) -> Optional[float]:
        return self.placed_in_time / self.past_placement_week if self.past_placement_week else None

    @property
    def transition_success(self) -> Optional[float]:
        """Buffer completed ÷ (enrolled − still in progress)."""
        settled = self.enrolled - self.in_progress
        return self.completed / settled if settled else None

    def add(self, other: "FunnelRow") -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for code, n in other.tiers.items():
            self.tiers[code] = self.tiers.get(code, 0) + n
        for code, n in other.tier_bases.items():
            self.tier_bases[code] = self.tier_bases.get(code, 0) + n


_BY_ROLES = (
    sa.select(f.c.source_role, f.c.target_role, sa.func.count(), count_if(f.c.withdrawn), count_if(f.c.placed),
              count_if(sa.and_(f.c.placed_in_time, f.c.past_placement_week)), count_if(f.c.past_placement_week),
              count_if(f.c.completed), count_if(f.c.in_progress), count_if(f.c.in_training),
              count_if(f.c.in_buffer))
    .group_by(f.c.source_role, f.c.target_role))


def _tier_counts(req: sa.Subquery) -> sa.Select:
    """One statement, two kinds of rows over the same per-tier progress: ('funnel', source role,
    target role, tier, -, -, trainees who passed every required assessment of it, trainees whose
    role needs it) and ('current', -, target role, -, program, tiers passed, trainees in training
    who passed that many, -)."""
    pairs = pair_rows(req)
    per = (sa.select(pairs.c.enrollment_id, pairs.c.program_id, pairs.c.source_role, pairs.c.target_role,
                     pairs.c.in_training, pairs.c.tier_code, sa.func.count().label("total"),
                     sa.func.sum(pairs.c.passed).label("done"))
           .group_by(pairs.c.enrollment_id, pairs.c.program_id, pairs.c.source_role, pairs.c.target_role,
                     pairs.c.in_training, pairs.c.tier_code)
           .cte("tier_progress"))
    complete = per.c.done == per.c.total
    funnel = (sa.select(sa.literal("funnel").label("kind"), sa.cast(per.c.source_role, sa.String).label("source"),
                        sa.cast(per.c.target_role, sa.String).label("target"), per.c.tier_code,
                        sa.literal(0).label("program_id"), sa.literal(0).label("k"), count_if(complete).label("n"),
                        sa.func.count().label("base"))
              .group_by(per.c.source_role, per.c.target_role, per.c.tier_code))
    done = (sa.select(per.c.program_id, per.c.target_role, count_if(complete).label("k"))
            .where(per.c.in_training.is_(True)).group_by(per.c.enrollment_id, per.c.program_id, per.c.target_role)
            .subquery("tiers_done"))
    current = (sa.select(sa.literal("current"), sa.literal(None, sa.String), sa.cast(done.c.target_role, sa.String),
                         sa.literal(None, sa.String), done.c.program_id, done.c.k, sa.func.count(),
                         sa.literal(0))
               .group_by(done.c.program_id, done.c.target_role, done.c.k))
    return sa.union_all(funnel, current)


def enrollment_progress(req: sa.Subquery) -> sa.Select:
    """Per enrollment in scope: required assessments of its role, how many passed, and how many
    of its tiers are passed in full (the roster export)."""
    pairs = pair_rows(req)
    per = (sa.select(pairs.c.enrollment_id, pairs.c.tier_code, sa.func.count().label("total"),
                     sa.func.sum(pairs.c.passed).label("done"))
           .group_by(pairs.c.enrollment_id, pairs.c.tier_code).subquery("per_tier"))
    return (sa.select(per.c.enrollment_id, sa.func.sum(per.c.total).label("required"),
                      sa.func.sum(per.c.done).label("passed"),
                      count_if(per.c.done == per.c.total).label("tiers_done"))
            .group_by(per.c.enrollment_id))


_memo: dict[int, dict] = {}


def _built(reqs: Requirements) -> dict:
    """The selects that join the requirements, built once per requirements object."""
    key = id(reqs.table)
    entry = _memo.get(key)
    if entry is None or entry["table"] is not reqs.table:
        entry = {"table": reqs.table, "tiers": _tier_counts(reqs.table), "standing": _standing_select(reqs.table)}
        if len(_memo) > 16:
            _memo.clear()
        _memo[key] = entry
    return entry


@dataclass
class Funnel:
    rows: list[FunnelRow]  # per source × target role
    total: FunnelRow
    tier_codes: list[str]  # the tiers any role in scope needs, in program order


def tier_rows(session: Session, params: dict, reqs: Requirements) -> list:
    """The rows of `_tier_counts` (for `funnel` and `tiers_now`)."""
    return session.execute(_built(reqs)["tiers"], params).all()


def funnel(session: Session, params: dict, tiers: list) -> Funnel:
    """`tiers`: `tier_rows`."""
    rows: dict[tuple, FunnelRow] = {}
    for source, target, *counts in session.execute(_BY_ROLES, params):
        rows[(source, target)] = FunnelRow(source, target, tiers={},
                                           **dict(zip(FunnelRow.COUNTS, counts, strict=True)))
    codes = set()
    for kind, source, target, code, _program, _k, passed, base in tiers:
        if kind != "funnel":
            continue
        row = rows.get((source, target))
        if row is not None:
            row.tiers[code] = passed
            row.tier_bases[code] = base
            codes.add(code)
    order = [t.value for t in TierCode]
    total = FunnelRow(None, "")
    ordered = sorted(rows.values(), key=lambda r: (str(r.target_role), str(r.source_role or "")))
    for row in ordered:
        total.add(row)
    return Funnel(ordered, total, [c for c in order if c in codes])


# --- progress: phase and tier -------------------------------------------------------------


_COHORTS = (
    sa.select(Cohort.id, Cohort.code, Cohort.start_date, Cohort.closed_at, Program.weeks,
              count_if(f.c.in_training).label("in_training"), count_if(f.c.in_buffer).label("in_buffer"),
              count_if(sa.and_(~f.c.withdrawn, ~f.c.in_progress)).label("finished"),
              # the last end of a buffer still open (placement.cohort_buffer_until), for the phase
              sa.func.max(sa.case((sa.or_(f.c.buffer_outcome.is_(None), f.c.buffer_outcome == BufferOutcome.EXTENDED),
                                   f.c.buffer_end))).label("buffer_until"))
    # every cohort in the selection, an empty one (or one with nobody of the chosen roles) with zeros
    .join(Program, Program.id == Cohort.program_id).outerjoin(f, f.c.cohort_id == Cohort.id)
    .where(sa.or_(P_COHORT.is_(None), Cohort.id == P_COHORT))
    .group_by(Cohort.id, Cohort.code, Cohort.start_date, Cohort.closed_at, Program.weeks)
    .order_by(Cohort.start_date.desc(), Cohort.id))


def cohorts(session: Session, params: dict) -> list:
    """Every cohort in scope (the empty ones too) with their trainees in training, in buffer and
    finished, and the last buffer end (for the phase)."""
    return session.execute(_COHORTS, params).all()


def tiers_now(tiers: list, reqs: Requirements) -> dict[str, int]:
    """Trainees in training by the tier they work in now (the first of their tiers not passed);
    'done': every tier their role needs passed, waiting for placement. `tiers`: `tier_rows`."""
    out: dict[str, int] = defaultdict(int)
    for kind, _source, role, _code, program_id, k, n, _base in tiers:
        if kind != "current":
            continue
        needed = reqs.tiers.get((program_id, role), [])
        out[needed[k].code.value if k < len(needed) else "done"] += n
    return dict(out)


# --- standing ---------------------------------------------------------------------------


@dataclass
class Standing:
    on_track: int
    behind: int
    at_risk: int
    shown: list  # the first AT_RISK_SHOWN at-risk rows: enrollment_id, name, cohort code, overdue, reasons


def _standing_select(req: sa.Subquery) -> sa.Select:
    """The at-risk rows first (the page names AT_RISK_SHOWN of them), each with the counts over
    every trainee in training: window functions, evaluated before the limit, in one statement."""
    rows = standing.standing_select(req).subquery("standing")
    return (sa.select(rows.c.enrollment_id, User.name, Cohort.code, rows.c.overdue, rows.c.out_of_attempts,
                      rows.c.no_mentor, rows.c.inactive, rows.c.at_risk,
                      sa.func.count().over().label("n_total"),
                      sa.func.sum(sa.case((rows.c.at_risk, 1), else_=0)).over().label("n_risk"),
                      sa.func.sum(sa.case((rows.c.behind, 1), else_=0)).over().label("n_behind"))
            .join(User, User.id == rows.c.trainee_id).join(Cohort, Cohort.id == rows.c.cohort_id)
            .order_by(rows.c.at_risk.desc(), rows.c.out_of_attempts.desc(), rows.c.overdue.desc(), User.name,
                      rows.c.enrollment_id)
            .limit(AT_RISK_SHOWN))


def standing_figures(session: Session, params: dict, reqs: Requirements) -> Standing:
    listed = session.execute(_built(reqs)["standing"], params).all()
    if not listed:
        return Standing(0, 0, 0, [])
    total, at_risk, behind = listed[0].n_total, int(listed[0].n_risk), int(listed[0].n_behind)
    shown = [{"enrollment_id": r.enrollment_id, "name": r.name, "cohort": r.code, "overdue": r.overdue,
              "reasons": standing.reasons(r)} for r in listed if r.at_risk]
    return Standing(total - at_risk - behind, behind, at_risk, shown)


# --- assessments ------------------------------------------------------------------------

_opened_in_scope = Submission.trainee_id.in_(sa.select(f.c.trainee_id))
# Attempts and blocked format-check tries, counted once per submission (a group's work once,
# under the member who opened it). A submission's check runs: one per submit; the last one
# went in unless it is still a draft (work entered without a run counts none blocked).
_runs = json_length(Submission.check_runs)
_handed_in = Submission.state != SubmissionState.DRAFT
_blocked = sa.case((sa.and_(_handed_in, _runs > 0), _runs - 1), (_handed_in, 0), else_=_runs)
_ATTEMPTS = (
    sa.select(Submission.assessment_id, count_if(_handed_in), sa.func.coalesce(sa.func.sum(_blocked), 0))
    .where(_opened_in_scope).group_by(Submission.assessment_id))
# Pass rate per trainee credited: of those with a final result, how many passed.
_RESULTS = (
    sa.select(Submission.assessment_id,
              sa.func.count(sa.distinct(sa.case((Submission.state == SubmissionState.GRADED,
                                                 CREDITED.c.trainee_id)))),
              sa.func.count(sa.distinct(sa.case((Submission.passed.is_(True), CREDITED.c.trainee_id)))))
    .select_from(CREDITED).join(Submission, Submission.id == CREDITED.c.submission_id)
    .where(CREDITED.c.trainee_id.in_(sa.select(f.c.trainee_id)))
    .group_by(Submission.assessment_id))


@dataclass
class AssessmentRow:
    assessment_id: int
    attempts: int = 0
    blocked: int = 0
    graded_trainees: int = 0
    passed_trainees: int = 0

    @property
    def pass_rate(self) -> Optional[float]:
        return self.passed_trainees / self.graded_trainees if self.graded_trainees else None


def assessments(session: Session, params: dict) -> dict[int, AssessmentRow]:
    rows: dict[int, AssessmentRow] = {}
    for assessment_id, attempts, blocked in session.execute(_ATTEMPTS, params):
        rows[assessment_id] = AssessmentRow(assessment_id, attempts, int(blocked))
    for assessment_id, graded, passed in session.execute(_RESULTS, params):
        row = rows.setdefault(assessment_id, AssessmentRow(assessment_id))
        row.graded_trainees, row.passed_trainees = graded, passed
    return rows


# --- grading turnaround per mentor -----------------------------------------------------------

_WAIT = seconds_between(Grade.created_at, Submission.submitted_at)
_RANKED_GRADES = (
    sa.select(Grade.mentor_id, _WAIT.label("secs"),
              sa.func.row_number().over(partition_by=Grade.mentor_id, order_by=_WAIT).label("rn"),
              sa.func.count().over(partition_by=Grade.mentor_id).label("n"))
    .join(Submission, Submission.id == Grade.submission_id)
    # first grades only (an amendment is not a turnaround), of work opened by trainees in scope
    .where(Grade.amended_from_id.is_(None), Submission.submitted_at.is_not(None), _opened_in_scope)
    .subquery("ranked_grades"))
_r = _RANKED_GRADES.c
_middle = sa.or_(_r.rn == (_r.n + 1) // 2, _r.rn == (_r.n + 2) // 2)  # the middle row, or the two middle rows
_TURNAROUND = (
    sa.select(User.id, User.name, User.mentor_kind, sa.func.max(_RANKED_GRADES.c.n),
              sa.func.avg(sa.case((_middle, _RANKED_GRADES.c.secs))), sa.func.avg(_RANKED_GRADES.c.secs),
              sa.func.max(_RANKED_GRADES.c.secs))
    .join(User, User.id == _RANKED_GRADES.c.mentor_id)
    .group_by(User.id, User.name, User.mentor_kind).order_by(User.name, User.id))


@dataclass(frozen=True)
class Turnaround:
    mentor_id: int
    name: str
    kind: Optional[MentorKind]
    grades: int
    median_hours: float
    mean_hours: float
    longest_hours: float


def turnaround(session: Session, params: dict) -> list[Turnaround]:
    return [Turnaround(i, name, kind, n, float(median) / 3600, float(mean) / 3600, float(longest) / 3600)
            for i, name, kind, n, median, mean, longest in session.execute(_TURNAROUND, params)]


# --- mentor calibration (dual sign-off) --------------------------------------------------------

_ai, _biz = aliased(Grade), aliased(Grade)
_gap = sa.func.abs(sa.func.coalesce(json_number(_ai.points, RubricCriterion.code), 0.0)
                   - sa.func.coalesce(json_number(_biz.points, RubricCriterion.code), 0.0))
_GAPS = (
    sa.select(Assessment.id.label("assessment_id"), RubricCriterion.id.label("criterion_id"),
              sa.func.count().label("pairs"), sa.func.avg(_gap).label("mean"), sa.func.max(_gap).label("top"),
              count_if(_gap > 0).label("differing"),
              sa.func.max(json_max_points(RubricCriterion.levels)).label("max_points"))
    .select_from(Submission)
    .join(Assessment, Assessment.id == Submission.assessment_id)
    .join(_ai, sa.and_(_ai.submission_id == Submission.id, _ai.kind == MentorKind.AI, _ai.current.is_(True)))
    .join(_biz, sa.and_(_biz.submission_id == Submission.id, _biz.kind == MentorKind.BUSINESS,
                        _biz.current.is_(True)))
    .join(RubricCriterion, sa.and_(RubricCriterion.assessment_id == Assessment.id,
                                   RubricCriterion.archived_at.is_(None)))
    .where(Assessment.grader == GraderKind.BOTH, _opened_in_scope)
    .group_by(Assessment.id, RubricCriterion.id)
    .subquery("gaps"))
# the titles (JSON) joined after grouping: PostgreSQL cannot group by a json column
_CALIBRATION = (
    sa.select(_GAPS.c.assessment_id, _GAPS.c.criterion_id, RubricCriterion.title, RubricCriterion.competency,
              _GAPS.c.pairs, _GAPS.c.mean, _GAPS.c.top, _GAPS.c.differing, _GAPS.c.max_points)
    .join(RubricCriterion, RubricCriterion.id == _GAPS.c.criterion_id))


@dataclass(frozen=True)
class CalibrationRow:
    assessment_id: int
    criterion_id: int
    criterion_title: dict
    competency: Competency
    pairs: int  # submissions both mentors graded
    mean_gap: float  # points
    max_gap: float
    differing: int  # pairs where the two gave different points
    max_points: float

    @property
    def mean_gap_pct(self) -> float:
        return 100 * self.mean_gap / self.max_points if self.max_points else 0.0


def calibration(session: Session, params: dict) -> list[CalibrationRow]:
    """Per criterion of dual sign-off assessments, largest average gap first."""
    rows = [CalibrationRow(a, c, title, comp, n, float(mean), float(top), int(diff), float(mx or 0))
            for a, c, title, comp, n, mean, top, diff, mx in session.execute(_CALIBRATION, params)]
    return sorted(rows, key=lambda r: (-r.mean_gap_pct, r.assessment_id, r.criterion_id))


# --- competencies: intake vs now --------------------------------------------------------------

_threshold = sa.select(Program.attainment_threshold).where(Program.id == f.c.program_id).scalar_subquery()
_INTAKE = (
    sa.select(BaselineRating.competency, sa.func.count(), count_if(BaselineRating.score >= _threshold))
    .join(f, f.c.enrollment_id == BaselineRating.enrollment_id)
    .where(~f.c.withdrawn).group_by(BaselineRating.competency))
_ACTIVE_TRAINEES = sa.select(f.c.trainee_id).where(~f.c.withdrawn)
_SCORES = scores_select(_ACTIVE_TRAINEES).subquery("scores")
_NOW = (
    sa.select(_SCORES.c.competency, sa.func.count(), count_if(_SCORES.c.score >= _threshold))
    .join(f, sa.and_(f.c.trainee_id == _SCORES.c.trainee_id, ~f.c.withdrawn))
    .group_by(_SCORES.c.competency))
_ACTIVE_COUNT = sa.select(sa.func.count()).select_from(f).where(~f.c.withdrawn)


@dataclass(frozen=True)
class CompetencyRow:
    competency: Competency
    intake_rated: int  # trainees with an intake baseline
    intake_attained: int
    now_graded: int  # trainees with graded work on it
    now_attained: int
    trainees: int  # active trainees in scope

    @property
    def intake_pct(self) -> Optional[float]:
        return 100 * self.intake_attained / self.intake_rated if self.intake_rated else None

    @property
    def now_pct(self) -> Optional[float]:
        """Of every active trainee: no graded work attains nothing (grading.attained)."""
        return 100 * self.now_attained / self.trainees if self.trainees else None


def competencies(session: Session, params: dict) -> list[CompetencyRow]:
    intake = {c: (n, ok) for c, n, ok in session.execute(_INTAKE, params)}
    now = {c: (n, ok) for c, n, ok in session.execute(_NOW, params)}
    trainees = session.execute(_ACTIVE_COUNT, params).scalar() or 0
    return [CompetencyRow(c, *intake.get(c, (0, 0)), *now.get(c, (0, 0)), trainees) for c in Competency]

