"""Load one object for a view and check access to it, once (the Flask tutorial's
`get_post(id, check_author)`): 404 when it does not exist, 403 when the policy in
`lms.permissions` refuses. Files answer 404 either way so their existence is not
revealed."""

from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import selectinload

from lms.extensions import db
from lms.models import (
    Assessment,
    BaselineRating,
    Enrollment,
    Grade,
    MentorAssignment,
    MentorKind,
    Submission,
    SubmissionFile,
    SubmissionState,
)
from lms.permissions import (
    may_grade,
    may_open_file,
    may_read_submission,
    may_view_enrollment,
    submission_coaches,
)


@dataclass
class LoadedSubmission:
    submission: Submission
    coaches: list[MentorAssignment]
    kind: Optional[MentorKind]  # what the current user grades it as; None: read only


def load_submission(submission_id: int, *, grade: bool = False) -> LoadedSubmission:
    """A submission the current user may read (or, with `grade`, grade)."""
    submission = db.session.scalar(
        sa.select(Submission).where(Submission.id == submission_id)
        .options(selectinload(Submission.files), selectinload(Submission.grades).selectinload(Grade.mentor),
                 selectinload(Submission.assessment).selectinload(Assessment.criteria))
    )
    if submission is None:
        abort(404)
    coaches = submission_coaches(db.session, submission)
    if not may_read_submission(current_user, submission, coaches):
        # someone else's draft does not exist for them yet
        abort(404 if submission.state == SubmissionState.DRAFT else 403)
    kind = may_grade(current_user, submission, coaches)
    if grade and kind is None:
        abort(403)
    return LoadedSubmission(submission, coaches, kind)


def load_enrollment(enrollment_id: int) -> Enrollment:
    """An enrollment the current user may view (admins: any; mentors: those they coach)."""
    enrollment = db.session.scalar(
        sa.select(Enrollment).where(Enrollment.id == enrollment_id)
        .options(selectinload(Enrollment.assignments).selectinload(MentorAssignment.mentor),
                 selectinload(Enrollment.baselines).selectinload(BaselineRating.rated_by),
                 selectinload(Enrollment.trainee))
    )
    if enrollment is None:
        abort(404)
    if not may_view_enrollment(current_user, enrollment):
        abort(403)
    return enrollment


def load_file(file_id: int) -> SubmissionFile:
    """A stored file the current user may open; 404 otherwise."""
    stored = db.session.get(SubmissionFile, file_id)
    if stored is None:
        abort(404)
    if not may_open_file(current_user, stored, submission_coaches(db.session, stored.submission)):
        abort(404)
    return stored
