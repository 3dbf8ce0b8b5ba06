"""Quiet hours per person (people on shift): non-urgent e-mail and webhook messages wait until
they end. Times are the program's local time; a span may run past midnight (22:00–07:00)."""

from datetime import UTC, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from lms.models import User
from lms.services import DomainError
from lms.services.audit import record


def check(start: Optional[time], end: Optional[time]) -> None:
    """Both times or neither; a span of no length is refused (it would mean nothing, or always)."""
    if (start is None) != (end is None):
        raise DomainError(str(_l("Give both the start and the end, or leave both empty.")),
                          field="quiet_end" if end is None else "quiet_start")
    if start is not None and start == end:
        raise DomainError(str(_l("The end must differ from the start.")), field="quiet_end")


def set_quiet_hours(session: Session, user: User, start: Optional[time], end: Optional[time]) -> None:
    check(start, end)
    before = {"start": _text(user.quiet_start), "end": _text(user.quiet_end)}
    user.quiet_start, user.quiet_end = start, end
    after = {"start": _text(start), "end": _text(end)}
    if before != after:
        record(session, user, "person.quiet_hours", "user", user.id, before=before, after=after)
    session.flush()


def _text(value: Optional[time]) -> Optional[str]:
    return value.strftime("%H:%M") if value else None


def held_until(start: Optional[time], end: Optional[time], now: datetime, zone: str) -> Optional[datetime]:
    """When the quiet hours `now` (naive UTC) falls in end, as naive UTC; None outside them."""
    if start is None or end is None or start == end:
        return None
    at = now.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
    clock = at.time().replace(tzinfo=None)
    if start < end:
        if not start <= clock < end:
            return None
        day = at.date()
    else:  # past midnight: 22:00 → 07:00
        if end <= clock < start:
            return None
        day = at.date() + timedelta(days=1) if clock >= start else at.date()
    return datetime.combine(day, end, tzinfo=ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None)
