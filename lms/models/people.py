"""People: users with a role, and the login attempts used for throttling."""

import enum
import secrets
import time
from datetime import datetime
from datetime import time as clock_time
from typing import Optional

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import TimestampMixin, enum_column, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    MENTOR = "mentor"
    TRAINEE = "trainee"
    LEAD = "lead"  # a receiving team lead: reads the buffer period of the people placed in their team


class MentorKind(enum.StrEnum):
    AI = "ai"
    BUSINESS = "business"


LOCALES = ("zh_CN", "en")
DEFAULT_CAPACITY = 8


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("capacity IS NULL OR mentor_load <= capacity", name="load_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased by the services: uniqueness is case-insensitive.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # None: no password set yet (imported account); such a user cannot log in.
    password_hash: Mapped[Optional[str]] = mapped_column(sa.String(255))
    role: Mapped[Role] = enum_column(Role, index=True)
    mentor_kind: Mapped[Optional[MentorKind]] = enum_column(MentorKind, nullable=True)
    capacity: Mapped[Optional[int]]
    # Open mentor assignments, kept by the assignment service. A counter (not a
    # COUNT) so "take one seat if one is free" is a single atomic UPDATE that
    # holds across concurrent workers on SQLite and PostgreSQL alike.
    mentor_load: Mapped[int] = mapped_column(default=0, server_default="0")
    locale: Mapped[str] = mapped_column(sa.String(8), default="zh_CN")
    # The intelligent-operations team's capability: triage agent defects (admins always may).
    reviewer: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[Optional[datetime]]
    # Quiet hours (program time zone; may run past midnight): non-urgent e-mail and webhook
    # messages wait until they end. Both set or neither.
    quiet_start: Mapped[Optional[clock_time]]
    quiet_end: Mapped[Optional[clock_time]]
    # Flask-Login's "alternative token": the session and the remember cookie carry
    # this, not the id, so rotating it (logout, password change or reset,
    # deactivation) ends every session and remember cookie issued before.
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_session_token)

    def get_id(self) -> str:
        """What the session and remember cookie carry: the token and when it was
        issued (a password login), so the loader can end it after a fixed time."""
        return f"{self.session_token}.{int(time.time())}"

    def end_sessions(self) -> None:
        """Invalidate every session and remember cookie of this user."""
        self.session_token = new_session_token()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_mentor(self) -> bool:
        return self.role == Role.MENTOR

    @property
    def is_trainee(self) -> bool:
        return self.role == Role.TRAINEE

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginAttempt(db.Model):
    """One login try; recent failures per account and per IP drive throttling."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_email_at", "email", "at"),
        sa.Index("ix_login_attempts_ip_at", "ip", "at"),
        sa.Index("ix_login_attempts_email_ip_at", "email", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    ip: Mapped[str] = mapped_column(sa.String(64))
    succeeded: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow)
