"""Grading against rubrics: who grades, the queue, grades and amendments, the
final result (dual sign-off for `both`), and competency attainment.

Every grade names the submission version it was made against; the version is
bumped by one conditional UPDATE, so of two mentors (or tabs) saving at once,
exactly one wins and the other is told, with nothing half-written.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from lms import labels
from lms.models import (
    Assessment,
    Cohort,
    Competency,
    Enrollment,
    EnrollmentStatus,
    Grade,
    GraderKind,
    MentorAssignment,
    MentorKind,
    NotificationKind,
    RubricCriterion,
    Submission,
    SubmissionState,
    User,
)
from lms.models.base import utcnow
from lms.models.capstone import credited, credited_select
from lms.permissions import authors, may_grade, submission_coaches
from lms.services import Conflict, DomainError
from lms.services.audit import record
from lms.services.notifications import notify
from lms.services.submissions import grader_kinds


class GradeConflict(Conflict):
    """Someone else changed the submission since this grade form was opened."""


def weighted_score(criteria, points: dict[str, float]) -> float:
    """Weighted rubric score in %: Σ weight × points/max ÷ Σ weight."""
    live = [c for c in criteria if c.archived_at is None]
    total = sum(c.weight for c in live)
    if not total:
        return 0.0
    return round(100 * sum(c.weight * points.get(c.code, 0) / c.max_points for c in live) / total, 1)


def weight_shares(criteria) -> list[tuple[RubricCriterion, int]]:
    """The live criteria, each with its share of the score in whole %."""
    live = [c for c in criteria if c.archived_at is None]
    total = sum(c.weight for c in live) or 1
    return [(c, round(100 * c.weight / total)) for c in live]


def passes(assessment: Assessment, score: float) -> bool:
    """The pass mark, in one place: a score at the mark passes."""
    return score >= assessment.pass_mark


def attained(score: Optional[float], threshold: int) -> bool:
    """A competency is attained when its attainment score reaches the program's
    threshold (exactly at the threshold counts); no graded work attains nothing."""
    return score is not None and score >= threshold


def _grading_kind(session: Session, mentor: User, submission: Submission) -> Optional[MentorKind]:
    return may_grade(mentor, submission, submission_coaches(session, submission))


def _check_points(assessment: Assessment, points: dict[str, int]) -> dict[str, int]:
    clean = {}
    for criterion in assessment.criteria:
        if criterion.archived_at is not None:
            continue
        value = points.get(criterion.code)
        allowed = {level["points"] for level in criterion.levels}
        if value not in allowed:
            raise DomainError(_l("Choose a level for every criterion."), field=f"c_{criterion.code}")
        clean[criterion.code] = value
    return clean


def _claim(session: Session, submission: Submission, expected_version: int) -> None:
    """Bump the version if it is still the one the mentor saw; else GradeConflict."""
    result = session.execute(
        sa.update(Submission).where(Submission.id == submission.id, Submission.version == expected_version)
        .values(version=Submission.version + 1).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise GradeConflict(_l("Someone else saved a grade for this submission while you were grading. "
                               "Your scores are still in the form: review the latest grade below, then save again "
                               "if needed."))
    session.refresh(submission)


def grade(session: Session, mentor: User, submission: Submission, expected_version: int,
          points: dict[str, int], feedback: str) -> Grade:
    if submission.state == SubmissionState.DRAFT:
        raise DomainError(_l("This attempt is not submitted."))
    kind = _grading_kind(session, mentor, submission)
    if kind is None:
        raise DomainError(_l("You do not grade this submission."))
    _claim(session, submission, expected_version)  # first: a stale form is a conflict, whatever else it says
    feedback = (feedback or "").strip()
    if not feedback:
        raise DomainError(_l("Write feedback for the trainee."), field="feedback")
    clean = _check_points(submission.assessment, points)
    if submission.current_grade(kind) is not None:
        raise GradeConflict(_l("This submission already has a grade from the %(kind)s; amend it instead.",
                               kind=labels.mentor_kind(kind)))
    score = weighted_score(submission.assessment.criteria, clean)
    new = Grade(submission_id=submission.id, mentor_id=mentor.id, kind=kind, points=clean, score=score,
                passed=passes(submission.assessment, score), feedback=feedback)
    submission.grades.append(new)
    session.flush()
    record(session, mentor, "grade.create", "submission", submission.id,
           after={"kind": kind.value, "score": score, "passed": new.passed})
    _finalize(session, submission)
    return new


def amend(session: Session, mentor: User, old: Grade, expected_version: int, points: dict[str, int],
          feedback: str, reason: str) -> Grade:
    """Replace one's own grade with a new one; the old stays in the history."""
    submission = old.submission
    if old.mentor_id != mentor.id or not old.current:
        raise DomainError(_l("Only the mentor who gave a grade can amend it."))
    if _grading_kind(session, mentor, submission) is None:
        raise DomainError(_l("You do not grade this submission."))
    _claim(session, submission, expected_version)
    reason, feedback = (reason or "").strip(), (feedback or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason."), field="reason")
    if not feedback:
        raise DomainError(_l("Write feedback for the trainee."), field="feedback")
    clean = _check_points(submission.assessment, points)
    old.current = False
    session.flush()  # the one-current-grade index needs the old row retired first
    score = weighted_score(submission.assessment.criteria, clean)
    new = Grade(submission_id=submission.id, mentor_id=mentor.id, kind=old.kind, points=clean, score=score,
                passed=passes(submission.assessment, score), feedback=feedback, amended_from_id=old.id,
                amend_reason=reason)
    submission.grades.append(new)
    session.flush()
    record(session, mentor, "grade.amend", "submission", submission.id,
           before={"grade_id": old.id, "score": old.score, "passed": old.passed},
           after={"grade_id": new.id, "score": score, "passed": new.passed, "reason": reason})
    was_final = submission.state == SubmissionState.GRADED
    _finalize(session, submission)
    if was_final:
        for trainee_id in sorted(authors(submission)):
            notify(session, trainee_id, NotificationKind.GRADE_AMENDED, submission.id,
                   assessment=submission.assessment.title)
    return new


def _finalize(session: Session, submission: Submission) -> None:
    """Set the final result once every required kind has a current grade."""
    kinds = grader_kinds(submission.assessment.grader)
    current = [submission.current_grade(k) for k in kinds]
    if any(g is None for g in current):
        return
    first_time = submission.state != SubmissionState.GRADED
    submission.state = SubmissionState.GRADED
    submission.passed = all(g.passed for g in current)
    submission.score = round(sum(g.score for g in current) / len(current), 1)
    submission.graded_at = submission.graded_at or utcnow()
    session.flush()
    if first_time:
        record(session, None, "submission.final", "submission", submission.id,
               after={"passed": submission.passed, "score": submission.score})
        for trainee_id in sorted(authors(submission)):  # a group's result is every member's
            notify(session, trainee_id, NotificationKind.GRADED, submission.id,
                   assessment=submission.assessment.title, passed=submission.passed, score=submission.score)


def visible_grades(submission: Submission, kind: Optional[MentorKind], blind: bool) -> list[Grade]:
    """The grades a mentor of `kind` may read now, oldest first.

    With blind second grading, another kind's grade (score and feedback) stays hidden
    until this mentor has saved their own, so the second opinion is independent.
    """
    if not blind or kind is None or submission.current_grade(kind) is not None:
        return list(submission.grades)
    return [g for g in submission.grades if g.kind == kind]


# --- the queue ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One row of the queue: only the columns the page shows."""

    submission_id: int
    submitted_at: datetime
    attempt_no: int
    max_attempts: int
    trainee_name: str
    cohort_code: str
    assessment_title: dict
    dual: bool  # graded by both mentors
    other_graded: bool  # with dual sign-off: the other mentor has graded
    # No due date or "overdue" here: the trainee handed the work in; it waits since `submitted_at`.


def queue(session: Session, mentor: User, today: Optional[date] = None) -> list[QueueItem]:
    """Submissions waiting for this mentor's grade, longest waiting first: one query of plain columns.

    `today` is accepted for callers' sake; the order and the page depend only on `submitted_at`.
    """
    if mentor.mentor_kind is None:
        return []
    params = {"mentor_id": mentor.id, "kind": mentor.mentor_kind, "graders": ["both", mentor.mentor_kind.value]}
    from lms.services.capstone_grading import group_queue  # capstone builds on grading

    items = [QueueItem(*row) for row in session.execute(_QUEUE, params)] + group_queue(session, params)
    return sorted(items, key=lambda i: (i.submitted_at, i.submission_id))


def _queue_select() -> sa.Select:
    """The queue for the mentor and kind given as parameters (see `queue`)."""
    kind = sa.bindparam("kind", type_=MentorAssignment.kind.type)
    current_grade = sa.exists().where(Grade.submission_id == Submission.id, Grade.current.is_(True))
    has_my_grade = current_grade.where(Grade.kind == kind)
    other_graded = current_grade.where(Grade.kind != kind)
    return (
        sa.select(Submission.id, Submission.submitted_at, Submission.attempt_no, Assessment.max_attempts,
                  User.name, Cohort.code, Assessment.title, Assessment.grader == GraderKind.BOTH,
                  other_graded)
        .join(Assessment, Assessment.id == Submission.assessment_id)
        .join(User, User.id == Submission.trainee_id)
        .join(Enrollment, Enrollment.trainee_id == Submission.trainee_id)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .join(MentorAssignment, MentorAssignment.enrollment_id == Enrollment.id)
        .where(Submission.state == SubmissionState.SUBMITTED,
               Assessment.grader.in_(sa.bindparam("graders", expanding=True)),
               MentorAssignment.mentor_id == sa.bindparam("mentor_id", type_=sa.Integer),
               MentorAssignment.kind == kind, MentorAssignment.ended_at.is_(None), ~has_my_grade)
        # coaching as `permissions.coaching_mentors` defines it: the active enrollment in an open cohort
        .where(Enrollment.status == EnrollmentStatus.ACTIVE, Enrollment.cohort_open.is_(True))
        .where(Submission.group_id.is_(None))  # a group's work is listed once, below
        .order_by(Submission.submitted_at, Submission.id)
    )


# Built once: the queue page runs it on every request, and building this select and working out
# its cache key cost about as much as running it.
_QUEUE = _queue_select()


# --- attainment ---------------------------------------------------------------------


# Home pages run these on every request: built once, the ids as expanding parameters (building
# a select and working out its cache key cost about as much as running it).
# Every graded attempt with its current grades in one select (earlier attempts' grades come
# along and are left unused: a few rows more rather than one statement more).
_TRAINEE_IDS = sa.bindparam("trainee_ids", expanding=True)
_CREDIT = credited(_TRAINEE_IDS)  # a group's work counts for each member
_GRADED_ATTEMPTS = (
    sa.select(Submission.id, _CREDIT.c.trainee_id, Submission.assessment_id, Grade.points)
    .join(_CREDIT, _CREDIT.c.submission_id == Submission.id)
    .outerjoin(Grade, sa.and_(Grade.submission_id == Submission.id, Grade.current.is_(True)))
    .where(Submission.state == SubmissionState.GRADED)
    .order_by(Submission.attempt_no, Submission.id))
_LIVE_CRITERIA = (
    sa.select(RubricCriterion.assessment_id, RubricCriterion.code, RubricCriterion.competency,
              RubricCriterion.weight, RubricCriterion.levels)
    .where(RubricCriterion.assessment_id.in_(sa.bindparam("assessment_ids", expanding=True)),
           RubricCriterion.archived_at.is_(None)))
# A trainee's every attempt (their own and their groups'), with its current grades' points (two
# rows under dual sign-off, one with None before a grade), oldest attempt first: the trainee home
# reads what each assessment stands at and the attainment from these same rows.
_WORK = credited_select(  # labelled: a compound select is ordered by its columns' names
    _TRAINEE_IDS, Submission.id.label("id"), Submission.assessment_id, Submission.state, Submission.passed,
    Submission.attempt_no.label("attempt_no"), Grade.points,
    outerjoin=(Grade, sa.and_(Grade.submission_id == Submission.id, Grade.current.is_(True)))
).order_by("attempt_no", "id")

Rubrics = Mapping[int, Sequence[tuple[str, Competency, int, int]]]  # see outline.rubrics


def trainee_work(session: Session, trainee_id: int) -> list:
    """Rows (trainee_id, id, assessment_id, state, passed, attempt_no, points) of every attempt that
    counts for the trainee, oldest first: `progress.statuses_of` and `attainment_of` read them."""
    return session.execute(_WORK, {"trainee_ids": [trainee_id]}).all()


def attainment(session: Session, trainee_ids: list[int], rubrics: Optional[Rubrics] = None
               ) -> dict[int, dict[Competency, Optional[float]]]:
    """Weighted rubric score per competency over each trainee's latest graded attempts.

    With dual sign-off the two mentors' points are averaged per criterion. None
    means no graded work touches that competency yet. Column queries: home pages
    call this, and ORM rows (answers, briefs) cost more than the sums. `rubrics`:
    the live criteria as the cached outline holds them (`outline.rubrics`); the
    criteria of assessments not in it are asked.
    """
    if not trainee_ids:
        return {}
    graded = session.execute(_GRADED_ATTEMPTS, {"trainee_ids": list(trainee_ids)})
    return attainment_of(session, trainee_ids, graded, rubrics)


def attainment_of(session: Session, trainee_ids: list[int], graded, rubrics: Optional[Rubrics] = None
                  ) -> dict[int, dict[Competency, Optional[float]]]:
    """`attainment` from rows already read: (submission id, trainee id, assessment id, a current
    grade's points or None) of graded attempts, oldest first."""
    latest: dict[tuple[int, int], int] = {}  # (trainee, assessment) → latest graded submission
    points: dict[int, list[dict]] = defaultdict(list)  # submission → its current grades' points
    for submission_id, trainee_id, assessment_id, grade_points in graded:
        latest[(trainee_id, assessment_id)] = submission_id  # later attempts overwrite earlier ones
        if grade_points is not None:
            points[submission_id].append(grade_points)
    if not latest:
        return {t: dict.fromkeys(Competency) for t in trainee_ids}
    needed = {a for _, a in latest}
    criteria = {a: rubrics[a] for a in needed if a in rubrics} if rubrics else {}
    missing = sorted(needed - criteria.keys())
    if missing:  # not in the outline given (or none given): asked
        asked = defaultdict(list)  # assessment → live criteria (code, competency, weight, max points)
        for assessment_id, code, competency, weight, levels in session.execute(
            _LIVE_CRITERIA, {"assessment_ids": missing}
        ):
            asked[assessment_id].append((code, competency, weight, max(level["points"] for level in levels)))
        criteria.update((a, asked[a]) for a in missing)
    sums = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))  # trainee → competency → [Σw·ratio, Σw]
    for (trainee_id, assessment_id), submission_id in latest.items():
        current = points.get(submission_id)
        if not current:
            continue
        for code, competency, weight, max_points in criteria[assessment_id]:
            ratio = sum(p.get(code, 0) for p in current) / len(current) / max_points
            acc = sums[trainee_id][competency]
            acc[0] += weight * ratio
            acc[1] += weight
    return {
        t: {c: (round(100 * sums[t][c][0] / sums[t][c][1], 1) if sums[t][c][1] else None) for c in Competency}
        for t in trainee_ids
    }
