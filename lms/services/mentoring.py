"""Dual-mentor assignment: one active ai and one active business mentor per trainee.

Capacity is enforced by `_take_seat`, a single conditional UPDATE on the mentor's
load counter: two workers assigning at once can never both take the last seat.
Assignments are never edited away: ending one closes the row, so closed rows are
the history (who, when, from, to, why).
"""

from dataclasses import dataclass, field
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from lms.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    MentorAssignment,
    MentorKind,
    Role,
    User,
)
from lms.models.base import utcnow
from lms.services import Conflict, DomainError, enrollment_state
from lms.services.audit import record

KINDS = (MentorKind.AI, MentorKind.BUSINESS)
CHANGED_ELSEWHERE = _l("Someone else changed this trainee's mentors at the same moment. Reload the page to see "
                       "who is assigned now.")


def _take_seat(session: Session, mentor_id: int) -> bool:
    """Atomically add one trainee to a mentor's load if below capacity."""
    result = session.execute(
        sa.update(User)
        .where(User.id == mentor_id, User.active.is_(True), User.mentor_load < User.capacity)
        .values(mentor_load=User.mentor_load + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _free_seat(session: Session, mentor_id: int) -> None:
    session.execute(
        sa.update(User).where(User.id == mentor_id, User.mentor_load > 0)
        .values(mentor_load=User.mentor_load - 1)
        .execution_options(synchronize_session=False)
    )


def _open(enrollment: Enrollment, kind: MentorKind) -> Optional[MentorAssignment]:
    return next((a for a in enrollment.assignments if a.kind == kind and a.ended_at is None), None)


def end_assignment(session: Session, actor: Optional[User], assignment: MentorAssignment, reason: str) -> bool:
    """Close an open assignment and free its seat; False (nothing written) when
    another request closed it first, so a seat is never freed twice."""
    ended = session.execute(
        sa.update(MentorAssignment)
        .where(MentorAssignment.id == assignment.id, MentorAssignment.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    ).rowcount == 1
    if not ended:
        return False
    _free_seat(session, assignment.mentor_id)
    record(session, actor, "mentor.unassign", "enrollment", assignment.enrollment_id,
           before={"kind": assignment.kind.value, "mentor_id": assignment.mentor_id}, after={"reason": reason})
    return True


def assign(
    session: Session, actor: Optional[User], enrollment: Enrollment, mentor: User, reason: str
) -> MentorAssignment:
    """Make `mentor` the enrollment's mentor of their kind, closing any previous one.

    Raises DomainError when the mentor is not an active mentor, is already the
    current one, or has no free capacity; Conflict when another request changed
    this trainee's mentors meanwhile (the caller rolls back).
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason."), field="reason")
    if mentor.role != Role.MENTOR or not mentor.active or mentor.mentor_kind is None:
        raise DomainError(_l("Choose an active mentor."), field="mentor_id")
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise DomainError(_l("This trainee has withdrawn."))
    kind = mentor.mentor_kind
    current = _open(enrollment, kind)
    if current is not None and current.mentor_id == mentor.id:
        raise DomainError(_l("%(name)s is already this trainee's mentor.", name=mentor.name), field="mentor_id")
    if not _take_seat(session, mentor.id):
        raise DomainError(_l("%(name)s has no free capacity (%(n)d trainees).", name=mentor.name,
                             n=mentor.capacity or 0), field="mentor_id")
    if current is not None and not end_assignment(session, actor, current, reason):
        raise Conflict(CHANGED_ELSEWHERE)
    assignment = MentorAssignment(enrollment_id=enrollment.id, mentor_id=mentor.id, kind=kind,
                                  reason=reason, assigned_by_id=actor.id if actor else None)
    enrollment.assignments.append(assignment)
    try:
        session.flush()
    except IntegrityError as error:  # uq_mentor_assignments_open: someone assigned one just now
        raise Conflict(CHANGED_ELSEWHERE) from error
    record(session, actor, "mentor.reassign" if current else "mentor.assign", "enrollment", enrollment.id,
           before={"kind": kind.value, "mentor_id": current.mentor_id} if current else None,
           after={"kind": kind.value, "mentor_id": mentor.id, "reason": reason})
    return assignment


@dataclass
class AutoAssignReport:
    assigned: int = 0  # trainees who got every missing mentor
    already_complete: int = 0
    unassigned: list[tuple[Enrollment, list[MentorKind]]] = field(default_factory=list)
    # kinds with no mentor to pick at all (none active with an accepted invitation)
    unavailable: list[MentorKind] = field(default_factory=list)
    not_accepted: int = 0  # active mentors passed over: their invitation is not accepted yet

    @property
    def full_kinds(self) -> list[MentorKind]:
        """Kinds some trainee still lacks although mentors of that kind exist: out of capacity."""
        return [k for k in KINDS if k not in self.unavailable and any(k in short for _, short in self.unassigned)]


def _mentors_by_kind(session: Session) -> tuple[dict[MentorKind, list[User]], int]:
    """The mentors auto-assign may pick, per kind: active, and their invitation accepted (a
    password set: someone who never signed in cannot coach); and how many active mentors
    were passed over for the invitation alone."""
    mentors = session.scalars(
        sa.select(User).where(User.role == Role.MENTOR, User.active.is_(True)).order_by(User.id)
    ).all()
    ready = [m for m in mentors if m.password_hash is not None]
    return {kind: [m for m in ready if m.mentor_kind == kind] for kind in KINDS}, len(mentors) - len(ready)


def in_training():
    """SQL: an enrollment in training (lms/services/enrollment_state.py: active, neither placed
    nor given a final training outcome). Only these trainees need training mentors."""
    return enrollment_state.in_training()


def auto_assign(session: Session, actor: Optional[User], cohort: Cohort) -> AutoAssignReport:
    """Fill the missing mentors of every trainee in training, least-loaded mentor first, from
    the active mentors who accepted their invitation.

    A trainee either gets all missing mentors or none (a savepoint per trainee);
    those left without are reported with the kinds that ran out of capacity, and the
    report names the kinds with no mentor to pick at all.
    """
    report = AutoAssignReport()
    enrollments = session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.cohort_id == cohort.id, in_training())
        .options(selectinload(Enrollment.assignments), selectinload(Enrollment.trainee))
        .order_by(Enrollment.id)
    ).all()
    mentors, report.not_accepted = _mentors_by_kind(session)
    report.unavailable = [kind for kind in KINDS if not mentors[kind]]
    loads = {m.id: m.mentor_load for group in mentors.values() for m in group}
    for enrollment in enrollments:
        missing = [kind for kind in KINDS if _open(enrollment, kind) is None]
        if not missing:
            report.already_complete += 1
            continue
        savepoint = session.begin_nested()
        picked, short = [], []
        for kind in missing:
            mentor = _first_free(session, mentors[kind], loads)
            if mentor is None:
                short.append(kind)
            else:
                picked.append(mentor)
        if short:
            savepoint.rollback()
            for mentor in picked:
                loads[mentor.id] -= 1
            report.unassigned.append((enrollment, short))
            continue
        for mentor in picked:
            assignment = MentorAssignment(enrollment_id=enrollment.id, mentor_id=mentor.id,
                                          kind=mentor.mentor_kind, reason=str(_l("Auto-assigned")),
                                          assigned_by_id=actor.id if actor else None)
            session.add(assignment)
            enrollment.assignments.append(assignment)
        savepoint.commit()
        report.assigned += 1
    session.flush()
    record(session, actor, "mentor.auto_assign", "cohort", cohort.id,
           after={"assigned": report.assigned, "unassigned": len(report.unassigned),
                  "unavailable": [k.value for k in report.unavailable], "not_accepted": report.not_accepted})
    return report


def _first_free(session: Session, candidates: list[User], loads: dict[int, int]) -> Optional[User]:
    """The least-loaded mentor who really has a seat (taken atomically)."""
    for mentor in sorted(candidates, key=lambda m: (loads[m.id] / (m.capacity or 1), loads[m.id], m.id)):
        if loads[mentor.id] >= (mentor.capacity or 0):
            continue
        if _take_seat(session, mentor.id):
            loads[mentor.id] += 1
            return mentor
        loads[mentor.id] = mentor.capacity or 0  # another worker took the last seat
    return None


def release_enrollment(session: Session, actor: Optional[User], enrollment: Enrollment, reason: str) -> None:
    """Close every open assignment of an enrollment (withdrawal, placement)."""
    for assignment in enrollment.assignments:
        if assignment.ended_at is None:
            end_assignment(session, actor, assignment, reason)


def release_mentor(session: Session, actor: Optional[User], mentor: User, reason: str) -> list[Enrollment]:
    """Close a mentor's open assignments; return the enrollments that lost a mentor."""
    open_rows = session.scalars(
        sa.select(MentorAssignment)
        .where(MentorAssignment.mentor_id == mentor.id, MentorAssignment.ended_at.is_(None))
        .options(selectinload(MentorAssignment.enrollment).selectinload(Enrollment.trainee))
    ).all()
    for assignment in open_rows:
        end_assignment(session, actor, assignment, reason)
    return [a.enrollment for a in open_rows]


def open_assignments_of(session: Session, mentor_id: int) -> list[MentorAssignment]:
    return list(session.scalars(
        sa.select(MentorAssignment)
        .where(MentorAssignment.mentor_id == mentor_id, MentorAssignment.ended_at.is_(None))
        .options(selectinload(MentorAssignment.enrollment).selectinload(Enrollment.trainee),
                 selectinload(MentorAssignment.enrollment).selectinload(Enrollment.cohort))
    ))


def missing_mentors(enrollments: list[Enrollment]) -> list[tuple[Enrollment, list[MentorKind]]]:
    """Active enrollments lacking a mentor of some kind (assignments must be loaded)."""
    out = []
    for enrollment in enrollments:
        if enrollment.status != EnrollmentStatus.ACTIVE:
            continue
        kinds = [k for k in KINDS if _open(enrollment, k) is None]
        if kinds:
            out.append((enrollment, kinds))
    return out
