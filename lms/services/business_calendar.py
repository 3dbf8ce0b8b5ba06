"""Working time for the buffer's service levels: Chinese public holidays and make-up
workdays (调休) from the maintained `chinesecalendar` package, admin overrides on top.

A year the package does not know yet is never guessed: unless an admin has entered
overrides for that year (then it is theirs: the dates they list, Monday–Friday
otherwise), asking about it raises `UnknownYear`, whose message says what to do.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from lms.models import CalendarOverride, DayKind
from lms.services import DomainError

UTC = ZoneInfo("UTC")


class UnknownYear(DomainError):
    def __init__(self, year: int):
        super().__init__(str(_l("The holiday calendar does not know %(year)d yet: enter that year's public holidays "
                                "and make-up workdays under Business calendar first.", year=year)))
        self.year = year


@dataclass(frozen=True)
class WorkingHours:
    timezone: str = "Asia/Shanghai"
    start: time = time(9)
    end: time = time(18)

    @classmethod
    def from_config(cls, config: Mapping) -> "WorkingHours":
        """The program's time zone and WORKDAY_START–WORKDAY_END (one business day for every clock)."""
        return cls(config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"),
                   time.fromisoformat(config.get("WORKDAY_START", "09:00")),
                   time.fromisoformat(config.get("WORKDAY_END", "18:00")))


class Calendar:
    """Workdays with the admin's overrides (loaded once; pass it to every call of one job)."""

    def __init__(self, overrides: Mapping[date, DayKind]):
        self.overrides = dict(overrides)
        self.admin_years = {d.year for d in self.overrides}

    def is_workday(self, day: date) -> bool:
        kind = self.overrides.get(day)
        if kind is not None:
            return kind == DayKind.WORKDAY
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year in self.admin_years:
                return day.weekday() < 5
            raise UnknownYear(day.year) from None

    def working_seconds(self, start: datetime, end: datetime, hours: WorkingHours) -> int:
        """Working time between two naive-UTC instants: the parts of each workday's
        opening hours (local time) that fall between them."""
        if end <= start:
            return 0
        zone = ZoneInfo(hours.timezone)
        lo = start.replace(tzinfo=UTC).astimezone(zone)
        hi = end.replace(tzinfo=UTC).astimezone(zone)
        total = 0.0
        day = lo.date()
        while day <= hi.date():
            if self.is_workday(day):
                opens = datetime.combine(day, hours.start, tzinfo=zone)
                closes = datetime.combine(day, hours.end, tzinfo=zone)
                overlap = (min(closes, hi) - max(opens, lo)).total_seconds()
                total += max(0.0, overlap)
            day += timedelta(days=1)
        return int(total)


def load(session: Session) -> Calendar:
    return Calendar({row.day: row.kind for row in session.scalars(sa.select(CalendarOverride))})


def package_years() -> range:
    """The years chinesecalendar knows (first and last from its own data)."""
    known = [d.year for d in chinese_calendar.holidays]
    return range(min(known), max(known) + 1)


def set_override(session: Session, actor, day: date, kind: str | None, note: str = "") -> None:
    """Mark `day` a workday or a holiday (kind None removes the override); audited."""
    from lms.services.audit import record

    row = session.get(CalendarOverride, day)
    before = {"kind": row.kind.value} if row else None
    if kind is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(CalendarOverride(day=day, kind=DayKind(kind), note=note.strip()))
    else:
        row.kind, row.note = DayKind(kind), note.strip()
    session.flush()
    record(session, actor, "calendar.override", "calendar", None, before=before,
           after={"day": day.isoformat(), "kind": kind})
