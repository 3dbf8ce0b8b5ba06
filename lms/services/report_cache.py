"""A rendered report kept in the database for a short while (`ReportSnapshot`): computing the
dashboard reads every enrollment, attempt and hand-off event of its scope, and admins open it
again and again. In the database, not in a worker's memory, so every worker serves the same
snapshot; the page says when it was computed and offers a fresh one.

When a snapshot is older than the setting, one request claims it (one conditional UPDATE,
committed by the caller before computing) and computes it again; requests meanwhile get the
older snapshot rather than all computing at once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.models import ReportSnapshot

CLAIM_SECONDS = 300  # a claim older than this was abandoned (the worker died): claim it again

_READ = sa.select(ReportSnapshot.html, ReportSnapshot.computed_at).where(
    ReportSnapshot.key == sa.bindparam("key", type_=sa.String))
_CLAIM = (sa.update(ReportSnapshot)
          .where(ReportSnapshot.key == sa.bindparam("k", type_=sa.String),
                 sa.or_(ReportSnapshot.claimed_at.is_(None),
                        ReportSnapshot.claimed_at < sa.bindparam("stale_claim", type_=sa.DateTime)))
          .values(claimed_at=sa.bindparam("at", type_=sa.DateTime)))
_STORE = (sa.update(ReportSnapshot).where(ReportSnapshot.key == sa.bindparam("k", type_=sa.String))
          .values(html=sa.bindparam("html"), computed_at=sa.bindparam("at"), claimed_at=None))


@dataclass(frozen=True)
class Snapshot:
    html: str
    computed_at: datetime

    def fresh(self, now: datetime, max_age_seconds: int) -> bool:
        return timedelta(0) <= now - self.computed_at <= timedelta(seconds=max_age_seconds)


def read(session: Session, key: str) -> Optional[Snapshot]:
    row = session.execute(_READ, {"key": key}).first()
    return Snapshot(row.html, row.computed_at) if row is not None else None


def claim(session: Session, key: str, now: datetime) -> bool:
    """Whether this request computes the snapshot again (no other did in the last CLAIM_SECONDS)."""
    return session.execute(_CLAIM, {"k": key, "at": now,
                                    "stale_claim": now - timedelta(seconds=CLAIM_SECONDS)}).rowcount == 1


def store(session: Session, key: str, html: str, now: datetime) -> None:
    """Keep `html` under `key` (two workers storing at once: the later one wins). Caller commits."""
    if session.execute(_STORE, {"k": key, "html": html, "at": now}).rowcount == 0:
        savepoint = session.begin_nested()
        session.add(ReportSnapshot(key=key, html=html, computed_at=now))
        try:
            savepoint.commit()
        except IntegrityError:  # another worker stored it first: theirs is as fresh
            savepoint.rollback()
