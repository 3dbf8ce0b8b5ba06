"""Collaboration metrics of the buffer period (the seed's composite indicators), per
placed person and buffer week, computed by the database from hand-off events:

- 协同响应时效: share of events a person responded to within the response threshold
  (≤: exactly 30:00 counts, 30:01 does not) and share of complex cases closed within
  the close threshold; median response time.
- 跨团队闭环率: of the events that crossed teams, the share that closed.

Two statements however many events: the aggregates, and the medians (window functions,
which SQLite and PostgreSQL both have). Times are the calendar or working-hours columns
stored at import, as the settings say.
"""

from dataclasses import dataclass, replace
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import HandoffEvent
from lms.services.buffer_clock import BufferSettings


@dataclass(frozen=True)
class WeekMetrics:
    placement_id: int
    week: int
    events: int
    responded_within: int
    complex_events: int
    complex_closed_within: int
    cross_team_events: int
    cross_team_closed: int
    median_response_seconds: Optional[float]

    @staticmethod
    def _share(part: int, whole: int) -> Optional[float]:
        return round(100 * part / whole, 1) if whole else None

    @property
    def response_share(self) -> Optional[float]:
        """% of events responded to within the threshold (no response: not within)."""
        return self._share(self.responded_within, self.events)

    @property
    def complex_share(self) -> Optional[float]:
        return self._share(self.complex_closed_within, self.complex_events)

    @property
    def cross_team_rate(self) -> Optional[float]:
        return self._share(self.cross_team_closed, self.cross_team_events)


def _columns(settings: BufferSettings):
    if settings.working_hours:
        return HandoffEvent.response_work_seconds, HandoffEvent.close_work_seconds
    return HandoffEvent.response_seconds, HandoffEvent.close_seconds


def _count(condition) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def weekly(session: Session, settings: BufferSettings,
           placement_ids: Optional[list[int]] = None) -> dict[int, list[WeekMetrics]]:
    """placement id → its weeks with events, in week order."""
    response, _close = _columns(settings)
    where = [] if placement_ids is None else [HandoffEvent.placement_id.in_(placement_ids)]
    totals = session.execute(
        sa.select(HandoffEvent.placement_id, HandoffEvent.week, *_aggregates(settings))
        .where(*where).group_by(HandoffEvent.placement_id, HandoffEvent.week)
    ).all()
    medians = _medians(session, response, where)
    out: dict[int, list[WeekMetrics]] = {}
    for pid, week, *numbers in sorted(totals, key=lambda r: (r[0], r[1])):
        out.setdefault(pid, []).append(WeekMetrics(pid, week, *map(int, numbers), medians.get((pid, week))))
    return out


def _aggregates(settings: BufferSettings) -> tuple:
    """Events, responded within, complex, complex closed within, cross-team, cross-team closed."""
    response, close = _columns(settings)
    return (sa.func.count(),
            _count(response <= settings.response_minutes * 60),
            _count(HandoffEvent.complex.is_(True)),
            _count(sa.and_(HandoffEvent.complex.is_(True), close <= settings.complex_close_hours * 3600)),
            _count(HandoffEvent.cross_team.is_(True)),
            _count(sa.and_(HandoffEvent.cross_team.is_(True), HandoffEvent.closed_at.is_not(None))))


def by_buffer_week(session: Session, settings: BufferSettings, placements: sa.Select,
                   params: dict) -> tuple[list[WeekMetrics], Optional[WeekMetrics]]:
    """Every placement `placements` selects (one column of ids; bound `params`), together: the
    figures per buffer week and for the whole period, medians included (three statements)."""
    totals, medians = _scoped(settings, placements)
    weeks = [WeekMetrics(0, week, *map(int, numbers), None) for week, *numbers in session.execute(totals, params)]
    weekly, middle_sum, middle_n = {}, 0.0, 0
    for week, median, whole_sum, whole_n in session.execute(medians, params):
        if median is not None:
            weekly[week] = float(median)
        middle_sum, middle_n = middle_sum + float(whole_sum or 0), middle_n + int(whole_n or 0)
    weeks = [replace(w, median_response_seconds=weekly.get(w.week)) for w in weeks]
    whole = overall(weeks)
    if whole is not None:
        whole = replace(whole, median_response_seconds=middle_sum / middle_n if middle_n else None)
    return weeks, whole


_SCOPED: dict = {}


def _scoped(settings: BufferSettings, placements: sa.Select) -> tuple:
    """`by_buffer_week`'s three selects, built once per settings and placements select
    (working out a select's cache key costs about as much as running it)."""
    key = (settings, id(placements))
    found = _SCOPED.get(key)
    if found is None or found[0] is not placements:
        response, _close = _columns(settings)
        where = [HandoffEvent.placement_id.in_(placements)]
        totals = (sa.select(HandoffEvent.week, *_aggregates(settings)).where(*where)
                  .group_by(HandoffEvent.week).order_by(HandoffEvent.week))
        found = _SCOPED[key] = (placements, totals, _week_and_whole_medians(response, where))
    return found[1:]


def _week_and_whole_medians(response, where) -> sa.Select:
    """Per week: its median, and the sum and count of the whole period's middle rows that fall in
    it (added up across weeks, they give the whole period's median): one pass, two orderings."""
    ranked = (
        sa.select(HandoffEvent.week.label("week"), response.label("secs"),
                  sa.func.row_number().over(partition_by=HandoffEvent.week, order_by=response).label("rn"),
                  sa.func.count().over(partition_by=HandoffEvent.week).label("n"),
                  sa.func.row_number().over(order_by=response).label("rn_all"),
                  sa.func.count().over().label("n_all"))
        .where(response.is_not(None), *where).subquery())
    r = ranked.c
    in_week = sa.or_(r.rn == (r.n + 1) // 2, r.rn == (r.n + 2) // 2)
    in_whole = sa.or_(r.rn_all == (r.n_all + 1) // 2, r.rn_all == (r.n_all + 2) // 2)
    return (sa.select(r.week, sa.func.avg(sa.case((in_week, r.secs))),
                      sa.func.sum(sa.case((in_whole, r.secs))), sa.func.count(sa.case((in_whole, 1))))
            .group_by(r.week))


def _median_select(response, where, part) -> sa.Select:
    """The median response per `part` columns (none: over every row): the middle row (or the
    mean of the two middle rows) of the responded events ordered by response time."""
    ranked = (
        sa.select(*(c.label(f"p{i}") for i, c in enumerate(part)), response.label("secs"),
                  sa.func.row_number().over(partition_by=part or None, order_by=response).label("rn"),
                  sa.func.count().over(partition_by=part or None).label("n"))
        .where(response.is_not(None), *where).subquery()
    )
    keys = [ranked.c[f"p{i}"] for i in range(len(part))]
    return (sa.select(*keys, sa.func.avg(ranked.c.secs))
            .where(sa.or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2))
            .group_by(*keys))


def _medians(session: Session, response, where) -> dict[tuple[int, int], float]:
    """The median response per placement and week."""
    rows = session.execute(_median_select(response, where, (HandoffEvent.placement_id, HandoffEvent.week)))
    return {(pid, week): float(avg) for pid, week, avg in rows}


def overall(weeks: list[WeekMetrics]) -> Optional[WeekMetrics]:
    """The whole period so far, from the weekly rows (median: not combinable, left out)."""
    if not weeks:
        return None
    sums = [sum(getattr(w, f) for w in weeks) for f in (
        "events", "responded_within", "complex_events", "complex_closed_within", "cross_team_events",
        "cross_team_closed")]
    return WeekMetrics(weeks[0].placement_id, 0, *sums, None)
