"""Contributions to the agent's improvement (Agent迭代贡献奖): a verified defect or a placed
person's suggestion, adopted, measured over comparable windows, and perhaps awarded."""

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import enum_column, utcnow
from lms.models.people import User


class ContributionCategory(enum.StrEnum):
    MISANSWER_ATTRIBUTION = "misanswer_attribution"  # 高频误答归因
    KB_UPDATE = "kb_update"  # 知识库更新
    HANDOFF_STRATEGY = "handoff_strategy"  # 转人工策略优化
    CAMPAIGN_CALIBRATION = "campaign_calibration"  # 活动期话术与规则校准
    EXCEPTION_SCRIPT = "exception_script"  # 异常订单处理脚本完善


class ContributionState(enum.StrEnum):
    SUBMITTED = "submitted"
    ADOPTED = "adopted"
    MEASURED = "measured"  # measured and qualifies: waits for the award
    AWARDED = "awarded"
    NOT_QUALIFIED = "not_qualified"  # declined: never adopted
    BELOW_THRESHOLD = "below_threshold"  # adopted, measured, effect below the threshold


class Payout(enum.StrEnum):
    APPROVED = "approved"
    PAID = "paid"


class Contribution(db.Model):
    __tablename__ = "contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contributor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    defect_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("agent_defects.id"), unique=True)
    category: Mapped[ContributionCategory] = enum_column(ContributionCategory)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[ContributionState] = enum_column(ContributionState, index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    adopted_at: Mapped[Optional[datetime]]
    adopted_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    # measurement: equal windows before and after the release, the release week excluded
    release_on: Mapped[Optional[date]]
    window_days: Mapped[Optional[int]]
    before_samples: Mapped[Optional[int]]
    after_samples: Mapped[Optional[int]]
    efficiency_before: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(14, 4))
    efficiency_after: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(14, 4))
    efficiency_higher_better: Mapped[Optional[bool]]  # False: a time (handle time), lower is better
    error_before: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(14, 4))
    error_after: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(14, 4))
    result: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)  # the rule as applied, for the page
    measured_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    measured_at: Mapped[Optional[datetime]]
    # award
    band_cny: Mapped[Optional[int]]
    points: Mapped[Optional[int]]
    approved_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[Optional[datetime]]
    payout: Mapped[Optional[Payout]] = enum_column(Payout, nullable=True)
    paid_at: Mapped[Optional[datetime]]

    contributor: Mapped[User] = relationship(foreign_keys=[contributor_id])
    measured_by: Mapped[Optional[User]] = relationship(foreign_keys=[measured_by_id])
    approved_by: Mapped[Optional[User]] = relationship(foreign_keys=[approved_by_id])
