"""A capstone group's work: milestone notes, the one group submission, and each
member's contribution statement.

Rules: any member records a milestone (every note is kept; the newest is its
state) and edits the group draft; each member writes only their own statement;
the group submits once every member still in training has written one (else
the missing names are given); attempts count per group. The submission then goes through
the ordinary rubric grading and its result counts for every member.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from lms.i18n import join_names
from lms.models import (
    CapstoneGroup,
    CapstoneMember,
    ContributionStatement,
    Enrollment,
    EnrollmentStatus,
    Grade,
    MilestoneNote,
    NotificationKind,
    Submission,
    SubmissionState,
    User,
)
from lms.permissions import group_coaches, may_work_in_group
from lms.services import Conflict, DomainError, clock
from lms.services.autochecks import CheckResult
from lms.services.cohorts import current_enrollment
from lms.services.notifications import notify
from lms.services.progress import ensure_tier_open
from lms.services.submissions import CHANGED_ELSEWHERE, Attempts, grader_kinds, save_draft, submitted_by
from lms.services.submissions import submit as submit_attempt

NOTE_MAX = 2000
STATEMENT_MAX = 2000


def group_of(session: Session, trainee_id: int) -> Optional[CapstoneGroup]:
    """The trainee's group in their current cohort, if any."""
    enrollment = current_enrollment(session, trainee_id)
    if enrollment is None:
        return None
    return session.scalar(
        sa.select(CapstoneGroup).join(CapstoneMember)
        .where(CapstoneMember.trainee_id == trainee_id, CapstoneMember.cohort_id == enrollment.cohort_id)
    )


def load_group(session: Session, group_id: int) -> Optional[CapstoneGroup]:
    return session.scalar(
        sa.select(CapstoneGroup).where(CapstoneGroup.id == group_id)
        .options(selectinload(CapstoneGroup.members).selectinload(CapstoneMember.trainee),
                 selectinload(CapstoneGroup.cohort), selectinload(CapstoneGroup.assessment))
    )


@dataclass
class Milestone:
    code: str
    title: dict
    brief: dict
    due: clock.Due
    notes: list[MilestoneNote] = field(default_factory=list)  # newest first

    @property
    def recorded_at(self) -> Optional[datetime]:
        return self.notes[-1].created_at if self.notes else None  # the first note recorded it

    def status(self, today: date, tz: str) -> str:
        """'done', 'late' (recorded after its due date), 'overdue' (not recorded, due passed) or 'open'."""
        if self.recorded_at is not None:
            local = self.recorded_at.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).date()
            return "late" if local > self.due.date else "done"
        return "overdue" if today > self.due.date else "open"


def milestones(session: Session, group: CapstoneGroup) -> list[Milestone]:
    """The assessment's milestones with due dates from the cohort's start and the group's notes (two queries)."""
    notes = session.scalars(
        sa.select(MilestoneNote).where(MilestoneNote.group_id == group.id)
        .options(selectinload(MilestoneNote.author)).order_by(MilestoneNote.id.desc())
    ).all()
    out = []
    for m in group.assessment.group_work["milestones"]:
        out.append(Milestone(m["code"], m["title"], m["brief"], clock.due_for_week(group.cohort.start_date, m["week"]),
                             [n for n in notes if n.milestone == m["code"]]))
    return out


def _member(user: User, group: CapstoneGroup) -> None:
    if not may_work_in_group(user, group):
        raise DomainError(_l("Only the group's members can do this."))


def record_milestone(session: Session, trainee: User, group: CapstoneGroup, code: str, text: str) -> MilestoneNote:
    """A member's note on a milestone; refused while the capstone's tier is locked for them."""
    _member(trainee, group)
    ensure_tier_open(session, trainee.id, group.assessment.course.track.tier)
    if code not in {m["code"] for m in group.assessment.group_work["milestones"]}:
        raise DomainError(_l("No such milestone."))
    text = (text or "").strip()
    if not text or len(text) > NOTE_MAX:
        raise DomainError(_l("Write what the group did, at most %(n)d characters.", n=NOTE_MAX), field="text")
    note = MilestoneNote(group_id=group.id, milestone=code, author_id=trainee.id, text=text)
    session.add(note)
    session.flush()
    return note


def group_attempts(session: Session, group: CapstoneGroup) -> Attempts:
    return Attempts(group.assessment, list(session.scalars(
        sa.select(Submission).where(Submission.group_id == group.id, Submission.assessment_id == group.assessment_id)
        .options(selectinload(Submission.grades).selectinload(Grade.mentor), selectinload(Submission.files))
        .order_by(Submission.attempt_no)
    )))


def statements(session: Session, submission: Optional[Submission]) -> dict[int, ContributionStatement]:
    """trainee id → their statement on this attempt."""
    if submission is None:
        return {}
    return {s.trainee_id: s for s in session.scalars(
        sa.select(ContributionStatement).where(ContributionStatement.submission_id == submission.id))}


def open_group_draft(session: Session, trainee: User, group: CapstoneGroup) -> Submission:
    """The group's draft, started if allowed; attempts count per group."""
    _member(trainee, group)
    assessment = group.assessment
    ensure_tier_open(session, trainee.id, assessment.course.track.tier)
    state = group_attempts(session, group)
    if state.draft is not None:
        return state.draft
    if state.passed:
        raise DomainError(_l("Your group has passed this assessment."))
    if state.pending is not None:
        raise DomainError(_l("Your group's work is waiting for its grade."))
    if state.left == 0:
        raise DomainError(_l("Your group has used all %(n)d attempts.", n=assessment.max_attempts))
    draft = Submission(trainee_id=trainee.id, group_id=group.id, assessment_id=assessment.id,
                       attempt_no=state.used + 1, state=SubmissionState.DRAFT, answers={}, checks=[])
    session.add(draft)
    try:
        session.flush()
    except IntegrityError as error:  # another member started it at the same moment
        raise Conflict(CHANGED_ELSEWHERE) from error
    return draft


