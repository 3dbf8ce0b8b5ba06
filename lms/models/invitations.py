"""Set-password links: invitations for new accounts and "forgot password" resets."""

import enum
import secrets
from datetime import datetime, timedelta
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import enum_column, utcnow
from lms.models.people import User


class LinkPurpose(enum.StrEnum):
    INVITE = "invite"  # a new account without a password
    RESET = "reset"  # "forgot password"


class LinkState(enum.StrEnum):
    PENDING = "pending"
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class Invitation(db.Model):
    """One set-password link. The link is this row's id and `nonce`, signed with the
    app's key (see lms/services/invitations.py), so it can be shown again later;
    a new nonce (revoke, resend) makes every copy of the old link worthless.

    Expiry is `created_at` plus the configured lifetime for its purpose, read when
    the link is used, so changing the setting applies to links already handed out.
    """

    __tablename__ = "invitations"
    __table_args__ = (sa.Index("ix_invitations_user_id_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    purpose: Mapped[LinkPurpose] = enum_column(LinkPurpose)
    nonce: Mapped[str] = mapped_column(sa.String(32), default=new_nonce)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[Optional[datetime]]
    revoked_at: Mapped[Optional[datetime]]
    emailed_at: Mapped[Optional[datetime]]
    # Why the last e-mail of this link failed, for the admin (None: sent, or not tried).
    mail_error: Mapped[Optional[str]] = mapped_column(sa.String(255))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def expires_at(self, lifetime: timedelta) -> datetime:
        return self.created_at + lifetime

    def state(self, lifetime: timedelta, now: Optional[datetime] = None) -> LinkState:
        if self.used_at is not None:
            return LinkState.USED
        if self.revoked_at is not None:
            return LinkState.REVOKED
        if (now or utcnow()) >= self.expires_at(lifetime):
            return LinkState.EXPIRED
        return LinkState.PENDING


class ResetRequest(db.Model):
    """One "forgot password" request, counted per IP and per email for throttling
    (in the database, so every worker sees the same count)."""

    __tablename__ = "reset_requests"
    __table_args__ = (
        sa.Index("ix_reset_requests_email_at", "email", "at"),
        sa.Index("ix_reset_requests_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    ip: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
