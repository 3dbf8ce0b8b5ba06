"""Reminders for mentors: submissions waiting more than 48 hours for their grade (the mentor's
queue), and trainees at risk by the dashboard's rule (lms/services/standing.py: out of attempts,
several assessments overdue, lacking a mentor, no activity for two weeks)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

import sqlalchemy as sa

from lms.jobs.context import JobContext
from lms.models import MentorKind, NotificationKind, Role, User
from lms.services import dashboards, grading, standing
from lms.services.progress import current_program

WAITING_HOURS = 48


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
    reasons: tuple[str, ...]  # standing.REASONS (labels.RISK_REASONS)


Standings = dict[int, standing.EnrollmentStanding]


def standings(ctx: JobContext) -> Standings:
    """Every trainee in training's standing (one statement): a job reads it once for all mentors."""
    return standing.standings(ctx.session, ctx.today, ctx.now, ctx.settings.timezone)


def at_risk(ctx: JobContext, mentor: User, standing_of: Optional[Standings] = None) -> Iterator[AtRisk]:
    """The mentor's trainees at risk now, by the dashboard's rule (lms/services/standing.py)."""
    trainees = ctx.session.execute(*dashboards.mentor_trainees(mentor)).all()
    if not trainees:
        return
    standing_of = standings(ctx) if standing_of is None else standing_of
    programs = {c.id: c.program_id for c in dashboards.mentor_cohorts(ctx.session, mentor)}
    for t in trainees:
        found = standing_of.get(t.id)
        if found is not None and found.at_risk:
            yield AtRisk(t.id, t.name, programs[t.cohort_id], found.reasons)


def trainees_at_risk(ctx: JobContext) -> None:
    """Per mentor and trainee at risk, once a week (a new week with the trainee still at risk tells again)."""
    year, week, _ = ctx.today.isocalendar()
    standing_of = standings(ctx)
    for mentor in active_mentors(ctx):
        for risk in at_risk(ctx, mentor, standing_of):
            ctx.notify(mentor.id, NotificationKind.TRAINEE_AT_RISK, f"{risk.enrollment_id}:{year}-W{week:02d}",
                       program_id=risk.program_id, trainee=risk.name, enrollment_id=risk.enrollment_id,
                       reasons=list(risk.reasons))
