"""The retention purge (PIPL art. 19: personal information kept no longer than its purpose
needs). RETENTION_DAYS after its last activity, a defect loses its conversation excerpts,
what-the-agent-said / should-have-said texts and screenshots (the record stays: type,
intent, severity, triage history, counts); an assessment attempt's uploaded files are
deleted the same number of days after the attempt last changed (the file's name stays,
marked removed). 0 days keeps everything.

`purge_expired` is idempotent (what it purged is marked and never counted again) and the
one entry point for the CLI and the daily job; the caller commits.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import AgentDefect, DefectEvent, DefectFile, DefectReport, Submission, SubmissionFile
from lms.models.base import utcnow
from lms.services.audit import record
from lms.storage import Storage, storage_for

BATCH = 500  # ids per IN list: well under every database's parameter limit


@dataclass(frozen=True)
class RetentionSettings:
    days: int = 180

    @classmethod
    def from_config(cls, config: Mapping) -> "RetentionSettings":
        return cls(days=int(config.get("RETENTION_DAYS", cls.days)))


@dataclass(frozen=True)
class PurgeReport:
    cutoff: Optional[datetime]  # activity before this is past retention; None: retention is off
    defects: int = 0  # defects whose excerpts and texts were blanked
    screenshots: int = 0
    submission_files: int = 0

    @property
    def total(self) -> int:
        return self.defects + self.screenshots + self.submission_files

    @property
    def counts(self) -> dict[str, int]:
        return {"defects": self.defects, "screenshots": self.screenshots, "submission_files": self.submission_files}


def _expired_defects(cutoff: datetime) -> sa.Select:
    """Defects not yet purged with no activity since `cutoff`: reported, co-reported or triaged before it."""
    return (sa.select(AgentDefect.id)
            .where(AgentDefect.purged_at.is_(None), AgentDefect.created_at < cutoff,
                   ~sa.exists().where(DefectEvent.defect_id == AgentDefect.id, DefectEvent.at >= cutoff),
                   ~sa.exists().where(DefectReport.defect_id == AgentDefect.id, DefectReport.added_at >= cutoff))
            .order_by(AgentDefect.id))


def _expired_files(cutoff: datetime) -> sa.Select:
    return (sa.select(SubmissionFile.id, SubmissionFile.stored_name)
            .join(Submission, Submission.id == SubmissionFile.submission_id)
            .where(SubmissionFile.purged_at.is_(None), Submission.updated_at < cutoff)
            .order_by(SubmissionFile.id))


def _batches(ids: list) -> Iterable[list]:
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def purge_expired(session: Session, storage: Storage, now: datetime, settings: RetentionSettings,
                  dry_run: bool = False) -> PurgeReport:
    """Blank the personal content of defects and delete uploaded files past retention at `now`
    (naive UTC). With `dry_run`, only count. Audited when anything was purged."""
    if settings.days <= 0:
        return PurgeReport(cutoff=None)
    cutoff = now - timedelta(days=settings.days)
    defect_ids = list(session.scalars(_expired_defects(cutoff)))
    shots = [tuple(row) for ids in _batches(defect_ids) for row in session.execute(
        sa.select(DefectFile.id, DefectFile.stored_name).where(DefectFile.defect_id.in_(ids)))]
    files = [tuple(row) for row in session.execute(_expired_files(cutoff))]
    report = PurgeReport(cutoff, len(defect_ids), len(shots), len(files))
    if dry_run or report.total == 0:
        return report
    # The bytes first: if the transaction then fails, the next run finds the rows again and
    # deleting a missing file is no error. (The database store deletes in this transaction.)
    for _id, key in shots + files:
        storage.delete(key)
    for ids in _batches([shot_id for shot_id, _key in shots]):
        session.execute(sa.delete(DefectFile).where(DefectFile.id.in_(ids)))
    for ids in _batches(defect_ids):
        session.execute(sa.update(DefectReport).where(DefectReport.defect_id.in_(ids)).values(excerpt=""))
        session.execute(sa.update(AgentDefect).where(AgentDefect.id.in_(ids))
                        .values(excerpt="", agent_said="", should_say="", purged_at=now))
    for ids in _batches([file_id for file_id, _key in files]):
        session.execute(sa.update(SubmissionFile).where(SubmissionFile.id.in_(ids)).values(purged_at=now))
    session.expire_all()  # loaded rows must not show what was just removed
    record(session, None, "retention.purge", "retention", None,
           after={"days": settings.days, "cutoff": cutoff.isoformat(timespec="seconds"), **report.counts})
    session.flush()
    return report


def purge_job(session: Session, config: Mapping, now: Optional[datetime] = None) -> PurgeReport:
    """The daily job: `purge_expired` with the installation's RETENTION_DAYS and upload store
    at the current time. The caller commits (and may record `report.counts`)."""
    return purge_expired(session, storage_for(config, session), now or utcnow(), RetentionSettings.from_config(config))
