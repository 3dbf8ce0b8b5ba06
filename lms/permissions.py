"""Who may do what: the one permission table, and how views declare their action.

Every view declares an action with `@require(Action.X)` or `@public`. A request
hook (`enforce`) checks it before the view runs; an endpoint that declares
nothing is refused (fail closed), and `tests/test_route_permissions.py` walks
`app.url_map` so such a route cannot ship unnoticed.
"""

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy.orm import Session

from lms.extensions import login_manager
from lms.models import (
    CapstoneGroup,
    CapstoneMember,
    Enrollment,
    EnrollmentStatus,
    GraderKind,
    MentorAssignment,
    MentorKind,
    Role,
    Submission,
    SubmissionFile,
    SubmissionState,
    TokenScope,
)


class Action(enum.StrEnum):
    USE_ACCOUNT = "use_account"  # own home, password, language
    MANAGE_PEOPLE = "manage_people"
    VIEW_AUDIT = "view_audit"
    TRAINEE_HOME = "trainee_home"
    MENTOR_HOME = "mentor_home"
    ADMIN_HOME = "admin_home"
    LEARN = "learn"  # read lessons, track own progress
    BROWSE_CATALOG = "browse_catalog"  # the whole catalogue as loaded, with rubrics
    SYNC_CATALOG = "sync_catalog"
    MANAGE_COHORTS = "manage_cohorts"  # cohorts, enrollment, mentor assignment, capstone groups
    RATE_BASELINE = "rate_baseline"  # intake ratings and adjustments (mentors: their own trainees)
    TAKE_DIAGNOSTIC = "take_diagnostic"  # the intake diagnostic (once, own enrollment)
    SUBMIT_WORK = "submit_work"  # answer assessments
    GRADE = "grade"  # grading queue and rubric grading (only trainees one coaches)
    VIEW_TRAINEE = "view_trainee"  # a trainee's record: attainment, attempts (mentors: their own)
    REVIEW_GRADING = "review_grading"  # read any submission with its grades, read only
    MANAGE_PLACEMENTS = "manage_placements"  # place, agents, outcomes, hand-off import, business calendar
    COACH_BUFFER = "coach_buffer"  # weekly check-ins with placed people (mentors: those they coach)
    BUFFER_HOME = "buffer_home"  # a placed person's own buffer page and notes on their check-ins
    LEAD_HOME = "lead_home"  # a receiving team lead reads the buffer period of the people placed with them
    LOG_DEFECTS = "log_defects"  # a placed person logs their agent's defects and reads their own
    TRIAGE_DEFECTS = "triage_defects"  # the defect board and its transitions: admins and `reviewer` users
    APPROVE_AWARDS = "approve_awards"  # approve a measured contribution's award and track its payout (admins)
    OPEN_DEFECT_FILE = "open_defect_file"  # a defect's screenshot (object policy: may_open_defect_file)
    MANAGE_API_TOKENS = "manage_api_tokens"  # every HR API token: create one's own, revoke any (admins)
    MANAGE_JOBS = "manage_jobs"  # the scheduled jobs page and each program's outgoing webhook (admins)
    VIEW_REPORTS = "view_reports"  # dashboards, gradebooks, exports and trainee dossiers (admins)


PUBLIC = "public"

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(
        {
            Action.USE_ACCOUNT,
            Action.MANAGE_PEOPLE,
            Action.VIEW_AUDIT,
            Action.ADMIN_HOME,
            Action.BROWSE_CATALOG,
            Action.SYNC_CATALOG,
            Action.MANAGE_COHORTS,
            Action.RATE_BASELINE,
            Action.VIEW_TRAINEE,
            Action.REVIEW_GRADING,
            Action.MANAGE_PLACEMENTS,
            Action.TRIAGE_DEFECTS,
            Action.APPROVE_AWARDS,
            Action.OPEN_DEFECT_FILE,
            Action.MANAGE_API_TOKENS,
            Action.MANAGE_JOBS,
            Action.VIEW_REPORTS,
        }
    ),
    Role.MENTOR: frozenset(
        {
            Action.USE_ACCOUNT,
            Action.MENTOR_HOME,
            Action.BROWSE_CATALOG,
            Action.RATE_BASELINE,
            Action.GRADE,
            Action.VIEW_TRAINEE,
            Action.COACH_BUFFER,
        }
    ),
    Role.TRAINEE: frozenset({Action.USE_ACCOUNT, Action.TRAINEE_HOME, Action.LEARN, Action.SUBMIT_WORK,
                             Action.TAKE_DIAGNOSTIC, Action.BUFFER_HOME, Action.LOG_DEFECTS,
                             Action.OPEN_DEFECT_FILE}),
    Role.LEAD: frozenset({Action.USE_ACCOUNT, Action.LEAD_HOME}),
}

