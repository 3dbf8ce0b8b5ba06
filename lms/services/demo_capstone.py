"""Demo data: one capstone group in the demo cohort with its first milestone recorded (idempotent)."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import CapstoneGroup, Cohort
from lms.services import DomainError, capstone, capstone_work, people
from lms.services.progress import ensure_tier_open

DEMO_GROUP = "演示小组 Demo group"
MEMBERS = ("trainee3@example.com", "trainee4@example.com", "trainee6@example.com")  # the expert-tier roles


def _tier_open(session: Session, trainee_id: int, group: CapstoneGroup) -> bool:
    try:
        ensure_tier_open(session, trainee_id, group.assessment.course.track.tier)
    except DomainError:
        return False
    return True


def ensure_demo_capstone(session: Session, cohort: Cohort) -> None:
    if session.scalar(sa.select(CapstoneGroup.id).where(CapstoneGroup.cohort_id == cohort.id,
                                                        CapstoneGroup.name == DEMO_GROUP)):
        return
    if capstone.capstone_assessment(session, cohort.program_id) is None:
        return
    admin = people.find_by_email(session, "admin@example.com")
    members = [people.find_by_email(session, e) for e in MEMBERS]
    group = capstone.create_group(session, admin, cohort,
                                  capstone.GroupInput(DEMO_GROUP, "handoff-threshold", [m.id for m in members]))
    # A note needs the expert tier open (the app refuses it otherwise); a demo cohort still in
    # earlier tiers gets the group without one.
    writer = next((m for m in members if _tier_open(session, m.id, group)), None)
    if writer is None:
        return
    capstone_work.record_milestone(session, writer, group, "framing",
                                   "问题界定：近两周转人工会话中，约三成是顾客重复提问三次以上才转人工。"
                                   "分工：数据分析、流程设计、风险边界各一人。")
