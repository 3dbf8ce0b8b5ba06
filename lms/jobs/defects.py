"""Defect service levels, every few minutes: a running clock past its limit (first response,
or a complex defect's fix-or-close) goes to the reviewers at once, urgent; still past it
DEFECT_ESCALATE_HOURS after the breach, the defect is escalated to the admins, urgent, and
needs an interim note before it moves again (lms/services/defects.py). Clocks are the
triage board's (lms/services/defect_rules.py), calendar or working time alike."""

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from lms.jobs.context import JobContext
from lms.models import AgentDefect, Cohort, NotificationKind
from lms.models.base import utcnow
from lms.services import business_calendar
from lms.services.audit import record
from lms.services.defect_rules import OPEN_STATES, Clock, close_clock, response_clock
from lms.services.outbox import admin_ids, reviewer_ids


@dataclass(frozen=True)
class Breach:
    defect: AgentDefect
    clock_name: str  # response | close
    clock: Clock
    escalate: bool  # still breached after the escalation window


def breaches(ctx: JobContext) -> Iterator[Breach]:
    """Every running SLA clock of an open defect that is past its limit now."""
    settings = ctx.settings.defects
    defects = ctx.session.scalars(
        sa.select(AgentDefect).where(AgentDefect.state.in_(OPEN_STATES), sa.or_(
            AgentDefect.first_response_at.is_(None),
            sa.and_(AgentDefect.complex.is_(True), AgentDefect.closed_at.is_(None))))
        .order_by(AgentDefect.id)).all()
    calendar = business_calendar.load(ctx.session) if settings.working_hours and defects else None
    window = ctx.settings.escalate_hours * 3600
    for d in defects:
        clocks = (("response", response_clock(d.created_at, d.first_response_at, ctx.now, settings, calendar)),
                  ("close", close_clock(d.complex, d.created_at, d.closed_at, ctx.now, settings, calendar)))
        for name, clock in clocks:
            if clock is not None and not clock.done and clock.breached:
                yield Breach(d, name, clock, clock.seconds > clock.limit + window)


def defect_sla(ctx: JobContext) -> None:
    found = list(breaches(ctx))
    if not found:
        return
    reviewers, admins = reviewer_ids(ctx.session), admin_ids(ctx.session)
    programs = dict(ctx.session.execute(sa.select(Cohort.id, Cohort.program_id).where(
        Cohort.id.in_({b.defect.cohort_id for b in found}))).all())
    ctx.outbox.prime([*reviewers, *admins])
    for b in found:
        d, key = b.defect, f"{b.defect.id}:{b.clock_name}"
        common = {"program_id": programs[d.cohort_id], "defect_id": d.id, "clock": b.clock_name,
                  "limit": b.clock.limit // (60 if b.clock_name == "response" else 3600)}
        for user_id in reviewers:
            ctx.notify(user_id, NotificationKind.DEFECT_SLA_BREACHED, key, urgent=True, **common)  # URGENT_KINDS
        if not b.escalate:
            continue
        stamp = f"{b.clock_name}_escalated_at"
        if getattr(d, stamp) is None:
            setattr(d, stamp, utcnow())
            record(ctx.session, None, "defect.escalate", "defect", d.id,
                   after={"clock": b.clock_name, "minutes": b.clock.minutes})
            ctx.count("escalated")
        for user_id in admins:
            ctx.notify(user_id, NotificationKind.DEFECT_ESCALATED, key, urgent=True,
                       hours=ctx.settings.escalate_hours, **common)
    ctx.session.flush()
