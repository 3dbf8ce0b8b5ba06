"""Object-level policies as pure functions: no HTTP, no database."""

from types import SimpleNamespace as NS

from lms.models import GraderKind, MentorKind, Role, SubmissionState
from lms.permissions import may_grade, may_open_file, may_read_submission, may_view_enrollment, tier_open
from lms.services.grading import attained, passes


def _user(id_, role, kind=None, active=True):
    return NS(id=id_, role=role, mentor_kind=kind, active=active, is_authenticated=True)


TRAINEE = _user(1, Role.TRAINEE)
AI = _user(2, Role.MENTOR, MentorKind.AI)
BIZ = _user(3, Role.MENTOR, MentorKind.BUSINESS)
STRANGER = _user(4, Role.MENTOR, MentorKind.AI)
ADMIN = _user(5, Role.ADMIN)
COACHES = [NS(mentor_id=2, kind=MentorKind.AI, ended_at=None), NS(mentor_id=3, kind=MentorKind.BUSINESS, ended_at=None)]


def _submission(grader=GraderKind.AI, state=SubmissionState.SUBMITTED):
    return NS(trainee_id=1, group_id=None, state=state, assessment=NS(grader=grader))


def test_both_coaching_mentors_read_every_submission_of_their_trainee():
    for grader in GraderKind:
        s = _submission(grader)
        assert may_read_submission(AI, s, COACHES) and may_read_submission(BIZ, s, COACHES)


def test_mentor_who_does_not_coach_the_trainee_reads_nothing():
    assert not may_read_submission(STRANGER, _submission(), COACHES)
    assert not may_read_submission(AI, _submission(), [])


def test_admin_reads_any_submitted_attempt_and_the_trainee_their_own():
    assert may_read_submission(ADMIN, _submission(), [])
    assert may_read_submission(TRAINEE, _submission(), [])
    assert may_read_submission(TRAINEE, _submission(state=SubmissionState.DRAFT), [])


def test_nobody_but_the_trainee_reads_a_draft():
    draft = _submission(state=SubmissionState.DRAFT)
    assert not may_read_submission(ADMIN, draft, COACHES)
    assert not may_read_submission(AI, draft, COACHES)


def test_inactive_user_reads_nothing():
    assert not may_read_submission(_user(5, Role.ADMIN, active=False), _submission(), [])


def test_only_the_mentor_of_the_grading_kind_grades():
    assert may_grade(AI, _submission(GraderKind.AI), COACHES) == MentorKind.AI
    assert may_grade(BIZ, _submission(GraderKind.AI), COACHES) is None
    assert may_grade(BIZ, _submission(GraderKind.BUSINESS), COACHES) == MentorKind.BUSINESS
    assert may_grade(AI, _submission(GraderKind.BOTH), COACHES) == MentorKind.AI
    assert may_grade(BIZ, _submission(GraderKind.BOTH), COACHES) == MentorKind.BUSINESS


def test_mentor_cannot_grade_unassigned_trainee_a_draft_or_as_admin():
    assert may_grade(STRANGER, _submission(), COACHES) is None
    assert may_grade(AI, _submission(state=SubmissionState.DRAFT), COACHES) is None
    assert may_grade(ADMIN, _submission(), COACHES) is None


def test_mentor_whose_assignment_kind_differs_from_their_own_does_not_grade():
    switched = _user(2, Role.MENTOR, MentorKind.BUSINESS)  # kind changed after assignment
    assert may_grade(switched, _submission(GraderKind.AI), COACHES) is None


def test_file_follows_its_submission():
    stored = NS(submission=_submission())
    assert may_open_file(BIZ, stored, COACHES) and may_open_file(ADMIN, stored, [])
    assert not may_open_file(STRANGER, stored, COACHES)


def test_enrollment_is_visible_to_admins_and_its_current_mentors_only():
    enrollment = NS(assignments=[NS(mentor_id=2, ended_at=None), NS(mentor_id=4, ended_at="2026-01-01")])
    assert may_view_enrollment(ADMIN, enrollment) and may_view_enrollment(AI, enrollment)
    assert not may_view_enrollment(STRANGER, enrollment)  # their assignment ended
    assert not may_view_enrollment(TRAINEE, enrollment)


def test_tier_open_reads_the_tier_states():
    states = [NS(tier=NS(id=1), unlocked=True), NS(tier=NS(id=2), unlocked=False)]
    assert tier_open(states, 1) and not tier_open(states, 2) and not tier_open(states, 3)


def test_attainment_counts_exactly_at_the_threshold():
    assert attained(70.0, 70) and not attained(69.9, 70) and not attained(None, 70)


def test_pass_mark_counts_exactly_at_the_mark():
    assessment = NS(pass_mark=60)
    assert passes(assessment, 60.0) and not passes(assessment, 59.9)
