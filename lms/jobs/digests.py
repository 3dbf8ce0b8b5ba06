"""Weekly digests, in-app and by e-mail: each mentor's week (their trainees, who is behind or at
risk, their grading queue, buffer check-ins due) and the admins' (each running cohort's
figures, work waiting, defects past their service level, awards waiting)."""

from datetime import timedelta

import sqlalchemy as sa

from lms.jobs import defects as defect_jobs
from lms.jobs.context import JobContext
from lms.jobs.mentors import WAITING_HOURS, Standings, active_mentors, default_program_id, standings, waiting_long
from lms.models import Contribution, ContributionState, NotificationKind, Submission, SubmissionState
from lms.services import checkins, clock, dashboards, grading
from lms.services.outbox import admin_ids


def weekly_digest(ctx: JobContext) -> None:
    program_id = default_program_id(ctx)
    key_day = ctx.period.key[:10]
    standing_of = standings(ctx)
    for mentor in active_mentors(ctx):
        figures = mentor_figures(ctx, mentor, standing_of)
        if figures["trainees"] or figures["waiting"] or figures["placed"]:
            ctx.notify(mentor.id, NotificationKind.DIGEST_MENTOR, f"{mentor.id}:{key_day}", program_id=program_id,
                       **figures)
    admins = admin_ids(ctx.session)
    if admins:
        figures = admin_figures(ctx)
        for user_id in admins:
            ctx.notify(user_id, NotificationKind.DIGEST_ADMIN, f"{user_id}:{key_day}", program_id=program_id,
                       **figures)


def mentor_figures(ctx: JobContext, mentor, standing_of: Standings) -> dict:
    """Behind and at risk by the dashboard's rule (lms/services/standing.py)."""
    trainees = ctx.session.execute(*dashboards.mentor_trainees(mentor)).all()
    mine = [standing_of[t.id] for t in trainees if t.id in standing_of]
    homes = dashboards.mentor_home(ctx.session, mentor, ctx.today, ctx.settings.timezone, trainees) if trainees else []
    rows = [r for g in homes for r in g.rows]
    queue = grading.queue(ctx.session, mentor) if mentor.mentor_kind else []
    oldest = min((i.submitted_at for i in queue), default=None)
    placed = checkins.coach_rows(ctx.session, mentor.id, ctx.today)
    started = [r for r in placed if r.day >= 1]
    return {
        "trainees": len(rows), "behind": sum(1 for s in mine if s.behind),
        "at_risk": sum(1 for s in mine if s.at_risk),
        "waiting": len(queue), "waiting_long": len(waiting_long(ctx, mentor)),
        "oldest_days": (ctx.now - oldest).days if oldest else 0,
        "placed": len(placed), "checkins_due": sum(1 for r in started if not r.this_week_done),
        "gaps": sum(len(r.gaps) for r in started),
    }


def admin_figures(ctx: JobContext) -> dict:
    cohorts = [{"code": s.code, "name": s.name, "week": s.week, "weeks": s.weeks,
                "active": s.active, "withdrawn": s.withdrawn, "missing": s.missing_mentor}
               for s in dashboards.cohort_summaries(ctx.session, ctx.today) if s.phase != clock.Phase.CLOSED]
    waiting = ctx.session.scalar(sa.select(sa.func.count(Submission.id)).where(
        Submission.state == SubmissionState.SUBMITTED,
        Submission.submitted_at <= ctx.now - timedelta(hours=WAITING_HOURS)))
    awards = ctx.session.scalar(sa.select(sa.func.count(Contribution.id)).where(
        Contribution.state == ContributionState.MEASURED))
    breached = len({b.defect.id for b in defect_jobs.breaches(ctx)})
    return {"cohorts": cohorts, "waiting": waiting, "breached": breached, "awards": awards}