# Capabilities a user carries on top of their role (boolean columns on User).
CAPABILITY_ACTIONS: dict[str, frozenset[Action]] = {
    "reviewer": frozenset({Action.TRIAGE_DEFECTS, Action.OPEN_DEFECT_FILE}),
}

# Endpoints served by extensions, not by our views.
EXTENSION_PUBLIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})


def can(user, action: Action) -> bool:
    """True when an authenticated, active user's role allows `action`."""
    if not _signed_in(user):
        return False
    if action in ROLE_ACTIONS.get(user.role, frozenset()):
        return True
    return any(getattr(user, name, False) and action in actions for name, actions in CAPABILITY_ACTIONS.items())


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and bool(user.active)


# --- object-level policies -------------------------------------------------------
# One definition of who coaches a trainee (`coaching_mentors`); every rule below is
# a pure function of already-loaded rows, so views, services and templates agree.


def coaching_mentors(session: Session, trainee_id: int) -> list[MentorAssignment]:
    """The open mentor assignments of the trainee's active enrollment in an open
    cohort: the mentors who coach them now (at most one per kind)."""
    return list(session.scalars(
        sa.select(MentorAssignment).join(Enrollment)
        .where(Enrollment.trainee_id == trainee_id, Enrollment.status == EnrollmentStatus.ACTIVE,
               Enrollment.cohort_open.is_(True), MentorAssignment.ended_at.is_(None))
        .order_by(MentorAssignment.id)
    ))


def authors(submission: Submission) -> set[int]:
    """Whose work it is: the trainee, or every current member of the capstone group."""
    if submission.group_id is None:
        return {submission.trainee_id}
    return set(submission.group.member_ids)


def submission_coaches(session: Session, submission: Submission) -> list[MentorAssignment]:
    """The mentors coaching the submission's authors now: for a group's work, the
    mentors of every member (any of them may grade it, one grade per kind)."""
    if submission.group_id is None:
        return coaching_mentors(session, submission.trainee_id)
    return group_coaches(session, submission.group_id)


def group_coaches(session: Session, group_id: int) -> list[MentorAssignment]:
    return list(session.scalars(
        sa.select(MentorAssignment).join(Enrollment)
        .join(CapstoneMember, CapstoneMember.trainee_id == Enrollment.trainee_id)
        .where(CapstoneMember.group_id == group_id, Enrollment.status == EnrollmentStatus.ACTIVE,
               Enrollment.cohort_open.is_(True), MentorAssignment.ended_at.is_(None))
        .order_by(MentorAssignment.id)
    ))


def may_work_in_group(user, group: CapstoneGroup) -> bool:
    """A capstone group's page: only its members open it and write milestones, the group
    draft and (each their own) statements; another trainee gets 404. Mentors read and
    grade the group's work, admins review it, through the submission pages
    (`may_read_submission` / `may_grade` with `submission_coaches`)."""
    return _signed_in(user) and user.role == Role.TRAINEE and user.id in group.member_ids


def may_read_submission(user, submission: Submission, coaches: Iterable[MentorAssignment]) -> bool:
    """The trainee reads their own attempts (drafts too), a group member the group's;
    admins and the coaching mentors read every submitted attempt, whoever grades it."""
    if not _signed_in(user):
        return False
    if user.id in authors(submission):
        return True
    if submission.state == SubmissionState.DRAFT:
        return False
    return user.role == Role.ADMIN or any(a.mentor_id == user.id for a in coaches)


def may_grade(user, submission: Submission, coaches: Iterable[MentorAssignment]) -> Optional[MentorKind]:
    """The kind `user` grades this submission as, or None: only a coaching mentor of
    a kind the assessment's grader setting asks for, and never a draft."""
    if not _signed_in(user) or user.role != Role.MENTOR or submission.state == SubmissionState.DRAFT:
        return None
    grader = submission.assessment.grader
    for a in coaches:
        if a.mentor_id == user.id and a.kind == user.mentor_kind and (
                grader == GraderKind.BOTH or a.kind.value == grader.value):
            return a.kind
    return None


