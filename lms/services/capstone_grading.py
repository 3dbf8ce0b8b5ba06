"""Capstone group work in the mentors' grading queue: listed once, for every
mentor who coaches one of its members (of a kind the assessment asks for) and
has not graded it yet."""

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
    GraderKind,
    MentorAssignment,
    Submission,
    SubmissionState,
    User,
)


def group_queue(session: Session, mentor: User, other_graded, has_my_grade) -> list:
    """QueueItems of group submissions waiting for `mentor` (one query; `other_graded` and
    `has_my_grade` are grading.queue's correlated EXISTS clauses)."""
    from lms.services.grading import QueueItem

    coaches_a_member = (
        sa.exists().where(CapstoneMember.group_id == Submission.group_id,
                          Enrollment.trainee_id == CapstoneMember.trainee_id,
                          Enrollment.status == EnrollmentStatus.ACTIVE, Enrollment.cohort_open.is_(True),
                          MentorAssignment.enrollment_id == Enrollment.id, MentorAssignment.mentor_id == mentor.id,
                          MentorAssignment.kind == mentor.mentor_kind, MentorAssignment.ended_at.is_(None))
    )
    rows = session.execute(
        sa.select(Submission.id, Submission.submitted_at, Submission.attempt_no, Assessment.max_attempts,
                  CapstoneGroup.name, Cohort.code, Assessment.title, Assessment.grader == GraderKind.BOTH,
                  other_graded)
        .join(Assessment, Assessment.id == Submission.assessment_id)
        .join(CapstoneGroup, CapstoneGroup.id == Submission.group_id)
        .join(Cohort, Cohort.id == CapstoneGroup.cohort_id)
        .where(Submission.state == SubmissionState.SUBMITTED,
               Assessment.grader.in_(["both", mentor.mentor_kind.value]), coaches_a_member, ~has_my_grade)
    )
    return [QueueItem(sid, at, no, most, str(_l("Group %(name)s", name=name)), code, title, dual, other)
            for sid, at, no, most, name, code, title, dual, other in rows]
