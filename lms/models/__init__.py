"""All models, imported here so Alembic's autogenerate sees every table."""

from lms.models.audit import AuditEvent
from lms.models.people import DEFAULT_CAPACITY, LOCALES, LoginAttempt, MentorKind, Role, User

__all__ = [
    "AuditEvent",
    "DEFAULT_CAPACITY",
    "LOCALES",
    "LoginAttempt",
    "MentorKind",
    "Role",
    "User",
]
