"""Reminders of the agent-improvement loop: measure a contribution's effect some weeks after its
fix (to the reviewers, who measure), an award waiting for approval (to the admins who may
approve it: neither the measurer nor the contributor), and a responsibility-list item's
quarterly review coming up (to the reviewers)."""

from datetime import timedelta

import sqlalchemy as sa

from lms.jobs.context import JobContext
from lms.jobs.mentors import default_program_id
from lms.models import (
    Agent,
    AgentDefect,
    Cohort,
    Contribution,
    ContributionState,
    NotificationKind,
    ResponsibilityItem,
    ResponsibilityVersion,
    Role,
    User,
)
from lms.services.contributions import may_approve
from lms.services.outbox import reviewer_ids

REVIEW_NOTICE_DAYS = 14


def measure_effect(ctx: JobContext) -> None:
    """Adopted contributions whose fix (a verified defect's fix, else the adoption) is at least
    CONTRIBUTION_MEASURE_DAYS old and not measured yet: once each."""
    fixed_at = sa.func.coalesce(AgentDefect.closed_at, Contribution.adopted_at)
    rows = ctx.session.execute(
        sa.select(Contribution.id, Contribution.title, Cohort.program_id, fixed_at)
        .outerjoin(AgentDefect, AgentDefect.id == Contribution.defect_id)
        .join(Cohort, Cohort.id == Contribution.cohort_id)
        .where(Contribution.state == ContributionState.ADOPTED,
               fixed_at <= ctx.now - timedelta(days=ctx.settings.measure_days))
        .order_by(Contribution.id)).all()
    if not rows:
        return
    reviewers = reviewer_ids(ctx.session)
    for c_id, title, program_id, fixed in rows:
        for user_id in reviewers:
            ctx.notify(user_id, NotificationKind.MEASURE_EFFECT, str(c_id), program_id=program_id,
                       contribution_id=c_id, title=title, days=(ctx.now - fixed).days)


def awards_waiting(ctx: JobContext) -> None:
    """Measured, qualifying contributions waiting AWARD_APPROVAL_DAYS or more: a weekly reminder
    to each admin allowed to approve it."""
    waiting = ctx.session.scalars(
        sa.select(Contribution).where(Contribution.state == ContributionState.MEASURED,
                                      Contribution.measured_at <= ctx.now - timedelta(days=ctx.settings.award_days))
        .order_by(Contribution.id)).all()
    if not waiting:
        return
    admins = ctx.session.scalars(sa.select(User).where(User.role == Role.ADMIN, User.active.is_(True))
                                 .order_by(User.id)).all()
    programs = dict(ctx.session.execute(sa.select(Cohort.id, Cohort.program_id).where(
        Cohort.id.in_({c.cohort_id for c in waiting}))).all())
    year, week, _ = ctx.today.isocalendar()
    for c in waiting:
        for admin in admins:
            if may_approve(admin, c):
                ctx.notify(admin.id, NotificationKind.AWARD_WAITING, f"{c.id}:{year}-W{week:02d}",
                           program_id=programs[c.cohort_id], contribution_id=c.id, title=c.title,
                           days=(ctx.now - c.measured_at).days)


def responsibility_reviews(ctx: JobContext) -> None:
    """Items whose current version's review date is within REVIEW_NOTICE_DAYS (or passed without
    a new version): once per item and review date."""
    latest = (sa.select(ResponsibilityVersion.item_id, sa.func.max(ResponsibilityVersion.number).label("number"))
              .group_by(ResponsibilityVersion.item_id).subquery())
    rows = ctx.session.execute(
        sa.select(ResponsibilityItem.id, ResponsibilityItem.title, ResponsibilityItem.agent_id, Agent.name,
                  ResponsibilityVersion.review_on)
        .join(latest, latest.c.item_id == ResponsibilityItem.id)
        .join(ResponsibilityVersion, sa.and_(ResponsibilityVersion.item_id == ResponsibilityItem.id,
                                             ResponsibilityVersion.number == latest.c.number))
        .join(Agent, Agent.id == ResponsibilityItem.agent_id)
        .where(ResponsibilityVersion.review_on <= ctx.today + timedelta(days=REVIEW_NOTICE_DAYS))
        .order_by(ResponsibilityItem.id)).all()
    if not rows:
        return
    reviewers, program_id = reviewer_ids(ctx.session), default_program_id(ctx)
    for item_id, title, agent_id, agent, review_on in rows:
        for user_id in reviewers:
            ctx.notify(user_id, NotificationKind.RESPONSIBILITY_REVIEW, f"{item_id}:{review_on.isoformat()}",
                       program_id=program_id, item=title, agent=agent, agent_id=agent_id,
                       review_on=review_on.isoformat())
