"""Hand-off events from the customer-service platform: the agent flagged an exception
to the person, who responded and closed it. Two ways in, one set of rules: a CSV/XLSX
import (lms/services/import_files.py: encodings with preview, labels, row errors,
nothing written if any row is bad) and `ingest` for JSON (step 13 puts a token API on it).

Idempotent by external id: the same event again changes nothing; a changed one (say,
closed since the last export) is updated. Elapsed times are worked out here, once, in
calendar time and — when the business calendar knows the dates — in working hours.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from lms.models import Agent, HandoffEvent, Placement, User
from lms.services import buffer_clock, clock
from lms.services.audit import record
from lms.services.auth import normalize_email
from lms.services.buffer_clock import BufferSettings
from lms.services.business_calendar import Calendar, UnknownYear
from lms.services.business_calendar import load as load_calendar
from lms.services.import_files import RowError, Source, read_table
from lms.vocabulary import Vocabulary

COLUMNS = ("external_id", "trainee", "agent", "flagged_at", "responded_at", "closed_at", "complex", "cross_team",
           "category")
REQUIRED = ("external_id", "trainee", "agent", "flagged_at", "complex", "cross_team")
STORED = ("placement_id", "agent_id", "week", "flagged_at", "responded_at", "closed_at", "complex", "cross_team",
          "category", "response_seconds", "close_seconds", "response_work_seconds", "close_work_seconds")


@dataclass
class HandoffReport:
    errors: list[RowError] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # as they will be stored
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _written_time(text: str) -> Optional[datetime]:
    """The moment as written ('2026-02-13 12:00[:00]', ISO with T, an offset or Z), or None."""
    text = (text or "").strip().replace("/", "-")
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_time(text: str, zone: ZoneInfo) -> Optional[datetime]:
    """'2026-02-13 12:00[:00]', ISO with T, with or without an offset (none: the program's
    zone) → naive UTC; None when it is not a time or falls outside the program's dates
    (clock.in_range: year 1 or 9999 would overflow when converted)."""
    value = _written_time(text)
    if value is None or not clock.in_range(value.date()):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    try:
        return value.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    except OverflowError:  # year 1 or 9999 moved past the calendar's ends by the offset
        return None


def _time_problem(text: str):
    """Why a written time was refused: outside the program's dates, or not a time at all."""
    if _written_time(text) is not None:
        return _l("must be between %(first)s and %(last)s", first=clock.EARLIEST.isoformat(),
                  last=clock.LATEST.isoformat())
    return _l("is not a date and time like 2026-02-13 09:30")


def _seconds(start: datetime, end: Optional[datetime]) -> Optional[int]:
    return None if end is None else int((end - start).total_seconds())


def timings(calendar: Calendar, settings: BufferSettings, flagged: datetime, responded: Optional[datetime],
            closed: Optional[datetime]) -> dict[str, Optional[int]]:
    """Elapsed seconds to response and close: calendar time, and working time (None when
    the calendar does not know a date and working-hours mode is off; raises UnknownYear
    when it is on)."""
    out = {"response_seconds": _seconds(flagged, responded), "close_seconds": _seconds(flagged, closed),
           "response_work_seconds": None, "close_work_seconds": None}
    try:
        for name, end in (("response_work_seconds", responded), ("close_work_seconds", closed)):
            if end is not None:
                out[name] = calendar.working_seconds(flagged, end, settings.hours)
    except UnknownYear:
        if settings.working_hours:
            raise
        out["response_work_seconds"] = out["close_work_seconds"] = None
    return out


def _cells(event: dict[str, Any]) -> dict[str, str]:
    """A JSON event as the cells of a file row (true/false → yes/no)."""
    out = {}
    for name in COLUMNS:
        value = event.get(name)
        out[name] = ("yes" if value else "no") if isinstance(value, bool) else "" if value is None else str(value)
    return out