def may_open_file(user, stored: SubmissionFile, coaches: Iterable[MentorAssignment]) -> bool:
    """Whoever may read the submission may open its files."""
    return may_read_submission(user, stored.submission, coaches)


def may_view_enrollment(user, enrollment: Enrollment) -> bool:
    """Admins see every enrollment; a mentor those they coach now."""
    if not _signed_in(user):
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MENTOR and any(
        a.mentor_id == user.id and a.ended_at is None for a in enrollment.assignments)


def may_rate_baseline(user, enrollment: Enrollment) -> bool:
    """Admins, and the mentors who coach the trainee now, rate or adjust the intake baseline."""
    return may_view_enrollment(user, enrollment)


def may_take_diagnostic(user, enrollment: Enrollment, taken: bool, rated: Optional[bool] = None) -> bool:
    """A trainee takes the intake diagnostic of their own active enrollment in an open cohort,
    once (`taken`: a result exists), and only while no baseline is recorded: a mentor's rating
    confirms the baseline and closes it. `rated`: whether a baseline exists, when the caller
    asked already (else the enrollment's baselines are read)."""
    return (_signed_in(user) and user.role == Role.TRAINEE and enrollment.trainee_id == user.id
            and enrollment.status == EnrollmentStatus.ACTIVE and enrollment.cohort_open
            and not taken and not (enrollment.baselines if rated is None else rated))


def may_see_pay_band(user) -> bool:
    """Pay bands before and after placement are for admins only (not coaches, not the person's lead)."""
    return _signed_in(user) and user.role == Role.ADMIN


def may_coach(user, placement) -> bool:
    """The placement's buffer coach logs its check-ins (an active mentor)."""
    return _signed_in(user) and user.role == Role.MENTOR and placement.coach_id == user.id


def may_lead(user, placement) -> bool:
    """The receiving team lead named on the placement (by e-mail), with a lead account."""
    return (_signed_in(user) and user.role == Role.LEAD and bool(placement.lead_email)
            and placement.lead_email.lower() == user.email.lower())


def may_view_placement(user, placement) -> bool:
    """Admins, the buffer coach, the receiving team lead and the placed person themself."""
    if not _signed_in(user):
        return False
    return (user.role == Role.ADMIN or user.id == placement.trainee_id or may_coach(user, placement)
            or may_lead(user, placement))


def may_record_buffer_outcome(user, placement) -> bool:
    """At the end of the buffer the coach or an admin records the outcome."""
    return _signed_in(user) and (user.role == Role.ADMIN or may_coach(user, placement))


def may_record_training_outcome(user, placement) -> bool:
    """The not-placed outcome (training extended, redeployed, returned, left) is recorded by an
    admin for a trainee without a placement; a placed person's outcome is the buffer outcome.
    `placement`: the enrollment's placement, or None."""
    return _signed_in(user) and user.role == Role.ADMIN and placement is None


def may_see_checkin_private(user, placement) -> bool:
    """A check-in's wellbeing score and "what is hard" are between the placed person and their
    coach (and the admins who run the program): the receiving team lead, who manages the
    person, reads the rest of the check-in but not those two."""
    if not _signed_in(user):
        return False
    return user.role == Role.ADMIN or user.id == placement.trainee_id or may_coach(user, placement)


def may_note_checkin(user, checkin) -> bool:
    """Only the placed person adds their own note to a check-in."""
    return _signed_in(user) and checkin.placement.trainee_id == user.id


def may_log_defect(user, placement) -> bool:
    """The placed person logs defects of the agent they are paired with, while the buffer runs."""
    return (_signed_in(user) and user.role == Role.TRAINEE and placement is not None
            and placement.trainee_id == user.id and not placement.closed)


def may_triage(user) -> bool:
    """The intelligent-operations team: admins and users with the reviewer capability."""
    return can(user, Action.TRIAGE_DEFECTS)


def may_read_defect(user, defect) -> bool:
    """A defect's page in full (facts, state, history): its reporter and co-reporters, and
    triage. Each reporter's excerpt and screenshots are further limited to their author
    (`may_read_report`, `may_open_defect_file`). Anyone else sees the defect only redacted
    (type, intent, state), as the similar-defect list shows."""
    if not _signed_in(user):
        return False
    return user.id in defect.reporter_ids or may_triage(user)


def may_read_report(user, defect, owner_id: int) -> bool:
    """One reporter's conversation excerpt (the defect's own, `owner_id` its reporter, or a
    co-reporter's): its author and triage only. Co-reporting does not unlock the other
    reporters' customers, however the placement stands."""
    if not _signed_in(user):
        return False
    return user.id == owner_id or may_triage(user)


