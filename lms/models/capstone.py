"""The expert capstone (场景化项目攻坚): groups formed per cohort, their members,
milestone notes and the members' contribution statements.

The group's final work is an ordinary `Submission` with `group_id` set: graded
once through the usual rubric machinery and credited to every current member.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import utcnow
from lms.models.catalog import Assessment
from lms.models.cohorts import Cohort
from lms.models.people import User


class CapstoneGroup(db.Model):
    __tablename__ = "capstone_groups"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"))
    name: Mapped[str] = mapped_column(sa.String(80))
    problem: Mapped[str] = mapped_column(sa.String(64))  # a problem code of the assessment's `group` block
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship()
    assessment: Mapped[Assessment] = relationship()
    members: Mapped[list["CapstoneMember"]] = relationship(
        back_populates="group", order_by="CapstoneMember.id")

    @property
    def member_ids(self) -> list[int]:
        return [m.trainee_id for m in self.members]


class CapstoneMember(db.Model):
    """A trainee in a group. The cohort is copied here so the database holds the
    rule "at most one capstone group per trainee and cohort" (two admins at once)."""

    __tablename__ = "capstone_members"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("capstone_groups.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"))
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    group: Mapped[CapstoneGroup] = relationship(back_populates="members")
    trainee: Mapped[User] = relationship()


class MilestoneNote(db.Model):
    """What a member recorded for a milestone; a new note adds a row (the history),
    the newest is the milestone's current state."""

    __tablename__ = "capstone_milestone_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("capstone_groups.id"), index=True)
    milestone: Mapped[str] = mapped_column(sa.String(64))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class ContributionStatement(db.Model):
    """One member's own statement of what they did in one group submission."""

    __tablename__ = "capstone_statements"
    __table_args__ = (sa.UniqueConstraint("submission_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), index=True)
    trainee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    trainee: Mapped[User] = relationship()


def credited(trainee_ids):
    """(submission_id, trainee_id) for every submission that counts for one of
    `trainee_ids`: their own individual work, and the work of each capstone
    group they are a member of (graded once, credited to each member)."""
    from lms.models.progress import Submission  # progress maps Submission.group to us by name

    own = (sa.select(Submission.id.label("submission_id"), Submission.trainee_id.label("trainee_id"))
           .where(Submission.group_id.is_(None), Submission.trainee_id.in_(trainee_ids)))
    group = (sa.select(Submission.id, CapstoneMember.trainee_id)
             .join(CapstoneMember, CapstoneMember.group_id == Submission.group_id)
             .where(CapstoneMember.trainee_id.in_(trainee_ids)))
    return sa.union_all(own, group).subquery("credited")


def credited_select(trainee_ids, *columns, where=(), outerjoin=None):
    """A select of (credited trainee id, *columns) over the same submissions as `credited`, the
    columns read from each submission row directly: joining `credited` back to submissions by id
    made PostgreSQL hash the whole table (8 ms for a mentor's 50 trainees at 2,000 trainees; this
    form reads only their rows). `where` filters submissions; `outerjoin` (target, on clause)
    brings in a table the columns read."""
    from lms.models.progress import Submission

    def branch(select):
        if outerjoin is not None:
            select = select.outerjoin(*outerjoin)
        return select.where(*where)

    own = branch(sa.select(Submission.trainee_id.label("trainee_id"), *columns)
                 .where(Submission.group_id.is_(None), Submission.trainee_id.in_(trainee_ids)))
    group = branch(sa.select(CapstoneMember.trainee_id, *columns)
                   .select_from(Submission).join(CapstoneMember, CapstoneMember.group_id == Submission.group_id)
                   .where(CapstoneMember.trainee_id.in_(trainee_ids)))
    return sa.union_all(own, group)
