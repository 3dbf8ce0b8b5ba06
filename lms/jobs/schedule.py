"""When a job runs, and which period a moment belongs to.

A job's period is the latest time its schedule fired at or before a moment (in the program's
time zone): the daily 08:00 job's period on 27 November at 15:00 is "2026-11-27 08:00", at
07:00 it is the day before. A run claims its period once (lms/jobs/runner.py), so the
schedule's own fire, the scheduler's catch-up tick and `flask lms jobs run` all land on the
same row however often they call.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from flask_babel import lazy_gettext as _l

WEEKDAYS = (_l("Every Monday at %(time)s"), _l("Every Tuesday at %(time)s"), _l("Every Wednesday at %(time)s"),
            _l("Every Thursday at %(time)s"), _l("Every Friday at %(time)s"), _l("Every Saturday at %(time)s"),
            _l("Every Sunday at %(time)s"))
CRON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Period:
    key: str  # the start in local time, "2026-11-27 08:00": unique per job
    start: datetime  # naive UTC, like every stored time


def local(moment: datetime, zone: str) -> datetime:
    """A stored (naive UTC) time in the program's zone."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))


def _period(start_local: datetime) -> Period:
    return Period(start_local.strftime("%Y-%m-%d %H:%M"),
                  start_local.astimezone(UTC).replace(tzinfo=None))


class Schedule(ABC):
    """When a job runs (EveryMinutes, Daily, Weekly): its APScheduler trigger, the period a time falls in
    (the key of exactly-once) and its description for the admin page."""

    @abstractmethod
    def trigger(self, zone: str) -> CronTrigger: ...

    @abstractmethod
    def period(self, now: datetime, zone: str) -> Period: ...

    @abstractmethod
    def describe(self) -> str: ...

    def next_run(self, now: datetime, zone: str) -> datetime:
        """The next time the schedule fires after `now` (naive UTC), as APScheduler computes it."""
        fire = self.trigger(zone).get_next_fire_time(None, local(now, zone) + timedelta(microseconds=1))
        return fire.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class EveryMinutes(Schedule):
    minutes: int  # divides 60: periods start on the hour and every `minutes` after

    def __post_init__(self):
        if 60 % self.minutes:
            raise ValueError("minutes must divide 60")

    def trigger(self, zone: str) -> CronTrigger:
        return CronTrigger(minute=f"*/{self.minutes}", timezone=ZoneInfo(zone))

    def period(self, now: datetime, zone: str) -> Period:
        at = local(now, zone)
        return _period(at.replace(minute=at.minute - at.minute % self.minutes, second=0, microsecond=0))

    def describe(self) -> str:
        if self.minutes == 1:
            return str(_l("Every minute"))
        return str(_l("Every %(n)d minutes", n=self.minutes))


@dataclass(frozen=True)
class Daily(Schedule):
    hour: int
    minute: int = 0

    def trigger(self, zone: str) -> CronTrigger:
        return CronTrigger(hour=self.hour, minute=self.minute, timezone=ZoneInfo(zone))

    def period(self, now: datetime, zone: str) -> Period:
        at = local(now, zone)
        start = at.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        return _period(start if start <= at else start - timedelta(days=1))

    def describe(self) -> str:
        return str(_l("Every day at %(time)s", time=f"{self.hour:02d}:{self.minute:02d}"))


@dataclass(frozen=True)
class Weekly(Schedule):
    weekday: int  # 0 Monday … 6 Sunday
    hour: int
    minute: int = 0

    def trigger(self, zone: str) -> CronTrigger:
        return CronTrigger(day_of_week=CRON_DAYS[self.weekday], hour=self.hour, minute=self.minute,
                           timezone=ZoneInfo(zone))

    def period(self, now: datetime, zone: str) -> Period:
        at = local(now, zone)
        day = at - timedelta(days=(at.weekday() - self.weekday) % 7)
        start = day.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        return _period(start if start <= at else start - timedelta(days=7))

    def describe(self) -> str:
        return str(WEEKDAYS[self.weekday] % {"time": f"{self.hour:02d}:{self.minute:02d}"})