def may_open_defect_file(user, stored) -> bool:
    """A defect's screenshot: the reporter who uploaded it and triage; the other reporters of
    the same defect see that one exists, not what it shows."""
    if not _signed_in(user):
        return False
    return may_triage(user) or (user.id == stored.uploader_id and user.id in stored.defect.reporter_ids)


def may_co_report(user, defect, placement) -> bool:
    """Add oneself to an open defect of one's own agent as a co-reporter (not twice)."""
    from lms.models import DefectState

    return (may_log_defect(user, placement) and defect.agent_id == placement.agent_id
            and defect.state not in (DefectState.VERIFIED, DefectState.REJECTED, DefectState.DUPLICATE)
            and user.id not in defect.reporter_ids)


# --- the HR API's bearer tokens ------------------------------------------------------
# A token carries its holder's rights (the role table above and the object policies), cut
# down to its scope. Only admins and trainees hold tokens: a trainee's is for their own
# defects, which the role table already limits them to.

TOKEN_ROLES = frozenset({Role.ADMIN, Role.TRAINEE})


@dataclass(frozen=True)
class TokenRule:
    """What an API endpoint needs: a token of `scope` whose holder's role allows one of `actions`."""

    actions: frozenset
    scope: TokenScope


def may_hold_token(user) -> bool:
    return _signed_in(user) and user.role in TOKEN_ROLES


def may_create_token(user, placement) -> bool:
    """Admins make tokens for HR systems; a placed person makes their own to log defects while
    their buffer runs (`placement`: their current one, or None)."""
    return can(user, Action.MANAGE_API_TOKENS) or may_log_defect(user, placement)


def may_revoke_token(user, token) -> bool:
    """Admins revoke any token; everyone else their own."""
    return _signed_in(user) and (can(user, Action.MANAGE_API_TOKENS) or token.user_id == user.id)


def token_valid(token, holder, now: datetime) -> bool:
    """Not revoked, not expired, and held by an active admin or trainee (a deactivated holder
    or one whose role changed ends the token with the account)."""
    return token.revoked_at is None and not token.expired(now) and may_hold_token(holder)


def token_permits(token, holder, rule: TokenRule) -> bool:
    """A write token also reads; the holder's role must allow one of the rule's actions."""
    scope_ok = token.scope == TokenScope.WRITE or rule.scope == TokenScope.READ
    return scope_ok and any(can(holder, action) for action in rule.actions)


def may_log_defect_for(holder, reporter, placement) -> bool:
    """Through the API a placed person logs their own defects with their own token, or an
    admin's write token logs one for them (a service-platform console acting for the agent's
    partner); either way the placed person must be allowed to log it themself."""
    return may_log_defect(reporter, placement) and (
        holder.id == reporter.id or (_signed_in(holder) and holder.role == Role.ADMIN))


def tier_open(states, tier_id: int) -> bool:
    """Whether the tier is unlocked, given `progress.tier_states` of the trainee."""
    return any(s.tier.id == tier_id and s.unlocked for s in states)


def require(action: Action) -> Callable:
    """Declare the action a view needs; `enforce` checks it."""

    def decorate(view):
        view.required_action = action
        return view

    return decorate


def require_token(*actions: Action, scope: TokenScope) -> Callable:
    """Declare an API view: a bearer token (never the session cookie) whose holder may do one
    of `actions`, of at least `scope`; `enforce` checks it through lms/api/auth.py."""
    rule = TokenRule(frozenset(actions), scope)

    def decorate(view):
        view.required_action = rule
        return view

    return decorate


def public(view):
    view.required_action = PUBLIC
    return view


def required_action(endpoint: Optional[str]):
    """The action an endpoint declares, PUBLIC, or None when it declares nothing."""
    if endpoint is None:
        return None
    if endpoint in EXTENSION_PUBLIC_ENDPOINTS:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "required_action", None)


def enforce():
    """`before_request` hook: the single place access is decided."""
    if request.endpoint is None:  # 404 / 405: nothing to protect
        return None
    action = required_action(request.endpoint)
    if action is None:
        current_app.logger.error("endpoint %s declares no permission", request.endpoint)
        abort(403)
    if action == PUBLIC:
        return None
    if isinstance(action, TokenRule):
        from lms.api.auth import authenticate  # bearer tokens only: a session cookie is not asked

        return authenticate(action)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not can(current_user, action):
        abort(403)
    return None
