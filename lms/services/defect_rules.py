"""The rules of agent defects that need no database: which triage moves are allowed,
the settings (config.py: DEFECT_*), the SLA clocks and the recurrence window."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional
from zoneinfo import ZoneInfo

from lms.models import DefectState
from lms.services.business_calendar import UTC, Calendar, WorkingHours

S = DefectState
# new → confirmed → in_fix → fixed → verified; a failed verification goes back to in_fix;
# rejected (with a reason) and duplicate (of an original) close it from new or confirmed.
ALLOWED: dict[DefectState, frozenset[DefectState]] = {
    S.NEW: frozenset({S.CONFIRMED, S.REJECTED, S.DUPLICATE}),
    S.CONFIRMED: frozenset({S.IN_FIX, S.REJECTED, S.DUPLICATE}),
    S.IN_FIX: frozenset({S.FIXED}),
    S.FIXED: frozenset({S.VERIFIED, S.IN_FIX}),
    S.VERIFIED: frozenset(),
    S.REJECTED: frozenset(),
    S.DUPLICATE: frozenset(),
}
OPEN_STATES = frozenset({S.NEW, S.CONFIRMED, S.IN_FIX, S.FIXED})
# "closed" for the close-within clock: fixed or later, or closed by triage
CLOSED_STATES = frozenset({S.FIXED, S.VERIFIED, S.REJECTED, S.DUPLICATE})


def allowed(current: DefectState, target: DefectState) -> bool:
    return target in ALLOWED[current]


@dataclass(frozen=True)
class DefectSettings:
    response_minutes: int = 30  # first response (any move out of `new`) within this long (≤)
    close_hours: int = 24  # a complex defect reaches `fixed` (or is closed) within this long (≤)
    working_hours: bool = False  # False: calendar time
    hours: WorkingHours = WorkingHours()
    recurrence_days: int = 30  # a report this many days (inclusive) after a verified fix is a recurrence
    similar_days: int = 14  # similar open defects shown before saving: reported in the last N days

    @classmethod
    def from_config(cls, config: Mapping) -> "DefectSettings":
        return cls(
            response_minutes=int(config.get("DEFECT_RESPONSE_MINUTES", 30)),
            close_hours=int(config.get("DEFECT_CLOSE_HOURS", 24)),
            working_hours=config.get("DEFECT_CLOCK", "calendar") == "working_hours",
            hours=WorkingHours.from_config(config),
            recurrence_days=int(config.get("DEFECT_RECURRENCE_DAYS", 30)),
            similar_days=int(config.get("DEFECT_SIMILAR_DAYS", 14)),
        )


@dataclass(frozen=True)
class Clock:
    """One SLA clock of one defect: seconds used (calendar or working), the limit, done or running."""

    seconds: int
    limit: int
    done: bool

    @property
    def breached(self) -> bool:
        return self.seconds > self.limit

    @property
    def minutes(self) -> int:
        return self.seconds // 60


def elapsed(start: datetime, end: datetime, settings: DefectSettings, calendar: Optional[Calendar]) -> int:
    if settings.working_hours:
        return calendar.working_seconds(start, end, settings.hours)
    return max(0, int((end - start).total_seconds()))


def response_clock(created_at: datetime, first_response_at: Optional[datetime], now: datetime,
                   settings: DefectSettings, calendar: Optional[Calendar]) -> Clock:
    end = first_response_at or now
    return Clock(elapsed(created_at, end, settings, calendar), settings.response_minutes * 60,
                 first_response_at is not None)


def close_clock(complex_: bool, created_at: datetime, closed_at: Optional[datetime], now: datetime,
                settings: DefectSettings, calendar: Optional[Calendar]) -> Optional[Clock]:
    """None for a defect that is not complex: only complex ones run the close-within clock."""
    if not complex_:
        return None
    end = closed_at or now
    return Clock(elapsed(created_at, end, settings, calendar), settings.close_hours * 3600, closed_at is not None)


def local_day(moment: datetime, timezone: str) -> date:
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).date()


def is_recurrence(verified_at: datetime, reported_at: datetime, settings: DefectSettings) -> bool:
    """Reported within `recurrence_days` days (program calendar dates, inclusive) after the fix was verified."""
    days = (local_day(reported_at, settings.hours.timezone) - local_day(verified_at, settings.hours.timezone)).days
    return 0 <= days <= settings.recurrence_days
