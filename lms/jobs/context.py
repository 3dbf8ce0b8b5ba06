"""What a job gets: the session, the moment it runs for, its period, the settings and the
outbox its notifications go through."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from lms.jobs.schedule import Period, local
from lms.services.buffer_clock import BufferSettings
from lms.services.defect_rules import DefectSettings
from lms.services.outbox import Outbox
from lms.services.retention import RetentionSettings
from lms.services.sending import SendSettings


@dataclass(frozen=True)
class JobSettings:
    """The installation's settings a job reads (config.py), taken once from the app config."""

    timezone: str
    defects: DefectSettings
    buffer: BufferSettings
    escalate_hours: int
    measure_days: int
    award_days: int
    email: bool  # MAIL_SERVER is set
    send: SendSettings
    stale_seconds: int
    max_attempts: int
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    # The upload store's settings (UPLOAD_STORAGE, UPLOAD_FOLDER): the retention purge deletes files.
    storage: Mapping = field(default_factory=dict)
    pause_seconds: float = 0.0  # testing only: hold a run open before its commit

    @classmethod
    def from_config(cls, config: Mapping) -> "JobSettings":
        zone = config["BABEL_DEFAULT_TIMEZONE"]
        return cls(
            timezone=zone, defects=DefectSettings.from_config(config), buffer=BufferSettings.from_config(config),
            escalate_hours=int(config["DEFECT_ESCALATE_HOURS"]), measure_days=int(config["CONTRIBUTION_MEASURE_DAYS"]),
            award_days=int(config["AWARD_APPROVAL_DAYS"]), email=bool(config.get("MAIL_SERVER")),
            send=SendSettings(zone, config.get("PUBLIC_URL") or "", int(config["WEBHOOK_TIMEOUT_SECONDS"])),
            stale_seconds=int(config["JOB_STALE_SECONDS"]), max_attempts=int(config["JOB_MAX_ATTEMPTS"]),
            retention=RetentionSettings.from_config(config),
            storage={key: config.get(key) for key in ("UPLOAD_STORAGE", "UPLOAD_FOLDER")},
            pause_seconds=float(config.get("JOB_PAUSE_SECONDS") or 0))


@dataclass
class JobContext:
    session: Session
    now: datetime  # naive UTC: the moment the job judges by (`flask lms jobs run --at` sets it)
    period: Period
    settings: JobSettings
    outbox: Outbox
    counts: dict[str, int] = field(default_factory=dict)  # besides the outbox's: e.g. escalated

    @property
    def today(self) -> date:
        """The program's local date at `now`."""
        return local(self.now, self.settings.timezone).date()

    def notify(self, user_id: int, kind, key: str, **kwargs) -> bool:
        return self.outbox.notify(user_id, kind, key, **kwargs)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n
