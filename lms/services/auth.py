"""Authentication with login throttling counted in the database.

Failures are rows in `login_attempts`, so every worker process sees the same
count (an in-memory counter would be per process).
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from lms.models import LoginAttempt, User
from lms.models.base import utcnow


@dataclass(frozen=True)
class Throttle:
    max_failures: int = 10
    window: timedelta = timedelta(minutes=15)


@dataclass
class LoginResult:
    user: Optional[User] = None
    throttled: bool = False


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str, method: str = "scrypt") -> str:
    return generate_password_hash(password, method=method)


def _recent_failures(session: Session, column, value: str, since) -> int:
    return session.scalar(
        sa.select(sa.func.count(LoginAttempt.id)).where(
            column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since
        )
    )


def is_throttled(session: Session, email: str, ip: str, throttle: Throttle) -> bool:
    since = utcnow() - throttle.window
    return (
        _recent_failures(session, LoginAttempt.email, email, since) >= throttle.max_failures
        or _recent_failures(session, LoginAttempt.ip, ip, since) >= throttle.max_failures
    )


def authenticate(
    session: Session, email: str, password: str, ip: str, throttle: Throttle = Throttle()
) -> LoginResult:
    """Check credentials unless the account or IP is throttled; record the attempt.

    A throttled attempt is refused without checking the password, so guessing
    cannot continue; it is not recorded, so the lock lifts when the window passes.
    """
    email = normalize_email(email)
    if is_throttled(session, email, ip, throttle):
        return LoginResult(throttled=True)
    user = session.scalar(sa.select(User).where(User.email == email))
    ok = (
        user is not None
        and user.active
        and user.password_hash is not None
        and check_password_hash(user.password_hash, password)
    )
    session.add(LoginAttempt(email=email, ip=ip, succeeded=ok))
    # Old attempts matter to nobody; keep the table small.
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < utcnow() - timedelta(days=2)))
    if not ok:
        return LoginResult()
    user.last_login_at = utcnow()
    return LoginResult(user=user)


def change_password(
    session: Session, user: User, current: str, new: str, method: str = "scrypt"
) -> bool:
    """Set a new password when `current` is right; False otherwise."""
    if user.password_hash is None or not check_password_hash(user.password_hash, current):
        return False
    user.password_hash = hash_password(new, method)
    return True
