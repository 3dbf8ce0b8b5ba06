"""Bearer tokens of the HR API: issue (the token is shown once), find by the token a client
sends, note its last use, revoke. Audited; the token itself is never stored or logged."""

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from lms.models import ApiToken, TokenScope, User
from lms.models.base import utcnow
from lms.services import DomainError
from lms.services.audit import record
from lms.services.text import has_control_chars

# "rsk_" names the issuer (secret scanners and people recognise it), then the public lookup
# prefix, then 256 random bits.
TOKEN_RE = re.compile(r"^rsk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
# The last-used time is written at most once per this interval per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_NAME = 80


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, actor: Optional[User], owner: User, name: str, scope: str,
          expires_at: Optional[datetime] = None, now: Optional[datetime] = None) -> tuple[ApiToken, str]:
    """A new token for `owner`; returns the row and the token, which exists nowhere else after
    this call (only its hash is stored). `expires_at` is naive UTC, in the future."""
    now = now or utcnow()
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or has_control_chars(name):
        raise DomainError(_l("Give the token a name of up to %(max)d characters.", max=MAX_NAME), field="name")
    if scope not in set(TokenScope):
        raise DomainError(_l("Choose read or write."), field="scope")
    if expires_at is not None and expires_at <= now:
        raise DomainError(_l("The expiry must be in the future."), field="expires_on")
    prefix = secrets.token_hex(6)
    token = f"rsk_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken(user_id=owner.id, name=name, prefix=prefix, token_hash=_digest(token), scope=TokenScope(scope),
                   created_at=now, created_by_id=actor.id if actor else None, expires_at=expires_at)
    session.add(row)
    session.flush()
    record(session, actor, "api_token.create", "user", owner.id,
           after={"token_id": row.id, "name": name, "scope": scope, "prefix": prefix,
                  "expires_at": expires_at.isoformat() if expires_at else None})
    return row, token


def revoke(session: Session, actor: User, token: ApiToken, now: Optional[datetime] = None) -> bool:
    """End the token for good; False when it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at, token.revoked_by_id = now or utcnow(), actor.id
    record(session, actor, "api_token.revoke", "user", token.user_id,
           after={"token_id": token.id, "prefix": token.prefix})
    return True


# Every API request runs it: built once (the token with its holder, one statement).
_BY_PREFIX = (sa.select(ApiToken).options(joinedload(ApiToken.user))
              .where(ApiToken.prefix == sa.bindparam("prefix", type_=sa.String)))


def find(session: Session, token: str) -> Optional[ApiToken]:
    """The row of a well-formed token whose hash matches (compared in constant time), else None.
    Whether it may still be used (revoked, expired, holder) is `permissions.token_valid`."""
    match = TOKEN_RE.match(token or "")
    if match is None:
        return None
    row = session.scalar(_BY_PREFIX, {"prefix": match.group(1)})
    if row is None or not hmac.compare_digest(row.token_hash, _digest(token)):
        return None
    return row


def touch(session: Session, token: ApiToken, now: Optional[datetime] = None) -> bool:
    """Note that the token was used, when the time noted is older than LAST_USED_RESOLUTION:
    one conditional UPDATE a minute per token rather than a write per request. The caller commits."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return False
    session.execute(sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
                    .execution_options(synchronize_session=False))
    return True


def state(token: ApiToken, now: datetime) -> str:
    """active, revoked or expired (for the token pages; `permissions.token_valid` decides use)."""
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expired(now) else "active"


def expiry(day, timezone: str) -> datetime:
    """A token that works through `day` (the program's calendar) ends at the next local midnight (naive UTC)."""
    from datetime import time
    from zoneinfo import ZoneInfo

    local = datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(timezone))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def last_day(expires_at: datetime, timezone: str):
    """The last day a token works, as it was entered (the inverse of `expiry`)."""
    from zoneinfo import ZoneInfo

    local = expires_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(timezone))
    return (local - timedelta(microseconds=1)).date()


def listing(owner_id: Optional[int] = None) -> sa.Select:
    """Tokens with their holders, newest first (every token, or one holder's)."""
    query = sa.select(ApiToken).options(joinedload(ApiToken.user)).order_by(ApiToken.id.desc())
    if owner_id is not None:
        query = query.where(ApiToken.user_id == owner_id)
    return query
