"""What the defect pages show, loaded in a fixed number of statements whatever the count:
the placed person's own defects, one defect with its reports, files and history, and the
triage board with its SLA clocks and filters."""

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from lms.models import (
    Agent,
    AgentDefect,
    Cohort,
    DefectEvent,
    DefectReport,
    DefectState,
    DefectType,
    Enrollment,
    Placement,
    Program,
)
from lms.services import business_calendar
from lms.services.defect_rules import Clock, DefectSettings, close_clock, response_clock

BOARD_LIMIT = 500


def scale_for(session: Session, placement: Optional[Placement] = None) -> list[dict]:
    """The severity scale of the placement's program (else of the first program)."""
    query = sa.select(Program.defect_severity)
    if placement is not None:
        query = (query.join(Cohort, Cohort.program_id == Program.id).join(Enrollment, Enrollment.cohort_id == Cohort.id)
                 .where(Enrollment.id == placement.enrollment_id))
    return session.scalar(query.limit(1)) or []


def mine(session: Session, user_id: int) -> list[AgentDefect]:
    """Defects the user reported or co-reported, newest first."""
    co = sa.select(DefectReport.defect_id).where(DefectReport.user_id == user_id)
    return list(session.scalars(
        sa.select(AgentDefect).options(joinedload(AgentDefect.agent))
        .where(sa.or_(AgentDefect.reporter_id == user_id, AgentDefect.id.in_(co)))
        .order_by(AgentDefect.created_at.desc(), AgentDefect.id.desc())))


def load(session: Session, defect_id: int) -> Optional[AgentDefect]:
    return session.scalar(
        sa.select(AgentDefect).where(AgentDefect.id == defect_id)
        .options(joinedload(AgentDefect.agent), joinedload(AgentDefect.reporter),
                 selectinload(AgentDefect.reports).joinedload(DefectReport.user), selectinload(AgentDefect.files),
                 selectinload(AgentDefect.events).joinedload(DefectEvent.actor)))


def load_many(session: Session, ids: list[int]) -> dict[int, AgentDefect]:
    """Defects by id with their reports (for the co-report policy), in two statements."""
    if not ids:
        return {}
    return {d.id: d for d in session.scalars(
        sa.select(AgentDefect).where(AgentDefect.id.in_(ids)).options(selectinload(AgentDefect.reports)))}


@dataclass
class BoardRow:
    defect: AgentDefect
    cohort: str
    co_reporters: int
    response: Clock
    close: Optional[Clock]

    @property
    def breached(self) -> bool:
        return self.response.breached or bool(self.close and self.close.breached)


@dataclass
class BoardFilters:
    agent: Optional[int] = None
    type: Optional[str] = None
    severity: Optional[str] = None
    sku: Optional[str] = None
    cohort: Optional[int] = None
    state: Optional[str] = None
    breached: bool = False

    @classmethod
    def from_args(cls, args) -> "BoardFilters":
        def number(name):
            value = args.get(name, "")
            return int(value) if value.isdigit() else None

        def choice(name, options):
            value = args.get(name, "")
            return value if value in options else None

        return cls(agent=number("agent"), type=choice("type", {t.value for t in DefectType}),
                   severity=(args.get("severity") or "")[:32] or None,
                   sku=(args.get("sku") or "").strip()[:120] or None,
                   cohort=number("cohort"), state=choice("state", {s.value for s in DefectState}),
                   breached=args.get("breached") == "1")


def board(session: Session, filters: BoardFilters, now: datetime, settings: DefectSettings) -> list[BoardRow]:
    """The triage board: filtered defects with both SLA clocks, oldest open first."""
    co = (sa.select(sa.func.count(DefectReport.id)).where(DefectReport.defect_id == AgentDefect.id)
          .scalar_subquery())
    query = (sa.select(AgentDefect, Cohort.code, co).join(Cohort, Cohort.id == AgentDefect.cohort_id)
             .options(joinedload(AgentDefect.agent), joinedload(AgentDefect.reporter)))
    if filters.agent:
        query = query.where(AgentDefect.agent_id == filters.agent)
    if filters.type:
        query = query.where(AgentDefect.type == DefectType(filters.type))
    if filters.severity:
        query = query.where(AgentDefect.severity == filters.severity)
    if filters.sku:
        query = query.where(AgentDefect.sku == filters.sku)
    if filters.cohort:
        query = query.where(AgentDefect.cohort_id == filters.cohort)
    if filters.state:
        query = query.where(AgentDefect.state == DefectState(filters.state))
    query = query.order_by(AgentDefect.closed_at.is_not(None), AgentDefect.created_at, AgentDefect.id)
    calendar = business_calendar.load(session) if settings.working_hours else None
    rows = []
    for defect, cohort, count in session.execute(query):
        rows.append(BoardRow(
            defect, cohort, count,
            response_clock(defect.created_at, defect.first_response_at, now, settings, calendar),
            close_clock(defect.complex, defect.created_at, defect.closed_at, now, settings, calendar)))
    if filters.breached:
        rows = [r for r in rows if r.breached]
    return rows[:BOARD_LIMIT]


def clocks(session: Session, defect: AgentDefect, now: datetime, settings: DefectSettings) -> BoardRow:
    """One defect's clocks, as the board computes them."""
    calendar = business_calendar.load(session) if settings.working_hours else None
    return BoardRow(defect, "", len(defect.reports),
                    response_clock(defect.created_at, defect.first_response_at, now, settings, calendar),
                    close_clock(defect.complex, defect.created_at, defect.closed_at, now, settings, calendar))


def filter_options(session: Session) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Agents and cohorts for the board's filters."""
    agents = [(r.id, r.name) for r in session.execute(sa.select(Agent.id, Agent.name).order_by(Agent.name))]
    cohorts = [(r.id, r.code) for r in session.execute(sa.select(Cohort.id, Cohort.code).order_by(Cohort.code))]
    return agents, cohorts
