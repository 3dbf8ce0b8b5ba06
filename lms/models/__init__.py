"""All models, imported here so Alembic's autogenerate sees every table."""

from lms.models.audit import AuditEvent
from lms.models.capstone import CapstoneGroup, CapstoneMember, ContributionStatement, MilestoneNote
from lms.models.catalog import (
    Assessment,
    CatalogSync,
    Competency,
    Course,
    GraderKind,
    Lesson,
    Program,
    RubricCriterion,
    TargetRole,
    Tier,
    TierCode,
    Track,
)
from lms.models.cohorts import (
    BaselineRating,
    BaselineSource,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    MentorAssignment,
    SourceRole,
)
from lms.models.diagnostics import Diagnostic, DiagnosticResult
from lms.models.invitations import Invitation, LinkPurpose, LinkState, ResetRequest
from lms.models.notifications import Notification, NotificationKind
from lms.models.people import DEFAULT_CAPACITY, LOCALES, LoginAttempt, MentorKind, Role, User
from lms.models.progress import Grade, LessonProgress, Submission, SubmissionFile, SubmissionState

__all__ = [
    "CapstoneGroup",
    "CapstoneMember",
    "ContributionStatement",
    "MilestoneNote",
    "BaselineRating",
    "BaselineSource",
    "Diagnostic",
    "DiagnosticResult",
    "Cohort",
    "Enrollment",
    "EnrollmentStatus",
    "MentorAssignment",
    "SourceRole",
    "Assessment",
    "AuditEvent",
    "CatalogSync",
    "Competency",
    "Course",
    "DEFAULT_CAPACITY",
    "Grade",
    "Invitation",
    "LinkPurpose",
    "LinkState",
    "ResetRequest",
    "GraderKind",
    "LOCALES",
    "Lesson",
    "LessonProgress",
    "LoginAttempt",
    "MentorKind",
    "Notification",
    "NotificationKind",
    "Program",
    "Role",
    "RubricCriterion",
    "Submission",
    "SubmissionFile",
    "SubmissionState",
    "TargetRole",
    "Tier",
    "TierCode",
    "Track",
    "User",
]
