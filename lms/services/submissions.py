"""A trainee's attempts at an assessment: drafts, uploads, submission and retakes.

Rules: attempts are counted when submitted (a draft sent back by a blocking
auto-check uses none); a passed assessment takes no more attempts; a new attempt
starts only after the previous one has its final result. A retake starts from the
previous attempt's answers and files (copied, so each attempt keeps its own).
"""

from dataclasses import dataclass, field
from os import PathLike
from typing import Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from lms.models import (
    Assessment,
    GraderKind,
    MentorKind,
    NotificationKind,
    Submission,
    SubmissionFile,
    SubmissionState,
    User,
)
from lms.models.base import utcnow
from lms.services import Conflict, DomainError
from lms.services.audit import record
from lms.services.autochecks import CheckResult, blocked, run_checks
from lms.services.cohorts import current_enrollment
from lms.services.notifications import notify
from lms.services.progress import ensure_tier_open
from lms.services.uploads import StoredFile
from lms.storage import Storage, as_storage

CHANGED_ELSEWHERE = _l("This attempt was changed in another window at the same moment. Reload the page to see it.")


def submitted_by(trainee: User, submission: Submission) -> dict[str, Any]:
    """A waiting-for-grade notification's "who": the trainee, or the group (name and members)
    for group work, whichever member pressed submit."""
    if submission.group_id is None:
        return {"trainee": trainee.name}
    return {"trainee": submission.group.name, "members": [m.trainee.name for m in submission.group.members]}


def grader_kinds(grader: GraderKind) -> list[MentorKind]:
    return [MentorKind.AI, MentorKind.BUSINESS] if grader == GraderKind.BOTH else [MentorKind(grader.value)]


@dataclass
class Attempts:
    assessment: Assessment
    submissions: list[Submission] = field(default_factory=list)  # oldest first

    @property
    def draft(self) -> Optional[Submission]:
        return next((s for s in self.submissions if s.state == SubmissionState.DRAFT), None)

    @property
    def pending(self) -> Optional[Submission]:
        return next((s for s in self.submissions if s.state == SubmissionState.SUBMITTED), None)

    @property
    def used(self) -> int:
        return sum(1 for s in self.submissions if s.state != SubmissionState.DRAFT)

    @property
    def passed(self) -> bool:
        return any(s.passed for s in self.submissions)

    @property
    def left(self) -> int:
        return max(self.assessment.max_attempts - self.used, 0)

    @property
    def can_work(self) -> bool:
        """A draft exists or may be started."""
        return self.draft is not None or (not self.passed and self.pending is None and self.left > 0)

    @property
    def last_submitted(self) -> Optional[Submission]:
        return next((s for s in reversed(self.submissions) if s.state != SubmissionState.DRAFT), None)

    @property
    def latest_graded(self) -> Optional[Submission]:
        return next((s for s in reversed(self.submissions) if s.state == SubmissionState.GRADED), None)


def attempts(session: Session, trainee_id: int, assessment: Assessment) -> Attempts:
    return Attempts(assessment, list(session.scalars(
        sa.select(Submission).where(Submission.trainee_id == trainee_id, Submission.assessment_id == assessment.id)
        .options(selectinload(Submission.files), selectinload(Submission.grades))
        .order_by(Submission.attempt_no)
    )))


def open_draft(session: Session, trainee: User, assessment: Assessment) -> Submission:
    """The trainee's draft for this assessment, started if allowed (never in a
    locked tier)."""
    ensure_tier_open(session, trainee.id, assessment.course.track.tier)
    state = attempts(session, trainee.id, assessment)
    if state.draft is not None:
        return state.draft
    if state.passed:
        raise DomainError(_l("You have passed this assessment."))
    if state.pending is not None:
        raise DomainError(_l("Your attempt is waiting for its grade."))
    if state.left == 0:
        raise DomainError(_l("You have used all %(n)d attempts.", n=assessment.max_attempts))
    draft = Submission(trainee_id=trainee.id, assessment_id=assessment.id, attempt_no=state.used + 1,
                       state=SubmissionState.DRAFT, answers={}, checks=[])
    session.add(draft)
    try:
        session.flush()
    except IntegrityError as error:  # a parallel request (double click, second tab) started it first
        raise Conflict(CHANGED_ELSEWHERE) from error
    return draft