def save_statement(session: Session, trainee: User, draft: Submission, text: str) -> None:
    """The member's own statement on the draft (empty text: none yet)."""
    text = (text or "").strip()
    if len(text) > STATEMENT_MAX:
        raise DomainError(_l("At most %(n)d characters.", n=STATEMENT_MAX), field="statement")
    row = session.scalar(sa.select(ContributionStatement).where(
        ContributionStatement.submission_id == draft.id, ContributionStatement.trainee_id == trainee.id))
    if not text:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(ContributionStatement(submission_id=draft.id, trainee_id=trainee.id, text=text))
    else:
        row.text = text
    session.flush()


def active_members(session: Session, group: CapstoneGroup) -> list[CapstoneMember]:
    """Members still in training: a withdrawn member is not waited for."""
    active = set(session.scalars(sa.select(Enrollment.trainee_id).where(
        Enrollment.cohort_id == group.cohort_id, Enrollment.status == EnrollmentStatus.ACTIVE,
        Enrollment.trainee_id.in_(group.member_ids))))
    return [m for m in group.members if m.trainee_id in active]


def missing_statements(session: Session, group: CapstoneGroup, draft: Submission) -> list[User]:
    written = statements(session, draft)
    return [m.trainee for m in active_members(session, group) if m.trainee_id not in written]


GROUP_CHANGED = _l("Someone in your group saved the group's work while you were editing, so nothing of yours was "
                   "saved. What you typed is still in the form; the group's saved version is shown next to it. "
                   "Compare them, then save again.")


@dataclass
class GroupWork:
    """What a save (and submit) of the group's work did: `refusal` says why a submit was
    refused although the draft was saved (a missing statement, too few members)."""

    draft: Submission
    results: list[CheckResult] = field(default_factory=list)
    refusal: Optional[Any] = None
    missing: list[User] = field(default_factory=list)


def _check_fresh(state: Attempts, expected: tuple[Optional[int], Optional[int]]) -> None:
    """Conflict unless the group's draft is still the one (id, version) the member's page showed
    (None: the page had no draft): a stale page never overwrites what another member saved."""
    draft_id, version = expected
    current = (state.draft.id, state.draft.version) if state.draft is not None else (None, None)
    if (draft_id, version if draft_id is not None else None) != current:
        raise Conflict(GROUP_CHANGED)


def work_on_group(session: Session, trainee: User, group: CapstoneGroup, answers: dict[str, Any],
                  statement: str, submit: bool,
                  expected: Optional[tuple[Optional[int], Optional[int]]] = None) -> GroupWork:
    """Save the group draft and the member's own statement (no other member's statement
    is touched); submit when asked. `expected`: the (draft id, version) the member's
    page was built from; a stale one is a Conflict and nothing is written. A submit
    refused for a missing statement or too few members keeps the saved draft and says
    why in `refusal`. Caller commits."""
    if expected is not None:
        _member(trainee, group)
        _check_fresh(group_attempts(session, group), expected)
    draft = open_group_draft(session, trainee, group)
    save_draft(session, draft, answers, {}, "")
    save_statement(session, trainee, draft, statement)
    if not submit:
        return GroupWork(draft)
    low = group.assessment.group_work["min_members"]
    if len(active_members(session, group)) < low:
        return GroupWork(draft, refusal=_l("A group needs at least %(n)d members to hand in its work.", n=low))
    missing = missing_statements(session, group, draft)
    if missing:
        return GroupWork(draft, missing=missing, refusal=_l(
            "Every member writes a contribution statement before the group submits. Missing: %(names)s.",
            names=join_names(u.name for u in missing)))
    results = submit_attempt(session, trainee, draft)
    if draft.state == SubmissionState.SUBMITTED:
        _notify_other_mentors(session, trainee, group, draft)
    return GroupWork(draft, results)


def save_group_work(session: Session, trainee: User, group: CapstoneGroup, answers: dict[str, Any],
                    statement: str, submit: bool) -> tuple[Submission, list[CheckResult]]:
    """`work_on_group` without the page's version check, for demo data and tests: a refused
    submit is a DomainError (naming who is missing) and the caller rolls back."""
    done = work_on_group(session, trainee, group, answers, statement, submit)
    if done.refusal is not None:
        raise DomainError(done.refusal, field="statement")
    return done.draft, done.results


def _notify_other_mentors(session: Session, trainee: User, group: CapstoneGroup, draft: Submission) -> None:
    """`submit` told the submitter's mentors; the other members' mentors hear of it too (once each)."""
    kinds = grader_kinds(group.assessment.grader)
    enrollment = current_enrollment(session, trainee.id)
    told = {a.mentor_id for a in (enrollment.assignments if enrollment else []) if a.ended_at is None}
    for a in group_coaches(session, group.id):
        if a.kind in kinds and a.mentor_id not in told:
            told.add(a.mentor_id)
            notify(session, a.mentor_id, NotificationKind.SUBMISSION_WAITING, draft.id,
                   assessment=group.assessment.title, **submitted_by(trainee, draft))



def group_statements(session: Session, submission: Submission) -> list[tuple[User, Optional[str]]]:
    """For a group's work: each member with their contribution statement (None: not written);
    empty for individual work. For the grading and review pages."""
    if submission.group_id is None:
        return []
    written = statements(session, submission)
    return [(m.trainee, written[m.trainee_id].text if m.trainee_id in written else None)
            for m in submission.group.members]
