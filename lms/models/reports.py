"""Report snapshots: a rendered report (the dashboard's figures and charts) kept for a short
while, so admins opening it again — in any worker — read it instead of recomputing it."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db


class ReportSnapshot(db.Model):
    __tablename__ = "report_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    # what was computed: report, scope and language (lms/services/report_cache.py)
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    html: Mapped[str] = mapped_column(sa.Text)
    computed_at: Mapped[datetime]
    # a worker computing it again now: the others serve this one meanwhile (no stampede)
    claimed_at: Mapped[Optional[datetime]]
