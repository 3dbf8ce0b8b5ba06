"""Weekly 1:1 check-ins of the buffer period: the coach logs one per week per placed
person, the person may add their own note; weeks that ended without one are gaps.

The lists here cost a fixed number of queries however many people a coach has: the
placements in one, the check-in weeks of all of them in another.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from lms.models import BufferOutcome, CheckIn, Placement, User
from lms.permissions import may_coach, may_note_checkin
from lms.services import Conflict, DomainError, buffer_clock
from lms.services.audit import record

MAX_TEXT = 2000
MAX_ACTIONS = 5


def _logged_weeks(session: Session, placement_ids: list[int]) -> dict[int, set[int]]:
    weeks: dict[int, set[int]] = defaultdict(set)
    if placement_ids:
        for pid, week in session.execute(sa.select(CheckIn.placement_id, CheckIn.week)
                                         .where(CheckIn.placement_id.in_(placement_ids))):
            weeks[pid].add(week)
    return weeks


def gaps_of(placement: Placement, logged: set[int], today: date) -> list[int]:
    """Ended weeks without a check-in, up to the day the buffer closed (or today)."""
    until = min(today, placement.outcome_on) if placement.closed and placement.outcome_on else today
    return buffer_clock.gaps(placement.start_date, placement.buffer_end, until, logged)


@dataclass
class CoachRow:
    placement: Placement
    day: int
    length: int
    week: int
    logged: set[int] = field(default_factory=set)
    gaps: list[int] = field(default_factory=list)

    @property
    def this_week_done(self) -> bool:
        return self.week in self.logged


def coach_rows(session: Session, coach_id: Optional[int], today: date, open_only: bool = True,
               lead_email: Optional[str] = None) -> list[CoachRow]:
    """The placed people a coach (None: every coach) has, or a team lead receives, with buffer
    day and gaps: two queries."""
    stmt = (sa.select(Placement)
            .options(joinedload(Placement.trainee), joinedload(Placement.agent), joinedload(Placement.coach))
            .order_by(Placement.start_date, Placement.id))
    if coach_id is not None:
        stmt = stmt.where(Placement.coach_id == coach_id)
    if lead_email is not None:
        stmt = stmt.where(sa.func.lower(Placement.lead_email) == lead_email.lower())
    if open_only:
        stmt = stmt.where(sa.or_(Placement.outcome.is_(None), Placement.outcome == BufferOutcome.EXTENDED))
    placements = session.scalars(stmt).all()
    logged = _logged_weeks(session, [p.id for p in placements])
    rows = []
    for p in placements:
        weeks = logged.get(p.id, set())
        rows.append(CoachRow(p, buffer_clock.day_of(p.start_date, today), buffer_clock.length(p.start_date,
                                                                                               p.buffer_end),
                             min(buffer_clock.week_of(p.start_date, today),
                                 buffer_clock.weeks_total(p.start_date, p.buffer_end)),
                             weeks, gaps_of(p, weeks, today)))
    return rows


def _int(values: dict, name: str, low: int, high: int) -> int:
    value = values.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DomainError(_l("must be a whole number from %(low)d to %(high)d", low=low, high=high), field=name)
    return value


def _text(values: dict, name: str) -> str:
    value = (values.get(name) or "").strip()
    if not value:
        raise DomainError(_l("is required"), field=name)
    if len(value) > MAX_TEXT:
        raise DomainError(_l("is longer than %(max)d characters", max=MAX_TEXT), field=name)
    return value


def _actions(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for i, item in enumerate(items[:MAX_ACTIONS]):
        action, owner = (item.get("action") or "").strip(), (item.get("owner") or "").strip()
        if not action and not owner:
            continue
        if not action or not owner:
            raise DomainError(_l("Write the action and who owns it."), field=f"actions-{i}")
        if len(action) > 300 or len(owner) > 120:
            raise DomainError(_l("is longer than %(max)d characters", max=300), field=f"actions-{i}")
        out.append({"action": action, "owner": owner})
    return out


COACH_FIELDS = ("agent_share", "handoffs", "went_well", "hard", "wellbeing", "actions")


def version_of(checkin: Optional[CheckIn]) -> str:
    """A fingerprint of the coach's answers on a check-in ("" for a week not logged yet): the
    form carries it, and a save whose fingerprint no longer matches was made on stale answers.
    The person's own note is not part of it, so their note never makes the coach's edit stale."""
    if checkin is None:
        return ""
    payload = json.dumps([getattr(checkin, k) for k in COACH_FIELDS], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def save_checkin(session: Session, actor: User, placement: Placement, values: dict[str, Any],
                 today: date) -> CheckIn:
    """Log (or correct) the check-in of one buffer week. Only the placement's coach; only
    weeks begun so far; wellbeing 1–5; actions each with an owner. With `values["version"]`
    (what the form was filled from: `version_of`), a save made on other answers is refused."""
    if not may_coach(actor, placement):
        raise DomainError(_l("Only the buffer coach logs check-ins."))
    if placement.closed:
        raise DomainError(_l("This buffer period is over."))
    week = values.get("week")
    if week not in buffer_clock.open_weeks(placement.start_date, placement.buffer_end, today):
        raise DomainError(_l("Choose a week of the buffer period that has begun."), field="week")
    clean = {
        "agent_share": _int(values, "agent_share", 0, 100),
        "handoffs": _int(values, "handoffs", 0, 10000),
        "went_well": _text(values, "went_well"),
        "hard": _text(values, "hard"),
        "wellbeing": _int(values, "wellbeing", 1, 5),
        "actions": _actions(values.get("actions") or []),
    }
    row = session.scalar(sa.select(CheckIn).where(CheckIn.placement_id == placement.id, CheckIn.week == week))
    if "version" in values and (values.get("version") or "") != version_of(row):
        # the form was filled from other answers than the week holds now: never write over them
        raise Conflict(_l("Week %(n)d was changed since this form was opened; its saved answers are in the "
                          "list below. Your text is kept: save again to replace them.", n=week))
    if row is None:
        row = CheckIn(placement_id=placement.id, week=week, coach_id=actor.id, **clean)
        session.add(row)
        action = "checkin.create"
    else:
        for key, value in clean.items():
            setattr(row, key, value)
        action = "checkin.update"
    session.flush()
    record(session, actor, action, "enrollment", placement.enrollment_id,
           after={"week": week, "wellbeing": clean["wellbeing"], "agent_share": clean["agent_share"]})
    return row


def add_trainee_note(session: Session, actor: User, checkin: CheckIn, note: str) -> None:
    """The placed person's own words on a check-in (replacing their earlier note)."""
    if not may_note_checkin(actor, checkin):
        raise DomainError(_l("Only the person checked in with adds a note."))
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise DomainError(_l("is longer than %(max)d characters", max=MAX_TEXT), field="note")
    checkin.trainee_note = note or None
    session.flush()
    record(session, actor, "checkin.note", "enrollment", checkin.placement.enrollment_id,
           after={"week": checkin.week})
