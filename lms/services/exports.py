"""What HR takes away: the rows of each export, in the reader's language, codes as words.

Each function returns an `Export` (file name, sheet title, header, rows); `lms.export_files`
writes it as CSV or XLSX. Rows are read with a fixed number of statements (the gradebook's
cells and the audit log's names in batches) and yielded one by one, so a long CSV streams.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy.orm import Session, aliased

from lms import labels
from lms.models import (
    Agent,
    AgentDefect,
    AuditEvent,
    BaselineRating,
    Cohort,
    Competency,
    Contribution,
    DefectReport,
    Enrollment,
    User,
)
from lms.services import audit_changes, audit_log, dashboards, enrollment_state, gradebook, progress, standing
from lms.services.attainment_sql import scores_select
from lms.services.dashboard_training import enrollment_progress
from lms.services.report_scope import FACTS, Scope, requirements
from lms.templating import localized, zone_label

BATCH = 500  # trainees per cells statement, events per names batch


@dataclass
class Export:
    name: str  # file name without extension (ASCII)
    title: str  # the sheet's title
    header: list[str]
    rows: Iterable[list]


def _local(moment: Optional[datetime], zone: str) -> Optional[datetime]:
    if moment is None:
        return None
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def _pct(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 1)


def _timed(heading, zone: str) -> str:
    """A heading of a column of times, naming the zone they are in: "Logged at (China Time)"."""
    return str(_l("%(column)s (%(zone)s)", column=heading, zone=zone_label(zone)))


# --- roster with progress and attainment --------------------------------------------------


def roster(session: Session, cohort: Cohort, today: date, now: datetime, timezone: str) -> Export:
    """Every trainee of the cohort: mentors, standing, required work passed, tier now, intake
    baseline and attainment per competency, placement and outcome."""
    scope = Scope(cohort_id=cohort.id)
    params = standing.params(scope, today, now, timezone)
    reqs = requirements(session, [cohort.program])
    select, roster_params = dashboards.cohort_roster(cohort)
    people = session.execute(select, roster_params).all()
    standings = {r.enrollment_id: r for r in session.execute(standing.standing_select(reqs.table), params)}
    done = {r.enrollment_id: r for r in session.execute(enrollment_progress(reqs.table), params)}
    facts = {r.enrollment_id: r for r in session.execute(sa.select(FACTS), params)}
    baselines = defaultdict(dict)
    for enrollment_id, competency, score in session.execute(
            sa.select(BaselineRating.enrollment_id, BaselineRating.competency, BaselineRating.score)
            .join(Enrollment).where(Enrollment.cohort_id == cohort.id)):
        baselines[enrollment_id][competency] = score
    scores = defaultdict(dict)
    trainees = sa.select(Enrollment.trainee_id).where(Enrollment.cohort_id == cohort.id)
    for trainee_id, competency, score in session.execute(scores_select(trainees)):
        scores[trainee_id][competency] = score
    competencies = list(Competency)
    header = [str(h) for h in (_l("Name"), _l("Email"), _l("Target role"), _l("Source role"), _l("Status"),
                               _l("Why withdrawn"), _l("AI mentor"), _l("Business mentor"), _l("Standing"),
                               _l("Why at risk or behind"),
                               _l("Required assessments passed"), _l("Required assessments"), _l("Tier now"))]
    header += [str(_l("Intake: %(c)s", c=labels.competency(c))) for c in competencies]
    header += [str(_l("Now: %(c)s", c=labels.competency(c))) for c in competencies]
    header += [str(h) for h in (_l("Placed on"), _l("Placed in role"), _l("Buffer outcome"),
                                _l("Reason for the buffer outcome"), _l("Outcome if not placed"),
                                _l("Reason for the outcome if not placed"))]

    def rows() -> Iterator[list]:
        for p in people:
            s, d, f = standings.get(p.id), done.get(p.id), facts.get(p.id)
            trainee_id = f.trainee_id if f is not None else None
            if s is None:
                state, why = "—", ""
            else:
                state = labels.standing("at_risk" if s.at_risk else "behind" if s.behind else "on_track")
                why = "; ".join(labels.standing_reason(r) for r in standing.reasons(s))
            needed = reqs.tiers.get((cohort.program_id, p.target_role), [])
            tier = ""
            if d is not None:
                tier = localized(needed[d.tiers_done].title) if d.tiers_done < len(needed) else str(
                    _l("Every tier passed"))
            where = enrollment_state.state_of(p.active, bool(f and f.placed), f and f.buffer_outcome,
                                              f and f.training_outcome)
            yield ([p.name, p.email, labels.target_role(cohort.program, p.target_role),
                    labels.source_role(p.source_role), labels.enrollment_status(where, p.withdrawn_on),
                    (p.withdrawn_reason or "") if not p.active else "",
                    p.ai_mentor or "", p.business_mentor or "", state, why,
                    d.passed if d else 0, d.required if d else 0, tier]
                   + [baselines[p.id].get(c) for c in competencies]
                   + [_pct(scores[trainee_id].get(c)) for c in competencies]
                   + ([f.placed_on, labels.target_role(cohort.program, f.placed_role) if f.placed_role else "",
                       labels.buffer_outcome(f.buffer_outcome) if f.buffer_outcome else "",
                       labels.reason_code(f.buffer_reason) if f.buffer_reason else "",
                       labels.training_outcome(f.training_outcome) if f.training_outcome else "",
                       labels.reason_code(f.training_reason) if f.training_reason else ""]
                      if f is not None else [""] * 6))

    return Export(f"roster-{cohort.code}", str(_l("Roster")), header, rows())


# --- gradebook ------------------------------------------------------------------------------


def gradebook_export(session: Session, cohort: Cohort, today: date, zone: str) -> Export:
    """Every trainee × every assessment: status (late marked), best score, attempts."""
    tiers = progress.load_outline(session, cohort.program)
    cols = gradebook.columns(tiers, cohort.program, cohort.start_date)
    people = gradebook.sort_rows(session.execute(gradebook.rows_select(False, False), {"cohort_id": cohort.id}).all(),
                                 "name", False)
    header = [str(_l("Name")), str(_l("Email")), str(_l("Target role"))]
    # Translators: a column counting the attempts handed in (提交次数), not a list of them
    words = [str(_l("Status")), str(_l("Best score")), pgettext("count", "Attempts")]
    for col in cols:
        title = localized(col.assessment.title)
        header += [f"{title} · {word}" for word in words]
    late = str(_l("handed in late"))
    no_count = ("not_taken", "ended")

    def rows() -> Iterator[list]:
        for start in range(0, len(people), BATCH):
            batch = people[start:start + BATCH]
            cells = gradebook.cells(session, batch, cols, today, zone)
            for p in batch:
                row = [p.name, p.email, labels.target_role(cohort.program, p.target_role)]
                for col in cols:
                    cell = cells[(p.id, col.assessment.id)]
                    status = labels.gradebook_status(cell.status)
                    row += [labels.with_note(status, late) if cell.late else status, cell.best,
                            cell.attempts if cell.status not in no_count else None]
                yield row

    return Export(f"gradebook-{cohort.code}", str(_l("Gradebook")), header, rows())


# --- agent defects ------------------------------------------------------------------------------

_co_reporters = (sa.select(sa.func.count(DefectReport.id)).where(DefectReport.defect_id == AgentDefect.id)
                 .scalar_subquery())
_DEFECTS = (sa.select(AgentDefect, Agent.name, User.name, Cohort.code, _co_reporters)
            .join(Agent, Agent.id == AgentDefect.agent_id).join(User, User.id == AgentDefect.reporter_id)
            .join(Cohort, Cohort.id == AgentDefect.cohort_id).order_by(AgentDefect.created_at, AgentDefect.id))


def defects(session: Session, cohort: Optional[Cohort], scale: list, zone: str) -> Export:
    """Every defect (of one cohort's people, or all), excerpts as stored: masked."""
    query = _DEFECTS if cohort is None else _DEFECTS.where(AgentDefect.cohort_id == cohort.id)
    header = [str(h) for h in (
        _l("Defect number"), _l("Cohort"), _l("Agent"), _l("Reporter"), _l("Co-reporters"), _l("Defect type"),
        _l("Intent"), _l("Severity"), _l("State"), _l("Platform"), _l("SKU or campaign"),
        _l("Knowledge-base entry"), _l("Reach"))]
    header += [_timed(h, zone) for h in (_l("Seen at"), _l("Logged at"), _l("First response at"), _l("Closed at"),
                                         _l("Verified at"))]
    header += [str(h) for h in (_l("Duplicate of"), _l("Recurrence of"), _l("Why rejected"),
                                _l("Conversation excerpt"), _l("What the agent said"), _l("What it should have said"))]

    def rows() -> Iterator[list]:
        for d, agent, reporter, code, co in session.execute(query).yield_per(BATCH):
            yield [d.id, code, agent, reporter, co, labels.defect_type(d.type), d.intent,
                   labels.severity(scale, d.severity), str(labels.DEFECT_STATES.get(d.state.value, "—")),
                   d.platform, d.sku, d.kb_entry, d.reach, _local(d.seen_at, zone), _local(d.created_at, zone),
                   _local(d.first_response_at, zone), _local(d.closed_at, zone), _local(d.verified_at, zone),
                   d.duplicate_of_id, d.recurrence_of_id, d.reject_reason, d.excerpt, d.agent_said, d.should_say]

    name = f"defects-{cohort.code}" if cohort else "defects"
    return Export(name, str(_l("Agent defects")), header, rows())


# --- contributions and awards ----------------------------------------------------------------------

_measurer, _approver = aliased(User), aliased(User)
_CONTRIBUTIONS = (
    sa.select(Contribution, User.name, Cohort.code, _measurer.name, _approver.name)
    .join(User, User.id == Contribution.contributor_id).join(Cohort, Cohort.id == Contribution.cohort_id)
    .outerjoin(_measurer, _measurer.id == Contribution.measured_by_id)
    .outerjoin(_approver, _approver.id == Contribution.approved_by_id)
    .order_by(Contribution.submitted_at, Contribution.id))


def contributions(session: Session, cohort: Optional[Cohort], zone: str) -> Export:
    query = _CONTRIBUTIONS if cohort is None else _CONTRIBUTIONS.where(Contribution.cohort_id == cohort.id)
    header = [str(h) for h in (
        _l("Contribution number"), _l("Cohort"), _l("Contributor"), _l("Category"), _l("Title"), _l("State"),
        _l("From defect"))]
    header += [_timed(_l("Submitted at"), zone), _timed(_l("Adopted at"), zone)]
    header += [str(h) for h in (
        _l("Release day"), _l("Window (days)"), _l("Efficiency before"), _l("Efficiency after"),
        _l("Error rate before"), _l("Error rate after"), _l("Measured by"), _l("Award (CNY)"),
        _l("Promotion points"), _l("Approved by"), _l("Payout"))]
    header.append(_timed(_l("Paid at"), zone))

    def rows() -> Iterator[list]:
        for c, contributor, code, measurer, approver in session.execute(query).yield_per(BATCH):
            yield [c.id, code, contributor, labels.contribution_category(c.category), c.title,
                   labels.contribution_state(c.state), c.defect_id, _local(c.submitted_at, zone),
                   _local(c.adopted_at, zone), c.release_on, c.window_days, c.efficiency_before, c.efficiency_after,
                   c.error_before, c.error_after, measurer, c.band_cny, c.points, approver,
                   labels.payout(c.payout) if c.payout else "", _local(c.paid_at, zone)]

    name = f"contributions-{cohort.code}" if cohort else "contributions"
    return Export(name, str(_l("Contributions and awards")), header, rows())


# --- audit log ----------------------------------------------------------------------------------------


def audit(session: Session, filters: audit_log.AuditFilter, scale: list) -> Export:
    """The filtered audit log, newest first, each event as the audit page says it: its sentence,
    the record by its name, and what changed as "field: old → new" (never the stored JSON)."""
    zone = filters.timezone
    header = [_timed(_l("When"), zone)] + [str(h) for h in (_l("Who"), _l("What happened"), _l("Record"),
                                                            _l("Changes"))]

    def rows() -> Iterator[list]:
        batch: list[AuditEvent] = []
        for event in session.scalars(audit_log.events(filters)).yield_per(BATCH):
            batch.append(event)
            if len(batch) == BATCH:
                yield from _audit_rows(session, batch, zone, scale)
                batch = []
        if batch:
            yield from _audit_rows(session, batch, zone, scale)

    return Export("audit-log", str(_l("Audit log")), header, rows())


def _audit_rows(session: Session, events: list[AuditEvent], zone: str, scale: list) -> Iterator[list]:
    found = audit_changes.names(session, events)
    for line in audit_log.lines(session, events):
        e = line.event
        kind = audit_log.SUBJECT_TYPES.get(e.subject_type)
        record = line.subject.label if line.subject is not None else str(kind) if kind is not None else ""
        yield [_local(e.at, zone), e.actor.name if e.actor else str(_l("The system")), line.sentence,
               record, audit_changes.changes(e, found, scale, zone)]
