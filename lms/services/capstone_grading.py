"""Capstone group work in the mentors' grading queue: listed once, for every
mentor who coaches one of its members (of a kind the assessment asks for) and
has not graded it yet."""

import functools

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from lms.models import (
    Assessment,
    CapstoneGroup,
    CapstoneMember,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Grade,
    GraderKind,
    MentorAssignment,
    Submission,
    SubmissionState,
)


def group_queue(session: Session, params: dict) -> list:
    """QueueItems of group submissions waiting for the mentor in `params` (grading.queue's
    parameters: mentor_id, kind, graders); one query, built once like grading's."""
    from lms.services.grading import QueueItem

    return [QueueItem(sid, at, no, most, str(_l("Group %(name)s", name=name)), code, title, dual, other)
            for sid, at, no, most, name, code, title, dual, other in session.execute(_group_queue(), params)]


@functools.cache
def _group_queue() -> sa.Select:
    kind = sa.bindparam("kind", type_=MentorAssignment.kind.type)
    mentor_id = sa.bindparam("mentor_id", type_=sa.Integer)
    current_grade = sa.exists().where(Grade.submission_id == Submission.id, Grade.current.is_(True))
    has_my_grade = current_grade.where(Grade.kind == kind)
    other_graded = current_grade.where(Grade.kind != kind)
    coaches_a_member = (
        sa.exists().where(CapstoneMember.group_id == Submission.group_id,
                          Enrollment.trainee_id == CapstoneMember.trainee_id,
                          Enrollment.status == EnrollmentStatus.ACTIVE, Enrollment.cohort_open.is_(True),
                          MentorAssignment.enrollment_id == Enrollment.id, MentorAssignment.mentor_id == mentor_id,
                          MentorAssignment.kind == kind, MentorAssignment.ended_at.is_(None))
    )
    return (
        sa.select(Submission.id, Submission.submitted_at, Submission.attempt_no, Assessment.max_attempts,
                  CapstoneGroup.name, Cohort.code, Assessment.title, Assessment.grader == GraderKind.BOTH,
                  other_graded)
        .join(Assessment, Assessment.id == Submission.assessment_id)
        .join(CapstoneGroup, CapstoneGroup.id == Submission.group_id)
        .join(Cohort, Cohort.id == CapstoneGroup.cohort_id)
        .where(Submission.group_id.isnot(None),  # first: the EXISTS below runs only for group work
               Submission.state == SubmissionState.SUBMITTED,
               Assessment.grader.in_(sa.bindparam("graders", expanding=True)), coaches_a_member, ~has_my_grade)
    )
