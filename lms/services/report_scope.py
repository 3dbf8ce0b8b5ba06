"""What a report covers, and the selects every report builds on.

A report's scope is one cohort or all of them, optionally one source role and one
target role. The scope travels as bound parameters (`Scope.params`), so the report
selects are built once, as module constants, and only their parameters change.

`FACTS` is one row per enrollment in scope with what the reports group by: cohort,
roles, placement and outcomes. `requirements` lists, per program and target role, the
required assessments of the tracks that role takes, with their tier and due week (from
the cached catalogue outline), so "tier passed" and "overdue" are worked out in SQL.
"""

import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from lms.models import (
    Assessment,
    BufferOutcome,
    CapstoneMember,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Placement,
    Program,
    Submission,
    SubmissionState,
    TrainingOutcome,
    TrainingOutcomeKind,
)
from lms.services import clock, enrollment_state, progress
from lms.services.sql_dialect import days_between

P_COHORT = sa.bindparam("cohort_id", type_=sa.Integer)  # None: every cohort
P_SOURCE = sa.bindparam("source_role", type_=sa.String)  # None: every source role
P_TARGET = sa.bindparam("target_role", type_=sa.String)  # None: every target role
P_TODAY = sa.bindparam("today", type_=sa.Date)
P_NOW = sa.bindparam("now", type_=sa.DateTime)


@dataclass(frozen=True)
class Scope:
    cohort_id: Optional[int] = None
    source_role: Optional[str] = None
    target_role: Optional[str] = None

    def params(self, today: date, now: datetime) -> dict:
        return {"cohort_id": self.cohort_id, "source_role": self.source_role, "target_role": self.target_role,
                "today": today, "now": now}

    def args(self) -> dict:
        """The non-empty filters, for links and export URLs that keep them."""
        return {k: v for k, v in (("cohort", self.cohort_id), ("source", self.source_role),
                                  ("target", self.target_role)) if v}


def in_scope() -> sa.ColumnElement:
    return sa.and_(sa.or_(P_COHORT.is_(None), Enrollment.cohort_id == P_COHORT),
                   sa.or_(P_SOURCE.is_(None), Enrollment.source_role == P_SOURCE),
                   sa.or_(P_TARGET.is_(None), Enrollment.target_role == P_TARGET))


# --- what became of each enrollment: the outcome rules, in one place -----------------

_placed = Placement.id.is_not(None)
_active = Enrollment.status == EnrollmentStatus.ACTIVE
# In training and in buffer: lms/services/enrollment_state.py (the one definition); together
# they are still in progress. Withdrawn and finished (a final outcome) are not.
_in_training = enrollment_state.in_training_of(
    _active, _placed, sa.and_(TrainingOutcome.id.is_not(None),
                              TrainingOutcome.kind != TrainingOutcomeKind.EXTENDED_TRAINING))
_in_buffer = enrollment_state.in_buffer_of(_active, _placed, Placement.outcome)
_in_progress = sa.or_(_in_training, _in_buffer)
_cohort_week = days_between(P_TODAY, Cohort.start_date) // 7
# Placed by the end of placement week (week 14 of the program clock).
_placed_in_time = sa.and_(
    _placed, days_between(Placement.start_date, Cohort.start_date) <= 7 * clock.PLACEMENT_WEEK + 6)

FACTS = (
    sa.select(
        Enrollment.id.label("enrollment_id"), Enrollment.trainee_id, Enrollment.cohort_id,
        Enrollment.source_role, Enrollment.target_role, Cohort.program_id, Cohort.start_date.label("cohort_start"),
        (Enrollment.status == EnrollmentStatus.WITHDRAWN).label("withdrawn"),
        _placed.label("placed"), _placed_in_time.label("placed_in_time"),
        (Placement.outcome == BufferOutcome.COMPLETED).label("completed"),
        _in_progress.label("in_progress"), _in_training.label("in_training"), _in_buffer.label("in_buffer"),
        # placement week over: "placed by week 14" counts only these (the others may still be placed in time)
        (_cohort_week > clock.PLACEMENT_WEEK).label("past_placement_week"),
        Placement.id.label("placement_id"), Placement.start_date.label("placed_on"),
        Placement.buffer_end, Placement.coach_id, Placement.role.label("placed_role"),
        Placement.outcome.label("buffer_outcome"), Placement.outcome_reason.label("buffer_reason"),
        TrainingOutcome.kind.label("training_outcome"), TrainingOutcome.reason.label("training_reason"),
        # the cohort's program week today (0: intake; negative: not started)
        _cohort_week.label("cohort_week"),
    )
    .join(Cohort, Cohort.id == Enrollment.cohort_id)
    .outerjoin(Placement, Placement.enrollment_id == Enrollment.id)
    .outerjoin(TrainingOutcome, TrainingOutcome.enrollment_id == Enrollment.id)
    .where(in_scope())
    .subquery("facts")
)


def _credited_all():
    """(submission_id, trainee_id) of every submission that counts for a trainee: their own
    individual work and their capstone groups' (as `capstone.credited`, for all trainees)."""
    own = (sa.select(Submission.id.label("submission_id"), Submission.trainee_id.label("trainee_id"))
           .where(Submission.group_id.is_(None)))
    group = (sa.select(Submission.id, CapstoneMember.trainee_id)
             .join(CapstoneMember, CapstoneMember.group_id == Submission.group_id))
    return sa.union_all(own, group).subquery("credited_all")