def _write_draft(session: Session, submission: Submission, **values: Any) -> None:
    """Write `values` (and bump the version) only if the row is still the draft this
    request read: one guarded UPDATE, so of two requests racing on one draft exactly
    one writes and the other gets Conflict. Caller rolls back on Conflict."""
    result = session.execute(
        sa.update(Submission)
        .where(Submission.id == submission.id, Submission.state == SubmissionState.DRAFT,
               Submission.version == submission.version)
        .values(version=Submission.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(CHANGED_ELSEWHERE)
    session.refresh(submission, ["version", *values])


def save_draft(session: Session, submission: Submission, answers: dict[str, Any],
               uploads: dict[str, StoredFile], storage: Storage | str | PathLike) -> None:
    """Store answers and new files on a draft; a new file replaces the field's old one."""
    storage = as_storage(storage)
    if submission.state != SubmissionState.DRAFT:
        raise DomainError(_l("This attempt was already submitted."))
    names = {f["name"] for f in submission.assessment.fields if f["type"] != "file"}
    # First, so a save that lost to a submit deletes none of the submitted files.
    _write_draft(session, submission, answers={k: v for k, v in answers.items() if k in names})
    for field_name, stored in uploads.items():
        for old in [f for f in submission.files if f.field == field_name]:
            submission.files.remove(old)
            session.delete(old)
            storage.delete(old.stored_name)
        submission.files.append(SubmissionFile(field=field_name, original_name=stored.original_name,
                                               stored_name=stored.stored_name, content_type=stored.content_type,
                                               size=stored.size))
    session.flush()


def submit(session: Session, trainee: User, submission: Submission) -> list[CheckResult]:
    """Run the auto-checks; submit unless a blocking one fails (then it stays a draft).

    Of parallel submits of one draft exactly one succeeds (one audit event, one
    notification per mentor); the others get Conflict.
    """
    if submission.state != SubmissionState.DRAFT:
        raise DomainError(_l("This attempt was already submitted."))
    assessment = submission.assessment
    results = run_checks(assessment.fields, assessment.checks, submission.answers,
                         {f.field for f in submission.files})
    checks = [r.as_dict() for r in results]
    now = utcnow()
    runs = [*(submission.check_runs or []), {
        "at": now.isoformat(), "submitted": not blocked(results),
        "results": [{"field": r.field, "kind": r.kind, "passed": r.passed, "blocking": r.blocking} for r in results]}]
    if blocked(results):
        _write_draft(session, submission, checks=checks, check_runs=runs)
        return results
    _write_draft(session, submission, checks=checks, check_runs=runs, state=SubmissionState.SUBMITTED,
                 submitted_at=now)
    record(session, trainee, "submission.submit", "submission", submission.id,
           after={"assessment": assessment.code, "attempt": submission.attempt_no})
    enrollment = current_enrollment(session, trainee.id)
    kinds = grader_kinds(assessment.grader)
    for assignment in (enrollment.assignments if enrollment else []):
        if assignment.ended_at is None and assignment.kind in kinds:
            notify(session, assignment.mentor_id, NotificationKind.SUBMISSION_WAITING, submission.id,
                   assessment=assessment.title, **submitted_by(trainee, submission))
    return results


_submit_draft = submit  # save_attempt's `submit` flag shadows the function's name


def _carry_files(session: Session, draft: Submission, previous: Optional[Submission], storage: Storage) -> None:
    """Copy the previous attempt's file of each field the draft has none for: a retake
    keeps its files unless replaced, and deleting a draft's file never touches a
    submitted attempt's. A file removed after the retention period is not carried."""
    if previous is None:
        return
    have = {f.field for f in draft.files}
    for old in previous.files:
        if old.field in have or old.purged_at is not None or not storage.exists(old.stored_name):
            continue
        stored_name = storage.copy(old.stored_name)
        draft.files.append(SubmissionFile(field=old.field, original_name=old.original_name, stored_name=stored_name,
                                          content_type=old.content_type, size=old.size))
        have.add(old.field)
    session.flush()


def save_attempt(session: Session, trainee: User, assessment: Assessment, answers: dict[str, Any],
                 uploads: dict[str, StoredFile], storage: Storage | str | PathLike,
                 submit: bool) -> tuple[Submission, list[CheckResult]]:
    """Open (or reuse) the draft, store answers and files, and submit it if asked.

    The one way an attempt is made (web form, demo data, tests). Returns the draft
    or submission and the check results (empty when only saved). The caller
    commits, or rolls back and discards `uploads` on DomainError. `storage` holds the
    files (a folder path: the local store of that folder).
    """
    storage = as_storage(storage)
    previous = attempts(session, trainee.id, assessment).last_submitted
    draft = open_draft(session, trainee, assessment)
    save_draft(session, draft, answers, uploads, storage)
    _carry_files(session, draft, previous, storage)
    if not submit:
        return draft, []
    return draft, _submit_draft(session, trainee, draft)

