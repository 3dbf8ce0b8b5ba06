"""Authentication with login throttling counted in the database.

Attempts are rows in `login_attempts`, so every worker process sees the same
count (an in-memory counter would be per process). Three limits, each over a
sliding window:

- per account and IP: a short lock for whoever keeps guessing one account from
  one place; the owner elsewhere (or after the window) is not locked out;
- per IP, across accounts: much higher, so an office behind one proxy is not
  blocked by a few typos, but one machine cannot spray every account;
- per account, across IPs: bounds guessing spread over many IPs.

Only tries that reached the password check count (a refused try is deleted), so
nobody keeps a lock up by hammering; and the two aggregate limits never apply
to an account from an IP it has logged in from before, so neither a distributed
attack nor a colleague behind the same proxy locks the owner out of their usual
place.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import LoginAttempt, User
from lms.models.base import utcnow
from lms.services.passwords import hash_password, verify_password

__all__ = ["Throttle", "LoginResult", "authenticate", "change_password", "hash_password", "normalize_email"]

FAILURES_KEPT = timedelta(days=2)
SUCCESSES_KEPT = timedelta(days=30)  # "has this account logged in from this IP before?"


@dataclass(frozen=True)
class Throttle:
    max_failures: int = 10  # per account + IP
    window: timedelta = timedelta(minutes=15)
    ip_max_failures: int = 100  # per IP, all accounts
    account_max_failures: int = 50  # per account, from IPs it never logged in from


@dataclass
class LoginResult:
    user: Optional[User] = None
    throttled: bool = False


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _failures(session: Session, since, exclude_id: int, *conditions) -> int:
    return session.scalar(
        sa.select(sa.func.count(LoginAttempt.id)).where(
            LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since, LoginAttempt.id != exclude_id,
            *conditions,
        )
    )


def _known_ip(session: Session, email: str, ip: str) -> bool:
    return session.scalar(
        sa.select(LoginAttempt.id).where(
            LoginAttempt.email == email, LoginAttempt.ip == ip, LoginAttempt.succeeded.is_(True)
        ).limit(1)
    ) is not None


def _throttled(session: Session, attempt: LoginAttempt, throttle: Throttle) -> bool:
    since = utcnow() - throttle.window
    email, ip = attempt.email, attempt.ip
    if _failures(session, since, attempt.id, LoginAttempt.email == email,
                 LoginAttempt.ip == ip) >= throttle.max_failures:
        return True
    aggregate = (
        _failures(session, since, attempt.id, LoginAttempt.ip == ip) >= throttle.ip_max_failures
        or _failures(session, since, attempt.id, LoginAttempt.email == email) >= throttle.account_max_failures
    )
    return aggregate and not _known_ip(session, email, ip)


def authenticate(
    session: Session, email: str, password: str, ip: str, throttle: Throttle = Throttle(),
    hash_method: str = "scrypt",
) -> LoginResult:
    """Check credentials unless throttled. Commits.

    The attempt is recorded as a failure and committed *before* the limits are
    counted and the password hashed, so parallel guesses see each other: at
    most `max_failures` of any burst reach the password check (each one that
    passes saw every earlier one's row). A refused try is deleted again, so it
    does not extend the lock. Unknown, inactive and password-less accounts cost
    the same hashing time as real ones.
    """
    email = normalize_email(email)
    attempt = LoginAttempt(email=email, ip=ip, succeeded=False)
    session.add(attempt)
    session.commit()
    if _throttled(session, attempt, throttle):
        session.delete(attempt)
        session.commit()
        return LoginResult(throttled=True)
    user = session.scalar(sa.select(User).where(User.email == email))
    usable = user is not None and user.active
    ok = verify_password(user.password_hash if usable else None, password, hash_method) and usable
    session.execute(sa.delete(LoginAttempt).where(sa.or_(
        sa.and_(LoginAttempt.succeeded.is_(False), LoginAttempt.at < utcnow() - FAILURES_KEPT),
        LoginAttempt.at < utcnow() - SUCCESSES_KEPT,
    )))
    if not ok:
        return LoginResult()
    attempt.succeeded = True
    user.last_login_at = utcnow()
    return LoginResult(user=user)


def change_password(
    session: Session, user: User, current: str, new: str, ip: str, throttle: Throttle = Throttle(),
    method: str = "scrypt",
) -> LoginResult:
    """Set a new password when `current` is right, ending every other session. Commits.

    The current password is checked exactly like a login (recorded, throttled), so
    a borrowed session cannot be used to guess the password without limit.
    """
    result = authenticate(session, user.email, current, ip, throttle, method)
    if result.user is None or result.user.id != user.id:
        return result
    user.password_hash = hash_password(new, method)
    user.end_sessions()
    return result
