"""Bearer tokens of the HR API (/api/v1): who holds one, what it may do, and whether it still works.

Only a SHA-256 of the token is stored: the token is 256 random bits, so a fast hash is
as good as a slow one, and a stolen table gives no usable token. `prefix`, the public
part of the token, finds the row without comparing hashes across the table.
"""

import enum
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import enum_column, utcnow
from lms.models.people import User


class TokenScope(enum.StrEnum):
    READ = "read"  # GET only
    WRITE = "write"  # GET, and the POST endpoints


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)  # whose rights it carries
    name: Mapped[str] = mapped_column(sa.String(80))  # what it is for, e.g. "HR system"
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64))  # sha256 hex of the whole token
    scope: Mapped[TokenScope] = enum_column(TokenScope)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    expires_at: Mapped[Optional[datetime]]  # naive UTC; None: until revoked
    revoked_at: Mapped[Optional[datetime]]
    revoked_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    last_used_at: Mapped[Optional[datetime]]  # kept to the minute (see lms/api/auth.py)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now
