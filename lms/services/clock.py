"""The program clock: everything about time derives from a cohort's start date.

Week 0 is intake (the 7 days from the start date), weeks 1–13 are training,
week 14 is placement, then the buffer period. Nothing here is stored, so nothing
can drift. All functions are pure: pass `today` in.

The buffer period itself is per person: BUFFER_DAYS from each trainee's own
placement start (lms/services/buffer_clock.py). A cohort's phase only summarises
it: in the buffer while any of its placed people still is (`buffer_until`), or, with
nobody placed yet, for the BUFFER_DAYS after placement week as an estimate.
"""

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

TRAINING_WEEKS = 13
# A trainee who joins a cohort late is not behind on the first day: work due before the day
# they joined is due this many days after it (`catch_up`).
CATCH_UP_DAYS = 14
PLACEMENT_WEEK = TRAINING_WEEKS + 1
BUFFER_DAYS = 90
# Dates a person may enter (cohort start, withdrawal): far enough either way for any
# real program, near enough that the arithmetic below stays within Python's dates.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


class Phase(enum.StrEnum):
    INTAKE = "intake"
    TRAINING = "training"
    PLACEMENT = "placement"
    BUFFER = "buffer"
    CLOSED = "closed"


def today_in(timezone: str) -> date:
    """Today's date where the program runs (Asia/Shanghai by default)."""
    return datetime.now(ZoneInfo(timezone)).date()


def in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def _plus(start: date, days: int) -> date:
    """`start + days`, pinned to the first/last date: a far date already stored must not 500 a page."""
    try:
        return start + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def week_start(start: date, week: int) -> date:
    return _plus(start, 7 * week)


def week_end(start: date, week: int) -> date:
    """Last day of program week `week` (the due date of work due that week)."""
    return _plus(start, 7 * week + 6)


def week_of(start: date, today: date) -> int:
    """Program week of `today`: negative before the start, 0 at intake, 1–13 training."""
    return (today - start).days // 7


def days_to_start(start: date, today: date) -> int:
    """Whole days until the start date (0 once started): a countdown must not round to weeks."""
    return max(0, (start - today).days)


def buffer_end(start: date, weeks: int = TRAINING_WEEKS) -> date:
    """The cohort's estimated buffer end, for a cohort with nobody placed yet."""
    return _plus(week_start(start, weeks + 2), BUFFER_DAYS)


def phase(start: date, today: date, closed: bool = False, weeks: int = TRAINING_WEEKS,
          buffer_until: Optional[date] = None) -> Phase:
    """The cohort's phase; `buffer_until`: the last buffer end of its placed people, if any."""
    if closed:
        return Phase.CLOSED
    week = week_of(start, today)
    if week < 1:
        return Phase.INTAKE
    if week <= weeks:
        return Phase.TRAINING
    if week == weeks + 1:
        return Phase.PLACEMENT
    return Phase.BUFFER if today < (buffer_until or buffer_end(start, weeks)) else Phase.CLOSED


def joined_on(created_at: datetime, timezone: str) -> date:
    """The day an enrollment was made (its `created_at`, naive UTC), where the program runs."""
    return created_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(timezone)).date()


def utc_offset_minutes(timezone: str, now: datetime) -> int:
    """The zone's offset from UTC at `now` (naive UTC), for SQL that needs `joined_on` per row."""
    offset = ZoneInfo(timezone).utcoffset(now)
    return int(offset.total_seconds() // 60) if offset is not None else 0


@dataclass(frozen=True)
class Due:
    week: int
    date: date
    caught_up: bool = False  # moved by `catch_up`: first due before the trainee joined

    def status(self, today: date) -> str:
        """'overdue', 'this_week' or 'later' for work not yet passed."""
        if today > self.date:
            return "overdue"
        if week_of(_plus(self.date, -6), today) == 0:
            return "this_week"
        return "later"


def due_for_week(start: date, end_week: int) -> Due:
    return Due(end_week, week_end(start, end_week))


def catch_up(due: Due, joined: Optional[date]) -> Due:
    """The due date for a trainee who joined on `joined`: unchanged, unless it fell before that
    day; then CATCH_UP_DAYS after it (the one rule for home pages, reminders, standing and the
    gradebook; `standing._overdue` is its SQL form)."""
    day = due_day_for(due.date, joined)
    return due if day == due.date else Due(due.week, day, caught_up=True)


def due_day_for(day: date, joined: Optional[date]) -> date:
    """`catch_up` for a bare due day."""
    if joined is None or day >= joined:
        return day
    return _plus(joined, CATCH_UP_DAYS)
