"""The responsibility list per agent (AI主责 / AI生成—人工复核 / 人工兜底): items of work,
each versioned — every change is a new row with who, when and why."""

import enum
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import enum_column, utcnow
from lms.models.people import User


class OwnerMode(enum.StrEnum):
    AI_PRIMARY = "ai_primary"  # AI主责
    AI_DRAFTS = "ai_drafts"  # AI生成—人工复核
    HUMAN_FALLBACK = "human_fallback"  # 人工兜底


class ResponsibilityItem(db.Model):
    """One item of work on an agent's list; what it says now is its latest version."""

    __tablename__ = "responsibility_items"
    __table_args__ = (sa.UniqueConstraint("agent_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey("agents.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list["ResponsibilityVersion"]] = relationship(
        back_populates="item", order_by="ResponsibilityVersion.number")


class ResponsibilityVersion(db.Model):
    """What an item said from `changed_at` on: owner mode, boundary, approver, escalation, review date."""

    __tablename__ = "responsibility_versions"
    __table_args__ = (sa.UniqueConstraint("item_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("responsibility_items.id"), index=True)
    number: Mapped[int]
    mode: Mapped[OwnerMode] = enum_column(OwnerMode)
    boundary: Mapped[str] = mapped_column(sa.String(500))  # when the item leaves the agent, e.g. refund > 200 元
    approver: Mapped[str] = mapped_column(sa.String(120))
    escalation: Mapped[str] = mapped_column(sa.String(200))  # the exception escalation channel
    review_on: Mapped[date]  # the quarterly review
    why: Mapped[str] = mapped_column(sa.String(1000))
    changed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[ResponsibilityItem] = relationship(back_populates="versions")
    changed_by: Mapped[Optional[User]] = relationship()
