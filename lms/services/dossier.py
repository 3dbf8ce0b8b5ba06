"""A trainee's dossier: what HR keeps on file when a transition is reviewed — enrollment and
mentors, intake baseline, every attempt with its grades and feedback (amended grades
included), attainment now, placement, weekly check-ins, collaboration metrics and the outcome
with its reason.

`dossiers` loads a batch of enrollments in a fixed number of statements, so a cohort's zip
costs the same statements per batch however many attempts each trainee made.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from lms.models import (
    Assessment,
    BaselineRating,
    CapstoneMember,
    CheckIn,
    Cohort,
    Competency,
    Contribution,
    Enrollment,
    Grade,
    MentorAssignment,
    Placement,
    Submission,
    SubmissionState,
    TrainingOutcome,
)
from lms.services import collaboration_metrics, enrollment_state
from lms.services.buffer_clock import BufferSettings
from lms.services.collaboration_metrics import WeekMetrics
from lms.services.grading import attainment
from lms.services.readiness import ReadinessRow, readiness


@dataclass
class Dossier:
    enrollment: Enrollment
    baselines: list[BaselineRating] = field(default_factory=list)
    attempts: list[Submission] = field(default_factory=list)  # handed in, oldest first, grades loaded
    scores: dict = field(default_factory=dict)  # competency → attainment % (None: nothing graded)
    readiness: list[ReadinessRow] = field(default_factory=list)
    placement: Optional[Placement] = None
    checkins: list[CheckIn] = field(default_factory=list)
    collaboration: Optional[WeekMetrics] = None  # the whole buffer period so far
    training_outcome: Optional[TrainingOutcome] = None
    contributions: int = 0
    adopted: int = 0

    @property
    def state(self) -> enrollment_state.State:
        """In training, in buffer, finished (with its outcome) or withdrawn: the one rule."""
        o, p = self.training_outcome, self.placement
        return enrollment_state.state_of(self.enrollment.active, p is not None, p.outcome if p else None,
                                         o.kind if o else None)

    @property
    def baseline_scores(self) -> dict:
        return {b.competency: b.score for b in self.baselines}


def _enrollments(session: Session, ids: list[int]) -> list[Enrollment]:
    return list(session.scalars(
        sa.select(Enrollment).where(Enrollment.id.in_(ids))
        .options(joinedload(Enrollment.trainee), joinedload(Enrollment.cohort).joinedload(Cohort.program),
                 selectinload(Enrollment.assignments).selectinload(MentorAssignment.mentor),
                 selectinload(Enrollment.assignments).selectinload(MentorAssignment.assigned_by),
                 selectinload(Enrollment.baselines).selectinload(BaselineRating.rated_by))
        .order_by(Enrollment.id)))


def dossiers(session: Session, enrollment_ids: list[int], settings: BufferSettings) -> list[Dossier]:
    """The dossiers of these enrollments, in id order."""
    enrollments = _enrollments(session, enrollment_ids)
    if not enrollments:
        return []
    trainee_ids = [e.trainee_id for e in enrollments]
    # every attempt handed in that counts for the trainee: their own and their capstone groups'
    credited = sa.union_all(
        sa.select(Submission.id, Submission.trainee_id).where(Submission.group_id.is_(None),
                                                              Submission.trainee_id.in_(trainee_ids)),
        sa.select(Submission.id, CapstoneMember.trainee_id)
        .join(CapstoneMember, CapstoneMember.group_id == Submission.group_id)
        .where(CapstoneMember.trainee_id.in_(trainee_ids))).subquery()
    owners = defaultdict(list)
    for submission_id, trainee_id in session.execute(sa.select(credited.c.id, credited.c.trainee_id)):
        owners[submission_id].append(trainee_id)
    attempts = defaultdict(list)
    if owners:
        for s in session.scalars(
                sa.select(Submission).where(Submission.id.in_(list(owners)), Submission.state != SubmissionState.DRAFT)
                .options(selectinload(Submission.assessment).selectinload(Assessment.criteria),
                         selectinload(Submission.grades).selectinload(Grade.mentor),
                         selectinload(Submission.files))
                .order_by(Submission.submitted_at, Submission.id)):
            for trainee_id in owners[s.id]:
                attempts[trainee_id].append(s)
    scores = attainment(session, trainee_ids)
    ids = [e.id for e in enrollments]
    placements = {p.enrollment_id: p for p in session.scalars(
        sa.select(Placement).where(Placement.enrollment_id.in_(ids))
        .options(joinedload(Placement.agent), joinedload(Placement.coach), selectinload(Placement.checkins)))}
    metrics = collaboration_metrics.weekly(session, settings, [p.id for p in placements.values()]) \
        if placements else {}
    outcomes = {o.enrollment_id: o for o in session.scalars(
        sa.select(TrainingOutcome).where(TrainingOutcome.enrollment_id.in_(ids)))}
    contributed = {(cohort_id, trainee_id): (n, adopted) for cohort_id, trainee_id, n, adopted in session.execute(
        sa.select(Contribution.cohort_id, Contribution.contributor_id, sa.func.count(),
                  sa.func.count().filter(Contribution.adopted_at.is_not(None)))
        .where(Contribution.contributor_id.in_(trainee_ids))
        .group_by(Contribution.cohort_id, Contribution.contributor_id))}
    out = []
    for e in enrollments:
        placement = placements.get(e.id)
        n, adopted = contributed.get((e.cohort_id, e.trainee_id), (0, 0))
        out.append(Dossier(
            enrollment=e,
            baselines=sorted(e.baselines, key=lambda b: list(Competency).index(b.competency)),
            attempts=attempts.get(e.trainee_id, []),
            scores=scores.get(e.trainee_id, {}),
            readiness=readiness(e.cohort.program, e.target_role, scores.get(e.trainee_id, {})),
            placement=placement,
            checkins=list(placement.checkins) if placement else [],
            collaboration=collaboration_metrics.overall(metrics.get(placement.id, [])) if placement else None,
            training_outcome=outcomes.get(e.id),
            contributions=n, adopted=adopted,
        ))
    return out


def cohort_enrollment_ids(session: Session, cohort_id: int) -> list[int]:
    return list(session.scalars(sa.select(Enrollment.id).where(Enrollment.cohort_id == cohort_id)
                                .order_by(Enrollment.id)))
