"""A trainee's way through the catalogue: lesson progress and tier unlocking.

Tier rule (DESIGN.md): the first tier is open; each next tier opens when every
required assessment of the tier before it is passed.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional, Union

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from lms.models import (
    Lesson,
    LessonProgress,
    Program,
    Submission,
    Tier,
    User,
)
from lms.models.capstone import credited
from lms.permissions import tier_open
from lms.services import DomainError, outline
from lms.services.outline import OutlineAssessment, OutlineCourse, OutlineLesson, OutlineTier, OutlineTrack


@dataclass
class Progress:
    done: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def add(self, other: "Progress") -> None:
        self.done += other.done
        self.total += other.total


@dataclass
class TierState:
    tier: OutlineTier
    unlocked: bool
    needed: bool  # part of the trainee's target role
    required_total: int
    required_passed: int
    blocked_by: Optional[OutlineTier] = None  # the tier whose assessments must be passed first
    progress: Progress = field(default_factory=Progress)

    @property
    def complete(self) -> bool:
        return self.required_passed == self.required_total


def current_program(session: Session) -> Optional[Program]:
    return session.scalar(
        sa.select(Program).where(Program.archived_at.is_(None)).order_by(Program.id).limit(1)
    )


def load_outline(session: Session, program: Program) -> tuple[OutlineTier, ...]:
    """Tiers with tracks, courses, lessons and assessments as read-only data (cached; see outline.py)."""
    return outline.load_outline(session, program)


def live(rows):
    """Rows still in the files (archived ones stay for history but are not shown)."""
    return [r for r in rows if r.archived_at is None]


def required_assessments(tier: OutlineTier) -> list[OutlineAssessment]:
    return [a for track in live(tier.tracks) for course in live(track.courses)
            for a in live(course.assessments) if a.required]


# A trainee's own rows, asked on every trainee page: the selects are built once, with the
# trainee as a parameter (building one and working out its cache key each request cost
# about as much as running it).
_TRAINEE = sa.bindparam("trainee_id", type_=sa.Integer)
# A capstone group's work counts for each member: the trainee's own and their groups' submissions.
_CREDITED = sa.select(credited(sa.bindparam("trainee_ids", expanding=True)).c.submission_id)
_PASSED = (sa.select(Submission.assessment_id)
           .where(Submission.id.in_(_CREDITED), Submission.passed.is_(True)).distinct())
_ATTEMPTS = (sa.select(Submission.assessment_id, Submission.state, Submission.passed)
             .where(Submission.id.in_(_CREDITED)).order_by(Submission.attempt_no))
_COMPLETED = sa.select(LessonProgress.lesson_id).where(LessonProgress.trainee_id == _TRAINEE)


def passed_assessment_ids(session: Session, trainee_id: int) -> set[int]:
    return set(session.scalars(_PASSED, {"trainee_ids": [trainee_id]}))


def assessment_statuses(session: Session, trainee_id: int) -> dict[int, str]:
    """assessment id → 'passed' | 'waiting' | 'failed' | 'draft' for the trainee's latest attempt."""
    return statuses_of(session.execute(_ATTEMPTS, {"trainee_ids": [trainee_id]}))


def statuses_of(attempts) -> dict[int, str]:
    """`assessment_statuses` from rows already read: (assessment id, state, passed), oldest attempt first."""
    statuses: dict[int, str] = {}
    for assessment_id, state, passed in attempts:
        if statuses.get(assessment_id) == "passed":
            continue
        statuses[assessment_id] = (
            "passed" if passed else "failed" if state == "graded" else "waiting" if state == "submitted" else "draft"
        )
    return statuses


def completed_lesson_ids(session: Session, trainee_id: int) -> set[int]:
    return set(session.scalars(_COMPLETED, {"trainee_id": trainee_id}))


def tier_states(
    tiers: Sequence[OutlineTier], passed: set[int], completed: set[int], needed_codes: Optional[list[str]] = None
) -> list[TierState]:
    """Unlock state and progress per tier, in order. Pure: no database access."""
    states: list[TierState] = []
    previous: Optional[TierState] = None
    for tier in tiers:
        required = required_assessments(tier)
        unlocked = previous is None or (previous.unlocked and previous.complete)
        state = TierState(
            tier=tier,
            unlocked=unlocked,
            needed=needed_codes is None or tier.code in needed_codes,
            required_total=len(required),
            required_passed=sum(1 for a in required if a.id in passed),
            blocked_by=None if unlocked else (previous.tier if previous.unlocked else previous.blocked_by),
        )
        for track in live(tier.tracks):
            state.progress.add(track_progress(track, completed))
        states.append(state)
        previous = state
    return states


