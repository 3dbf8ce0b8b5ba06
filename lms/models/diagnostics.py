"""The intake diagnostic (week 0): its items, loaded from `courses/intake/diagnostic.yaml`,
and each enrollment's one result, which becomes the intake baseline."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import utcnow
from lms.models.catalog import CatalogRow, Program, Text
from lms.models.cohorts import Enrollment


class Diagnostic(CatalogRow, db.Model):
    """One program's intake diagnostic; synced like the catalogue (hash, archived, never deleted)."""

    __tablename__ = "diagnostics"
    __table_args__ = (sa.UniqueConstraint("program_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id"))
    code: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[Text] = mapped_column(sa.JSON)
    brief: Mapped[Text] = mapped_column(sa.JSON)
    # [{code, competency, points, question: Text, fields: [...], checks: [...]}] (courses/FORMAT.md)
    items: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)

    program: Mapped[Program] = relationship()

    def points_per_competency(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for item in self.items:
            totals[item["competency"]] = totals.get(item["competency"], 0) + item["points"]
        return totals


class DiagnosticResult(db.Model):
    """An enrollment's diagnostic, auto-scored on its one submission.

    Unique per enrollment: the database refuses a second one, even from two tabs at once.
    `version` is the diagnostic's content hash when taken, and `items` keeps what each item
    was worth and earned, so the result keeps its meaning after the file changes.
    """

    __tablename__ = "diagnostic_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id"), unique=True)
    diagnostic_id: Mapped[int] = mapped_column(sa.ForeignKey("diagnostics.id"))
    version: Mapped[str] = mapped_column(sa.String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    items: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)  # [{code, competency, points, earned}]
    scores: Mapped[dict[str, int]] = mapped_column(sa.JSON)  # competency → % of its item points earned
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrollment: Mapped[Enrollment] = relationship()
    diagnostic: Mapped[Diagnostic] = relationship()
