"""Reminders for mentors: submissions waiting more than 48 hours for their grade, and trainees
at risk (behind schedule, a failed last attempt, no activity for 7 days), from the same
queue and progress rows as the mentor's pages."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

import sqlalchemy as sa

from lms.jobs.context import JobContext
from lms.models import MentorKind, NotificationKind, Role, User
from lms.services import clock, dashboards, grading, progress
from lms.services.progress import current_program

WAITING_HOURS = 48
INACTIVE_DAYS = 7


def active_mentors(ctx: JobContext) -> list[User]:
    return list(ctx.session.scalars(sa.select(User).where(User.role == Role.MENTOR, User.active.is_(True))
                                    .order_by(User.id)))


def default_program_id(ctx: JobContext) -> Optional[int]:
    """The program a message about no one program belongs to (its webhook relays it): the current one."""
    program = current_program(ctx.session)
    return program.id if program else None


def waiting_long(ctx: JobContext, mentor: User) -> list[grading.QueueItem]:
    """The mentor's queue items handed in more than 48 hours ago."""
    if mentor.mentor_kind not in (MentorKind.AI, MentorKind.BUSINESS):
        return []
    cutoff = ctx.now - timedelta(hours=WAITING_HOURS)
    return [i for i in grading.queue(ctx.session, mentor) if i.submitted_at < cutoff]


def grading_waiting(ctx: JobContext) -> None:
    """Once a day per mentor with submissions waiting more than 48 hours."""
    program_id = default_program_id(ctx)
    for mentor in active_mentors(ctx):
        items = waiting_long(ctx, mentor)
        if items:
            oldest = (ctx.now - min(i.submitted_at for i in items)).days
            ctx.notify(mentor.id, NotificationKind.GRADING_WAITING, f"{mentor.id}:{ctx.period.key[:10]}",
                       program_id=program_id, count=len(items), oldest_days=oldest)


@dataclass(frozen=True)
class AtRisk:
    enrollment_id: int
    name: str
    program_id: int
    reasons: tuple[str, ...]  # behind | failed | inactive (labels.RISK_REASONS)


def at_risk(ctx: JobContext, mentor: User) -> Iterator[AtRisk]:
    """The mentor's trainees in training who are behind schedule (work overdue), failed their latest
    attempt at something not passed yet, or did nothing for INACTIVE_DAYS (lessons or work)."""
    trainees = ctx.session.execute(*dashboards.mentor_trainees(mentor)).all()
    if not trainees:
        return
    trainee_of = {t.id: t.trainee_id for t in trainees}
    for group in dashboards.mentor_home(ctx.session, mentor, ctx.today, trainees):
        if group.phase != clock.Phase.TRAINING:
            continue
        started = group.cohort.start_date
        for row in group.rows:
            reasons = []
            if row.overdue:
                reasons.append("behind")
            statuses = progress.assessment_statuses(ctx.session, trainee_of[row.enrollment_id])
            if "failed" in statuses.values():
                reasons.append("failed")
            # counted from the start of week 1 at the earliest: intake week has no lessons to do
            since = max(row.last_activity.date() if row.last_activity else started, clock.week_start(started, 1))
            if (ctx.today - since).days >= INACTIVE_DAYS:
                reasons.append("inactive")
            if reasons:
                yield AtRisk(row.enrollment_id, row.name, group.cohort.program_id, tuple(reasons))


def trainees_at_risk(ctx: JobContext) -> None:
    """Per mentor and trainee at risk, once a week (a new week with the trainee still at risk tells again)."""
    year, week, _ = ctx.today.isocalendar()
    for mentor in active_mentors(ctx):
        for risk in at_risk(ctx, mentor):
            ctx.notify(mentor.id, NotificationKind.TRAINEE_AT_RISK, f"{risk.enrollment_id}:{year}-W{week:02d}",
                       program_id=risk.program_id, trainee=risk.name, enrollment_id=risk.enrollment_id,
                       reasons=list(risk.reasons))