def course_progress(course: OutlineCourse, completed: set[int]) -> Progress:
    lessons = live(course.lessons)
    return Progress(sum(1 for lesson in lessons if lesson.id in completed), len(lessons))


def track_progress(track: OutlineTrack, completed: set[int]) -> Progress:
    total = Progress()
    for course in live(track.courses):
        total.add(course_progress(course, completed))
    return total


def role_outline(session: Session, program: Program, role: Optional[str]) -> tuple[OutlineTier, ...]:
    """The program's outline with only the tracks `role` takes (see `outline.for_role`)."""
    return outline.for_role(load_outline(session, program), role)


def ensure_tier_open(session: Session, trainee_id: int, tier: Tier) -> None:
    """DomainError unless the trainee has unlocked `tier` (views check too; this
    keeps a service call from any caller inside the rule). A tier opens on the
    required assessments of the tracks the trainee's target role takes."""
    from lms.services.cohorts import current_enrollment  # cohorts is the larger module; keep imports one-way

    enrollment = current_enrollment(session, trainee_id)
    role = enrollment.target_role if enrollment else None
    states = tier_states(role_outline(session, tier.program, role), passed_assessment_ids(session, trainee_id), set())
    if not tier_open(states, tier.id):
        raise DomainError(_l("This part of the program is locked: pass the assessments of the tier before it first."))


def set_lesson_done(session: Session, trainee: User, lesson: Lesson, done: bool) -> None:
    """Mark a lesson complete or not; doing it twice changes nothing; a lesson of a
    locked tier cannot be marked."""
    ensure_tier_open(session, trainee.id, lesson.course.track.tier)
    row = session.scalar(sa.select(LessonProgress).where(
        LessonProgress.trainee_id == trainee.id, LessonProgress.lesson_id == lesson.id))
    if done and row is None:
        session.add(LessonProgress(trainee_id=trainee.id, lesson_id=lesson.id))
    elif not done and row is not None:
        session.delete(row)
    session.flush()


Step = Union[OutlineLesson, OutlineAssessment]


def steps(tiers: Sequence[OutlineTier]) -> list[Step]:
    """Every lesson and assessment in program order: each course's lessons, then its assessments."""
    return [x for tier in tiers for track in live(tier.tracks) for course in live(track.courses)
            for x in live(course.lessons) + live(course.assessments)]


def step_after(lesson: Lesson, tiers: Sequence[OutlineTier]) -> Optional[Step]:
    """What follows `lesson` in program order: the next lesson, or the course's assessment after its last one."""
    ordered = steps(tiers)
    for i, step in enumerate(ordered):
        if isinstance(step, OutlineLesson) and step.id == lesson.id:
            return ordered[i + 1] if i + 1 < len(ordered) else None
    return None


def next_step(states: list[TierState], completed: set[int], statuses: dict[int, str]) -> Optional[Step]:
    """Where to continue: the first lesson not done or required assessment still open (neither
    passed nor waiting for a grade), in program order, in the open tiers the trainee needs."""
    for step in steps([s.tier for s in states if s.unlocked and s.needed]):
        if isinstance(step, OutlineLesson) and step.id not in completed:
            return step
        if isinstance(step, OutlineAssessment) and step.required and statuses.get(step.id) not in ("passed", "waiting"):
            return step
    return None


def overall_progress(states: list[TierState]) -> Progress:
    """Lessons done and required assessments passed, over the tiers the trainee needs."""
    total = Progress()
    for state in states:
        if state.needed:
            total.add(state.progress)
            total.add(Progress(state.required_passed, state.required_total))
    return total


def neighbours(lesson: Lesson, tiers: Sequence[OutlineTier]
               ) -> tuple[Optional[OutlineLesson], Optional[OutlineLesson]]:
    """Previous and next lesson in program order (across courses and tracks)."""
    ordered = [x for tier in tiers for track in live(tier.tracks) for course in live(track.courses)
               for x in live(course.lessons)]
    ids = [x.id for x in ordered]
    if lesson.id not in ids:
        return None, None
    i = ids.index(lesson.id)
    return (ordered[i - 1] if i > 0 else None), (ordered[i + 1] if i + 1 < len(ordered) else None)
