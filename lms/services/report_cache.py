"""A rendered report kept in the database for a short while (`ReportSnapshot`): computing the
dashboard reads every enrollment, attempt and hand-off event of its scope, and admins open it
again and again. In the database, not in a worker's memory, so every worker serves the same
snapshot; it is never older than the setting (REPORT_CACHE_SECONDS), and the page says when it
was computed and offers a fresh one."""

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.models import ReportSnapshot

_READ = sa.select(ReportSnapshot.html, ReportSnapshot.computed_at).where(
    ReportSnapshot.key == sa.bindparam("key", type_=sa.String))
_UPDATE = (sa.update(ReportSnapshot).where(ReportSnapshot.key == sa.bindparam("k", type_=sa.String))
           .values(html=sa.bindparam("html"), computed_at=sa.bindparam("at")))


def cached(session: Session, key: str, max_age_seconds: int, now: datetime, build: Callable[[], str],
           fresh: bool = False) -> tuple[str, datetime, bool]:
    """The snapshot under `key` when younger than `max_age_seconds`, else `build()` stored under it
    (two workers building at once both store; the later one wins). Returns (html, computed at,
    whether it was built now: then the caller commits)."""
    if max_age_seconds > 0 and not fresh:
        row = session.execute(_READ, {"key": key}).first()
        if row is not None and timedelta(0) <= now - row.computed_at <= timedelta(seconds=max_age_seconds):
            return row.html, row.computed_at, False
    html = build()
    if max_age_seconds > 0:
        if session.execute(_UPDATE, {"k": key, "html": html, "at": now}).rowcount == 0:
            savepoint = session.begin_nested()
            session.add(ReportSnapshot(key=key, html=html, computed_at=now))
            try:
                savepoint.commit()
            except IntegrityError:  # another worker stored it first: theirs is as fresh
                savepoint.rollback()
    return html, now, True