CREDITED = _credited_all()
def pair_rows(req: sa.Subquery) -> sa.Subquery:
    """One row per enrollment in scope and required assessment of its role, with the tier, the
    due week and the trainee's status on it as 0/1 flags: passed, handed in and waiting for a
    grade, failed on the last allowed attempt. The attempts are found through the submissions'
    (trainee, assessment) index — their own and their capstone group's — and grouped per pair:
    joining a grouped subquery instead let PostgreSQL, misjudging the requirement rows, nest a
    scan of it inside every pair (minutes at 2,000 trainees)."""
    f, own, group = FACTS, aliased(Submission), aliased(Submission)

    def flag(condition):
        return sa.func.max(sa.case((condition(own), 1), (condition(group), 1), else_=0))

    keys = (f.c.enrollment_id, f.c.trainee_id, f.c.cohort_id, f.c.program_id, f.c.source_role, f.c.target_role,
            f.c.in_training, f.c.cohort_week, req.c.tier_code, req.c.end_week, req.c.assessment_id)
    return (sa.select(*keys, flag(lambda s: s.passed.is_(True)).label("passed"),
                      flag(lambda s: s.state == SubmissionState.SUBMITTED).label("waiting"),
                      flag(lambda s: sa.and_(s.state == SubmissionState.GRADED, s.passed.is_(False),
                                             s.attempt_no >= Assessment.max_attempts)).label("exhausted"))
            .select_from(f)
            .join(req, sa.and_(req.c.program_id == f.c.program_id, req.c.role == f.c.target_role))
            .join(Assessment, Assessment.id == req.c.assessment_id)
            .outerjoin(own, sa.and_(own.trainee_id == f.c.trainee_id, own.assessment_id == req.c.assessment_id,
                                    own.group_id.is_(None)))
            .outerjoin(CapstoneMember, CapstoneMember.trainee_id == f.c.trainee_id)
            .outerjoin(group, sa.and_(group.group_id == CapstoneMember.group_id,
                                      group.assessment_id == req.c.assessment_id))
            .group_by(*keys)
            .subquery("pairs"))


# Programs of the cohorts in scope (their outlines make the requirements).
SCOPE_PROGRAMS = (sa.select(Program).where(Program.id.in_(
    sa.select(Cohort.program_id).where(sa.or_(P_COHORT.is_(None), Cohort.id == P_COHORT)))).order_by(Program.id))


@dataclass(frozen=True)
class Requirement:
    program_id: int
    role: str
    assessment_id: int
    tier_index: int  # the tier's place among the role's needed tiers (0: first)
    tier_code: str
    end_week: int  # due at the end of this program week


@dataclass
class Requirements:
    """The required work per program and target role, and the select of it as rows."""

    rows: tuple[Requirement, ...]
    tiers: dict[tuple[int, str], list]  # (program, role) → the role's needed tiers (OutlineTier), in order
    table: sa.Subquery  # program_id, role, assessment_id, tier_index, tier_code, end_week
    outlines: tuple = ()  # the outlines it was built from: kept alive, so their ids stay theirs


_EMPTY = sa.select(sa.literal(0).label("program_id"), sa.literal("").label("role"),
                   sa.literal(0).label("assessment_id"), sa.literal(0).label("tier_index"),
                   sa.literal("").label("tier_code"),
                   sa.literal(0).label("end_week")).where(sa.false())
_memo: dict[tuple, Requirements] = {}
_memo_lock = threading.Lock()


def requirements(session: Session, programs: list[Program]) -> Requirements:
    """Built from the outlines (cached per worker); the select is built again only when a
    catalogue sync changed an outline, so its statement stays cached too."""
    outlines = [(p, progress.load_outline(session, p)) for p in programs]
    key = tuple((p.id, id(tiers)) for p, tiers in outlines)
    found = _memo.get(key)
    if found is not None:
        return found
    rows, tiers_by_role = [], {}
    for program, tiers in outlines:
        for role in program.roles:
            needed = [t for t in progress.outline.for_role(tiers, role) if t.code in program.tiers_for_role(role)]
            needed = [t for t in needed if progress.required_assessments(t)]
            tiers_by_role[(program.id, role)] = needed
            for index, tier in enumerate(needed):
                for track in progress.live(tier.tracks):
                    for course in progress.live(track.courses):
                        rows.extend(Requirement(program.id, role, a.id, index, tier.code.value, track.end_week)
                                    for a in progress.live(course.assessments) if a.required)
    selects = [sa.select(sa.literal(r.program_id, sa.Integer).label("program_id"),
                         sa.literal(r.role, sa.String).label("role"),
                         sa.literal(r.assessment_id, sa.Integer).label("assessment_id"),
                         sa.literal(r.tier_index, sa.Integer).label("tier_index"),
                         sa.literal(r.tier_code, sa.String).label("tier_code"),
                         sa.literal(r.end_week, sa.Integer).label("end_week")) for r in rows]
    table = (sa.union_all(*selects) if len(selects) > 1 else (selects[0] if selects else _EMPTY)).subquery("req")
    found = Requirements(tuple(rows), tiers_by_role, table, tuple(tiers for _p, tiers in outlines))
    with _memo_lock:
        if len(_memo) > 16:  # old catalogue versions
            _memo.clear()
        _memo[key] = found
    return found
