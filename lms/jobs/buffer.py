"""Buffer-period reminders: a week that ended without its check-in (to the coach), day 80 of 90
"the period ends soon" (to the coach and the person), and from its last day "record the
outcome" (to the coach and the admins). Weeks, days and gaps come from lms/services/checkins.py
and buffer_clock.py, as the coaching pages show them."""

import sqlalchemy as sa

from lms.jobs.context import JobContext
from lms.models import Cohort, Enrollment, NotificationKind, Placement
from lms.services import buffer_clock, checkins
from lms.services.outbox import admin_ids

ENDS_SOON_DAYS = 10  # day 80 of a 90-day period: ten days before its last day


def _program_ids(ctx: JobContext, placement_ids: list[int]) -> dict[int, int]:
    if not placement_ids:
        return {}
    return dict(ctx.session.execute(
        sa.select(Placement.id, Cohort.program_id).join(Enrollment, Enrollment.id == Placement.enrollment_id)
        .join(Cohort, Cohort.id == Enrollment.cohort_id).where(Placement.id.in_(placement_ids))).all())


def _open_rows(ctx: JobContext) -> tuple[list[checkins.CoachRow], dict[int, int]]:
    rows = [r for r in checkins.coach_rows(ctx.session, None, ctx.today) if r.day >= 1]
    return rows, _program_ids(ctx, [r.placement.id for r in rows])


def buffer_checkins(ctx: JobContext) -> None:
    """The week that ended last without a check-in, once per placement and week (older gaps were
    told about when their week ended; the coach's page lists every gap)."""
    rows, programs = _open_rows(ctx)
    for row in rows:
        p = row.placement
        week = buffer_clock.weeks_over(p.start_date, p.buffer_end, ctx.today)
        if week >= 1 and week in row.gaps:
            ctx.notify(p.coach_id, NotificationKind.CHECKIN_MISSING, f"{p.id}:{week}", program_id=programs[p.id],
                       person=p.trainee.name, placement_id=p.id, week=week)


def buffer_end(ctx: JobContext) -> None:
    """Ten days before the period's last day (day 80 of 90) and from its last day on (day 90), once
    per placement and end date: an extension moves the end date and brings both again."""
    rows, programs = _open_rows(ctx)
    admins = admin_ids(ctx.session)
    for row in rows:
        p = row.placement
        left = (p.last_day - ctx.today).days
        common = {"program_id": programs[p.id], "person": p.trainee.name, "placement_id": p.id,
                  "last_day": p.last_day.isoformat()}
        key = f"{p.id}:{p.buffer_end.isoformat()}"
        if 0 < left <= ENDS_SOON_DAYS:
            ctx.notify(p.coach_id, NotificationKind.BUFFER_ENDS_SOON, key, **common)
            ctx.notify(p.trainee_id, NotificationKind.BUFFER_ENDS_SOON, key, own=True, **common)
        elif left <= 0:
            for user_id in dict.fromkeys([p.coach_id, *admins]):
                ctx.notify(user_id, NotificationKind.BUFFER_OUTCOME_DUE, key, **common)
