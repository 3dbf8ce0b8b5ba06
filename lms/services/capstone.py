"""Capstone groups (场景化项目攻坚): the admin forms them per cohort.

Rules: a group has a name unique in its cohort, one of the assessment's problems
and 2–6 members (the course file's `min_members`..`max_members`); members are
active trainees of that cohort whose target role needs the expert tier; a
trainee is in at most one group per cohort (held by the database too); members
are fixed once the group has handed in work, since its grade is credited to them.
Every change is audited.
"""

from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from lms.models import (
    Assessment,
    CapstoneGroup,
    CapstoneMember,
    Cohort,
    Course,
    Enrollment,
    EnrollmentStatus,
    Submission,
    SubmissionState,
    Tier,
    TierCode,
    Track,
    User,
)
from lms.services import Conflict, DomainError
from lms.services.audit import record


def capstone_assessment(session: Session, program_id: int) -> Optional[Assessment]:
    """The program's live group assessment (the capstone), if its courses have one."""
    return session.scalar(
        sa.select(Assessment).join(Course).join(Track).join(Tier)
        .where(Tier.program_id == program_id, Assessment.group_work.is_not(None), Assessment.archived_at.is_(None))
        .order_by(Assessment.id).limit(1)
    )


def problem_of(assessment: Assessment, code: str) -> Optional[dict]:
    return next((p for p in assessment.group_work["problems"] if p["code"] == code), None)


def takes_capstone(enrollment: Optional[Enrollment]) -> bool:
    """Whether the enrollment's target role takes the expert tier (and so the capstone)."""
    if enrollment is None or enrollment.target_role is None:
        return False
    role = getattr(enrollment.target_role, "value", enrollment.target_role)
    return TierCode.EXPERT.value in enrollment.cohort.program.tiers_for_role(role)


def eligible(session: Session, cohort: Cohort) -> list[Enrollment]:
    """Active enrollments of the cohort whose target role needs the expert tier, by name."""
    roles = [r for r in cohort.program.roles if TierCode.EXPERT.value in cohort.program.tiers_for_role(r)]
    return list(session.scalars(
        sa.select(Enrollment).join(User, User.id == Enrollment.trainee_id)
        .where(Enrollment.cohort_id == cohort.id, Enrollment.status == EnrollmentStatus.ACTIVE,
               Enrollment.target_role.in_(roles))
        .options(selectinload(Enrollment.trainee)).order_by(User.name, User.id)
    ))


def cohort_groups(session: Session, cohort: Cohort) -> list[CapstoneGroup]:
    """The cohort's groups with their members (two queries)."""
    return list(session.scalars(
        sa.select(CapstoneGroup).where(CapstoneGroup.cohort_id == cohort.id)
        .options(selectinload(CapstoneGroup.members).selectinload(CapstoneMember.trainee))
        .order_by(CapstoneGroup.name)
    ))


def handed_in(session: Session, groups: list[CapstoneGroup]) -> dict[int, Submission]:
    """Each group's latest handed-in attempt (one query), for the admin's review links."""
    latest: dict[int, Submission] = {}
    for submission in session.scalars(
        sa.select(Submission).where(Submission.group_id.in_([g.id for g in groups]),
                                    Submission.state != SubmissionState.DRAFT).order_by(Submission.attempt_no)
    ):
        latest[submission.group_id] = submission
    return latest


@dataclass
class GroupInput:
    name: str
    problem: str
    trainee_ids: list[int]


def _locked(session: Session, group: CapstoneGroup) -> bool:
    """Whether the group has handed in work (its members are then fixed)."""
    return session.scalar(sa.select(Submission.id).where(
        Submission.group_id == group.id, Submission.state != SubmissionState.DRAFT).limit(1)) is not None