def _check(session: Session, cell_rows: list[tuple[int, dict[str, str]]], settings: BufferSettings,
           report: HandoffReport) -> None:
    """Every row checked against the database in a fixed number of queries."""
    words = Vocabulary()
    zone = ZoneInfo(settings.hours.timezone)
    calendar = load_calendar(session)
    emails = {normalize_email(c.get("trainee", "")) for _, c in cell_rows}
    placements = {email: p for email, p in session.execute(
        sa.select(User.email, Placement).join(Placement, Placement.trainee_id == User.id)
        .where(User.email.in_(emails)).order_by(Placement.start_date))}  # the latest placement wins
    # matched by the agent's ID on the platform (unique, case-insensitive); a name only when
    # no other agent has it (names may repeat: two versions of one agent share a name)
    all_agents = session.scalars(sa.select(Agent)).all()
    agents: dict[str, Agent] = {agent.code.casefold(): agent for agent in all_agents}
    by_id = {agent.id: agent for agent in all_agents}
    named: dict[str, list[Agent]] = {}
    for agent in all_agents:
        named.setdefault(agent.name.casefold(), []).append(agent)
    shared_names = {name for name, same in named.items() if len(same) > 1}
    for name, same in named.items():
        if len(same) == 1:
            agents.setdefault(name, same[0])
    seen: dict[str, int] = {}
    for line, cells in cell_rows:
        errors: list[RowError] = []

        def bad(column: str, message, errors=errors, line=line) -> None:
            errors.append(RowError(line, column, str(message)))

        for name in REQUIRED:
            if not cells.get(name):
                bad(name, _l("is required"))
        external_id = cells.get("external_id", "")
        if len(external_id) > 100:
            bad("external_id", _l("is longer than %(max)d characters", max=100))
        if external_id in seen:
            bad("external_id", _l("same event ID as line %(line)d", line=seen[external_id]))
        seen.setdefault(external_id, line)
        placement = placements.get(normalize_email(cells.get("trainee", "")))
        if cells.get("trainee") and placement is None:
            bad("trainee", _l("is not a placed person"))
        agent = agents.get(cells.get("agent", "").casefold())
        if cells.get("agent") and agent is None:
            if cells["agent"].casefold() in shared_names:
                bad("agent", _l("is the name of more than one agent: use the agent's ID on the platform"))
            else:
                bad("agent", _l("is not a known agent (use its ID on the platform, or a name no other agent has)"))
        elif agent is not None and placement is not None and agent.id != placement.agent_id:
            bad("agent", _l("is not the agent this person is paired with (%(code)s)",
                            code=paired.code if (paired := by_id.get(placement.agent_id)) else "—"))
        times = {}
        for name in ("flagged_at", "responded_at", "closed_at"):
            written = cells.get(name, "")
            times[name] = parse_time(written, zone) if written else None
            if written and times[name] is None:
                bad(name, _time_problem(written))
        flags = {}
        for name in ("complex", "cross_team"):
            written = cells.get(name, "")
            flags[name] = words.code("yes_no", written) if written else None
            if written and flags[name] is None:
                bad(name, words.unknown("yes_no", written))
        flagged = times["flagged_at"]
        for name in ("responded_at", "closed_at"):
            if flagged and times[name] and times[name] < flagged:
                bad(name, _l("is before the time the agent flagged it"))
        category = cells.get("category", "")
        if len(category) > 100:
            bad("category", _l("is longer than %(max)d characters", max=100))
        if flagged and placement is not None:
            local_day = flagged.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()
            if local_day < placement.start_date:
                bad("flagged_at", _l("is before this person's placement start (%(day)s)",
                                     day=placement.start_date.isoformat()))
        values: dict[str, Any] = {"external_id": external_id}
        if not errors:
            try:
                values.update(timings(calendar, settings, flagged, times["responded_at"], times["closed_at"]))
            except UnknownYear as error:
                bad("flagged_at", error.message)
        if not errors:
            values.update(
                placement_id=placement.id, agent_id=agent.id, flagged_at=flagged,
                responded_at=times["responded_at"], closed_at=times["closed_at"],
                complex=flags["complex"] == "yes", cross_team=flags["cross_team"] == "yes", category=category,
                week=buffer_clock.week_of(placement.start_date, _local_day(flagged, zone)))
        report.errors.extend(errors)
        report.rows.append((line, values))


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()


def _write(session: Session, actor: Optional[User], report: HandoffReport, via: str) -> None:
    """Insert new events and update changed ones, in bulk (no query per row)."""
    ids = [values["external_id"] for _, values in report.rows]
    existing = {e.external_id: e for e in session.scalars(
        sa.select(HandoffEvent).where(HandoffEvent.external_id.in_(ids)))}
    new = []
    for _, values in report.rows:
        event = existing.get(values["external_id"])
        if event is None:
            new.append(values)
            continue
        if all(getattr(event, name) == values[name] for name in STORED):
            report.unchanged += 1
            continue
        for name in STORED:
            setattr(event, name, values[name])
        report.updated += 1
    if new:
        session.execute(sa.insert(HandoffEvent), new)
        report.created = len(new)
    session.flush()
    if report.created or report.updated:
        record(session, actor, "handoff.import", "handoff_import", None,
               after={"via": via, "created": report.created, "updated": report.updated,
                      "unchanged": report.unchanged})


def import_events(session: Session, actor: Optional[User], source: "Source | str | list[list[str]]",
                  settings: BufferSettings, apply: bool = True) -> HandoffReport:
    """A CSV/XLSX of hand-off events: every row good or nothing written (apply=False: check only)."""
    cell_rows, errors = read_table(source, REQUIRED)
    report = HandoffReport(errors=errors)
    if not cell_rows and not errors:
        report.errors.append(RowError(1, "file", str(_l("no rows to import"))))
    _check(session, cell_rows, settings, report)
    if report.ok and apply:
        _write(session, actor, report, "file")
    return report


def ingest(session: Session, actor: Optional[User], events: list[dict[str, Any]],
           settings: BufferSettings) -> HandoffReport:
    """JSON events (a list of objects with the same fields as the file; `complex` and
    `cross_team` true/false): all good or nothing written. Row numbers count from 1."""
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        return HandoffReport(errors=[RowError(0, "file", str(_l("expected a list of events")))])
    report = HandoffReport()
    _check(session, [(i, _cells(e)) for i, e in enumerate(events, start=1)], settings, report)
    if report.ok and events:
        _write(session, actor, report, "api")
    return report


def retime(session: Session, settings: BufferSettings) -> int:
    """Work out working-hours times again (after the business calendar changed); returns
    how many events changed. Events whose dates the calendar still does not know keep None."""
    calendar = load_calendar(session)
    changed = 0
    for event in session.scalars(sa.select(HandoffEvent)):
        values = timings(calendar, BufferSettings(hours=settings.hours), event.flagged_at, event.responded_at,
                         event.closed_at)
        if (event.response_work_seconds, event.close_work_seconds) != (
                values["response_work_seconds"], values["close_work_seconds"]):
            event.response_work_seconds = values["response_work_seconds"]
            event.close_work_seconds = values["close_work_seconds"]
            changed += 1
    session.flush()
    return changed
