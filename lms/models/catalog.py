"""The course catalogue, loaded from `courses/`: program → tier → track → course →
lesson / assessment → rubric criterion.

Rows are keyed by their codes, carry a hash of their file content so a sync with
no file change writes nothing, and are archived (never deleted) when their files go.
"""

import enum
from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import enum_column, utcnow

Text = dict[str, str]  # {"zh_CN": ..., "en": ...}


class TierCode(enum.StrEnum):
    FOUNDATION = "foundation"
    ADVANCED = "advanced"
    EXPERT = "expert"


class Competency(enum.StrEnum):
    DATA_PROCESSING = "data_processing"
    PROBLEM_SOLVING = "problem_solving"
    TOOL_USE = "tool_use"
    COMMUNICATION = "communication"


class GraderKind(enum.StrEnum):
    AI = "ai"
    BUSINESS = "business"
    BOTH = "both"


class TargetRole(enum.StrEnum):
    COLLAB_CS = "collab_cs"
    AI_TRAINER = "ai_trainer"
    OPS_SPECIALIST = "ops_specialist"
    UX_ARCHITECT = "ux_architect"


class CatalogRow:
    """Columns every synced row has."""

    content_hash: Mapped[str] = mapped_column(sa.String(64))
    archived_at: Mapped[Optional[datetime]]
    position: Mapped[int] = mapped_column(default=0)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Program(CatalogRow, db.Model):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[Text] = mapped_column(sa.JSON)
    weeks: Mapped[int]
    attainment_threshold: Mapped[int]
    # dual sign-off: a mentor sees the other kind's grade only after saving their own
    blind_second_grading: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # role packages: {role: {"title", "description": Text, "duties": [...], "competencies": {code: %},
    #                        "tiers": [tier codes], "tracks": ["<tier>/<track>"], "promotion": {next, requires}}}
    roles: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # the one defect severity scale: [{"code", "title": Text, "meaning": Text, "complex": bool}], highest first
    defect_severity: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list, server_default="[]")
    # the source material's figures, shown beside the program's own (catalog_reference.read_reference)
    reference: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, server_default="{}")

    tiers: Mapped[list["Tier"]] = relationship(
        back_populates="program", order_by="Tier.position"
    )

    def tiers_for_role(self, role: str) -> list[str]:
        return list(self.roles.get(role, {}).get("tiers", []))

    def required_levels(self, role: str) -> dict[str, int]:
        """The role's competency model: competency code → required level (%); empty if it has none."""
        return dict(self.roles.get(role, {}).get("competencies") or {})


class Tier(CatalogRow, db.Model):
    __tablename__ = "tiers"
    __table_args__ = (sa.UniqueConstraint("program_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id"))
    code: Mapped[TierCode] = enum_column(TierCode)
    title: Mapped[Text] = mapped_column(sa.JSON)
    summary: Mapped[Text] = mapped_column(sa.JSON)

    program: Mapped[Program] = relationship(back_populates="tiers")
    # by schedule: a track listed out of week order would read as the wrong plan
    tracks: Mapped[list["Track"]] = relationship(
        back_populates="tier", order_by=lambda: [Track.start_week, Track.end_week, Track.position]
    )


class Track(CatalogRow, db.Model):
    __tablename__ = "tracks"
    __table_args__ = (sa.UniqueConstraint("tier_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(sa.ForeignKey("tiers.id"))
    code: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[Text] = mapped_column(sa.JSON)
    summary: Mapped[Text] = mapped_column(sa.JSON)
    start_week: Mapped[int]
    end_week: Mapped[int]  # the track's assessments are due at the end of this week
    # the target roles that take it; empty (or None, before the first sync that knew roles): every
    # role whose tiers include this one
    roles: Mapped[Optional[list[str]]] = mapped_column(sa.JSON)

    tier: Mapped[Tier] = relationship(back_populates="tracks")
    courses: Mapped[list["Course"]] = relationship(back_populates="track", order_by="Course.position")


class Course(CatalogRow, db.Model):
    __tablename__ = "courses"
    __table_args__ = (sa.UniqueConstraint("track_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("tracks.id"))
    code: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[Text] = mapped_column(sa.JSON)
    summary: Mapped[Text] = mapped_column(sa.JSON)

    track: Mapped[Track] = relationship(back_populates="courses")
    lessons: Mapped[list["Lesson"]] = relationship(back_populates="course", order_by="Lesson.position")
    assessments: Mapped[list["Assessment"]] = relationship(
        back_populates="course", order_by="Assessment.position"
    )


class Lesson(CatalogRow, db.Model):
    __tablename__ = "lessons"
    __table_args__ = (sa.UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"))
    slug: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[Text] = mapped_column(sa.JSON)
    minutes: Mapped[int]
    body: Mapped[Text] = mapped_column(sa.JSON)  # Markdown per locale; sanitised on render

    course: Mapped[Course] = relationship(back_populates="lessons")


class Assessment(CatalogRow, db.Model):
    __tablename__ = "assessments"
    __table_args__ = (sa.UniqueConstraint("course_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"))
    code: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[Text] = mapped_column(sa.JSON)
    brief: Mapped[Text] = mapped_column(sa.JSON)
    grader: Mapped[GraderKind] = enum_column(GraderKind)
    pass_mark: Mapped[int]
    max_attempts: Mapped[int]
    required: Mapped[bool] = mapped_column(default=True)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    # a group assessment (the expert capstone): {"min_members", "max_members", "problems": [...],
    # "milestones": [...]}; None for individual work
    group_work: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON(none_as_null=True))  # SQL NULL: filterable

    course: Mapped[Course] = relationship(back_populates="assessments")
    criteria: Mapped[list["RubricCriterion"]] = relationship(
        back_populates="assessment", order_by="RubricCriterion.position"
    )


class RubricCriterion(CatalogRow, db.Model):
    __tablename__ = "rubric_criteria"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"))
    code: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[Text] = mapped_column(sa.JSON)
    judged: Mapped[Text] = mapped_column(sa.JSON)  # what is judged: trainees see it before submitting
    competency: Mapped[Competency] = enum_column(Competency)
    weight: Mapped[int]
    # [{points, descriptor}]; descriptors guide mentors and may hold the answers, so a trainee
    # sees only the one a mentor picked, with the grade
    levels: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)

    assessment: Mapped[Assessment] = relationship(back_populates="criteria")

    @property
    def max_points(self) -> int:
        return max(level["points"] for level in self.levels)

    def level_for(self, points: Any) -> Optional[dict[str, Any]]:
        """The level a grade's points for this criterion stand for, if any."""
        return next((level for level in self.levels if level["points"] == points), None)


class CatalogSync(db.Model):
    """A sync that changed the catalogue or failed; an unchanged sync leaves no trace."""

    __tablename__ = "catalog_syncs"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    ok: Mapped[bool]
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    archived: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default="[]")

    actor = relationship("User")
