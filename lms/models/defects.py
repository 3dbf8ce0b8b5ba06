"""Agent defects a placed person logs: the defect, its co-reporters, screenshots and
the triage history. Excerpts and the said / should-have-said texts are stored masked
(lms/services/masking.py runs before a row is written)."""

import enum
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import enum_column, utcnow
from lms.models.buffer import Agent
from lms.models.people import User


class DefectType(enum.StrEnum):
    WRONG_ANSWER = "wrong_answer"
    MISSED_ANSWER = "missed_answer"
    SLOW_RESPONSE = "slow_response"
    BAD_HANDOFF = "bad_handoff"
    MISLEADING_PROMO = "misleading_promo"
    OTHER = "other"


class DefectState(enum.StrEnum):
    NEW = "new"
    CONFIRMED = "confirmed"
    IN_FIX = "in_fix"
    FIXED = "fixed"
    VERIFIED = "verified"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


class AgentDefect(db.Model):
    """One defect of an agent, as a placed person saw it (reporter); others who saw the
    same add themselves as co-reporters (`DefectReport`)."""

    __tablename__ = "agent_defects"
    __table_args__ = (
        sa.Index("ix_agent_defects_similar", "agent_id", "type", "intent_key", "created_at"),
        sa.CheckConstraint("reach IS NULL OR reach >= 0", name="reach_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey("agents.id"))
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"))
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    type: Mapped[DefectType] = enum_column(DefectType)
    intent: Mapped[str] = mapped_column(sa.String(120))
    intent_key: Mapped[str] = mapped_column(sa.String(120))  # intent lower-cased, spaces folded: for matching
    platform: Mapped[str] = mapped_column(sa.String(120))
    sku: Mapped[Optional[str]] = mapped_column(sa.String(120))
    kb_entry: Mapped[Optional[str]] = mapped_column(sa.String(120))
    excerpt: Mapped[str] = mapped_column(sa.Text)  # masked
    agent_said: Mapped[str] = mapped_column(sa.Text)  # masked
    should_say: Mapped[str] = mapped_column(sa.Text)  # masked
    reach: Mapped[Optional[int]]
    severity: Mapped[str] = mapped_column(sa.String(32))  # a code of the program's defect_severity scale
    complex: Mapped[bool] = mapped_column(default=False)  # the close-within clock applies
    seen_at: Mapped[datetime]
    state: Mapped[DefectState] = enum_column(DefectState, default=DefectState.NEW, index=True)
    duplicate_of_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("agent_defects.id"))
    reject_reason: Mapped[Optional[str]] = mapped_column(sa.String(1000))
    # the verified defect this one recurred after (same agent, intent and type within the window)
    recurrence_of_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("agent_defects.id"))
    # the item of the agent's responsibility list the defect concerns (optional)
    item_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("responsibility_items.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_at: Mapped[Optional[datetime]]  # first transition out of `new`
    closed_at: Mapped[Optional[datetime]]  # fixed (or rejected / duplicate)
    verified_at: Mapped[Optional[datetime]]
    # Set when the retention purge blanked the excerpts and said / should texts and deleted
    # the screenshots (PIPL: personal information kept no longer than needed).
    purged_at: Mapped[Optional[datetime]]
    # Escalated to the admins by the SLA job (a clock still breached after the escalation window);
    # an escalated defect moves again only after an interim note written since (`needs_interim_note`).
    response_escalated_at: Mapped[Optional[datetime]]
    close_escalated_at: Mapped[Optional[datetime]]
    interim_note_at: Mapped[Optional[datetime]]

    agent: Mapped[Agent] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    reports: Mapped[list["DefectReport"]] = relationship(back_populates="defect", order_by="DefectReport.id",
                                                          foreign_keys="DefectReport.defect_id")
    files: Mapped[list["DefectFile"]] = relationship(back_populates="defect", order_by="DefectFile.id")
    events: Mapped[list["DefectEvent"]] = relationship(back_populates="defect", order_by="DefectEvent.id")

    @property
    def reporter_ids(self) -> set[int]:
        return {self.reporter_id, *(r.user_id for r in self.reports)}

    @property
    def escalated_at(self) -> Optional[datetime]:
        return max((t for t in (self.response_escalated_at, self.close_escalated_at) if t), default=None)

    @property
    def needs_interim_note(self) -> bool:
        """Escalated, and no interim note written since the (latest) escalation."""
        escalated = self.escalated_at
        return escalated is not None and (self.interim_note_at is None or self.interim_note_at < escalated)


class DefectReport(db.Model):
    """A co-reporter: someone who saw the same defect and added their own excerpt, or the
    reporter of a defect closed as a duplicate of this one (credited here)."""

    __tablename__ = "defect_reports"
    __table_args__ = (sa.UniqueConstraint("defect_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    defect_id: Mapped[int] = mapped_column(sa.ForeignKey("agent_defects.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    excerpt: Mapped[str] = mapped_column(sa.Text)  # masked
    from_duplicate_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("agent_defects.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    defect: Mapped[AgentDefect] = relationship(back_populates="reports", foreign_keys=[defect_id])
    user: Mapped[User] = relationship()


class DefectFile(db.Model):
    """A screenshot attached to a defect (same upload rules as assessment files)."""

    __tablename__ = "defect_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    defect_id: Mapped[int] = mapped_column(sa.ForeignKey("agent_defects.id"), index=True)
    uploader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    defect: Mapped[AgentDefect] = relationship(back_populates="files")


class DefectEvent(db.Model):
    """One step of triage: who moved the defect from which state to which, and why."""

    __tablename__ = "defect_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    defect_id: Mapped[int] = mapped_column(sa.ForeignKey("agent_defects.id"), index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    from_state: Mapped[DefectState] = enum_column(DefectState)
    to_state: Mapped[DefectState] = enum_column(DefectState)
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    defect: Mapped[AgentDefect] = relationship(back_populates="events")
    actor: Mapped[Optional[User]] = relationship()