def _check_members(session: Session, cohort: Cohort, assessment: Assessment, trainee_ids: list[int],
                   group: Optional[CapstoneGroup] = None) -> list[Enrollment]:
    spec = assessment.group_work
    ids = list(dict.fromkeys(trainee_ids))
    low, high = spec["min_members"], spec["max_members"]
    if not low <= len(ids) <= high:
        raise DomainError(_l("A group has %(low)d to %(high)d members.", low=low, high=high), field="trainee_ids")
    allowed = {e.trainee_id: e for e in eligible(session, cohort)}
    for trainee_id in ids:
        if trainee_id not in allowed:
            raise DomainError(_l("Only active trainees of this cohort whose target role needs the expert tier "
                                 "can join a group."), field="trainee_ids")
    taken = session.execute(
        sa.select(User.name, CapstoneGroup.name).join(CapstoneMember, CapstoneMember.trainee_id == User.id)
        .join(CapstoneGroup, CapstoneGroup.id == CapstoneMember.group_id)
        .where(CapstoneMember.cohort_id == cohort.id, CapstoneMember.trainee_id.in_(ids),
               CapstoneMember.group_id != (group.id if group else -1))
    ).first()
    if taken is not None:
        raise DomainError(_l("%(name)s is already in group %(group)s.", name=taken[0], group=taken[1]),
                          field="trainee_ids")
    return [allowed[i] for i in ids]


def _flush(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError as error:  # caller rolls back
        raise Conflict(_l("Someone changed the groups of this cohort at the same moment. Reload the page and "
                          "try again.")) from error


def create_group(session: Session, actor: User, cohort: Cohort, values: GroupInput) -> CapstoneGroup:
    """A new group with its members; DomainError (with the field) on bad input."""
    if cohort.closed_at is not None:
        raise DomainError(_l("This cohort is closed."))
    assessment = capstone_assessment(session, cohort.program_id)
    if assessment is None:
        raise DomainError(_l("The program has no group project."))
    name = (values.name or "").strip()
    if not name or len(name) > 80:
        raise DomainError(_l("Give the group a name of at most 80 characters."), field="name")
    if session.scalar(sa.select(CapstoneGroup.id).where(CapstoneGroup.cohort_id == cohort.id,
                                                         CapstoneGroup.name == name)):
        raise DomainError(_l("This cohort already has a group of that name."), field="name")
    if problem_of(assessment, values.problem) is None:
        raise DomainError(_l("Choose one of the problems."), field="problem")
    members = _check_members(session, cohort, assessment, values.trainee_ids)
    group = CapstoneGroup(cohort_id=cohort.id, assessment_id=assessment.id, name=name, problem=values.problem,
                          members=[CapstoneMember(cohort_id=cohort.id, trainee_id=e.trainee_id) for e in members])
    session.add(group)
    _flush(session)
    record(session, actor, "capstone.group_create", "capstone_group", group.id,
           after={"cohort": cohort.code, "name": name, "problem": values.problem,
                  "members": [e.trainee_id for e in members]})
    return group


def set_members(session: Session, actor: User, group: CapstoneGroup, trainee_ids: list[int]) -> bool:
    """Move trainees in or out of the group (a trainee in another group must leave it
    first); returns whether anything changed. Refused once the group handed in work."""
    before = sorted(group.member_ids)
    after = sorted(set(trainee_ids))
    if before == after:
        return False
    if _locked(session, group):
        raise DomainError(_l("The group has handed in its work: its members are fixed."), field="trainee_ids")
    _check_members(session, group.cohort, group.assessment, after, group)
    for member in [m for m in group.members if m.trainee_id not in after]:
        group.members.remove(member)
        session.delete(member)
    session.flush()  # free the (cohort, trainee) slots before adding
    for trainee_id in [t for t in after if t not in before]:
        group.members.append(CapstoneMember(cohort_id=group.cohort_id, trainee_id=trainee_id))
    _flush(session)
    record(session, actor, "capstone.group_members", "capstone_group", group.id,
           before={"members": before}, after={"members": after})
    return True
