"""The buffer period's clock, per placed person: day 1 is their own placement start,
week 1 its first seven days, and the period runs 90 days unless an outcome extends it.
Pure functions, `today` passed in (like lms/services/clock.py). Also the settings of
the buffer's collaboration rules, read once from the app config."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from lms.services.business_calendar import WorkingHours
from lms.services.clock import BUFFER_DAYS


@dataclass(frozen=True)
class BufferSettings:
    """Thresholds and clock mode (config.py: BUFFER_*, WORKDAY_*); see README."""

    response_minutes: int = 30  # a person responds within this long after the agent flags (≤)
    complex_close_hours: int = 24  # a complex case closes within this long (≤)
    working_hours: bool = False  # False: calendar time
    hours: WorkingHours = WorkingHours()
    coach_capacity: int = 8  # default buffer seats per coach

    @classmethod
    def from_config(cls, config: Mapping) -> "BufferSettings":
        return cls(
            response_minutes=int(config.get("BUFFER_RESPONSE_MINUTES", 30)),
            complex_close_hours=int(config.get("BUFFER_COMPLEX_CLOSE_HOURS", 24)),
            working_hours=config.get("BUFFER_CLOCK", "calendar") == "working_hours",
            hours=WorkingHours.from_config(config),
            coach_capacity=int(config.get("BUFFER_COACH_CAPACITY", 8)),
        )


def default_end(start: date) -> date:
    return start + timedelta(days=BUFFER_DAYS)


def last_day(end: date) -> date:
    """The period's last day, inclusive (`end` is the day after it: day 90 is start + 89)."""
    return end - timedelta(days=1)


def day_of(start: date, today: date) -> int:
    """Buffer day of `today`: 1 on the start date; 0 or less before it."""
    return (today - start).days + 1


def length(start: date, end: date) -> int:
    """Days in the period (90 unless extended)."""
    return (end - start).days


def week_of(start: date, day: date) -> int:
    """Buffer week of `day`: 1 for the first seven days from the start."""
    return (day - start).days // 7 + 1


def weeks_total(start: date, end: date) -> int:
    """Weeks with a check-in due: every week that begins inside the period (90 days: 13)."""
    return -(-length(start, end) // 7)


def weeks_over(start: date, end: date, today: date) -> int:
    """Weeks already ended by `today` (a week ends after its seventh day), within the period."""
    return max(0, min(weeks_total(start, end), (today - start).days // 7))


def gaps(start: date, end: date, today: date, logged: Iterable[int]) -> list[int]:
    """Weeks that are over and have no check-in: the current week is not a gap yet."""
    have = set(logged)
    return [w for w in range(1, weeks_over(start, end, today) + 1) if w not in have]


def open_weeks(start: date, end: date, today: date) -> list[int]:
    """Weeks a check-in may be logged for now: every week begun so far, within the period."""
    current = min(weeks_total(start, end), week_of(start, today))
    return list(range(1, current + 1)) if today >= start else []
