"""Hand-off events and the collaboration metrics: thresholds at the second, working hours
over 调休, idempotent imports, a year the calendar does not know, statement counts."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from lms.extensions import db
from lms.models import CalendarOverride, DayKind, HandoffEvent, Placement
from lms.services import business_calendar, collaboration_metrics, handoffs
from lms.services.buffer_clock import BufferSettings
from lms.services.business_calendar import Calendar, UnknownYear, WorkingHours
from tests.buffer_fixtures import place

CALENDAR = BufferSettings()
WORKING = BufferSettings(working_hours=True)
HEADER = "external_id,trainee,agent,flagged_at,responded_at,closed_at,complex,cross_team,category\n"


@pytest.fixture
def placed(app, trainee_with_mentors):
    with app.app_context():
        pid = place(db.session, trainee_with_mentors.enrollment_id, date(2026, 2, 2))
    return pid, trainee_with_mentors.trainee.email


def _import(text, settings=CALENDAR):
    report = handoffs.import_events(db.session, None, text, settings)
    assert report.ok, report.errors
    db.session.commit()
    return report


def test_response_share_counts_exactly_30_00_and_not_30_01(app, placed):
    pid, email = placed
    with app.app_context():
        _import(HEADER + f"E1,{email},cs-bot,2026-02-03 10:00:00,2026-02-03 10:30:00,,否,否,退款\n"
                         f"E2,{email},cs-bot,2026-02-03 11:00:00,2026-02-03 11:30:01,,no,no,退款\n")
        (week,) = collaboration_metrics.weekly(db.session, CALENDAR)[pid]
        assert (week.week, week.events, week.responded_within) == (1, 2, 1)
        assert week.response_share == 50.0
        assert week.median_response_seconds == 1800.5


def test_complex_case_closed_over_a_make_up_saturday_in_working_hours(app, placed):
    """Fri 2026-02-13 12:00 → Sat 2026-02-14 17:00 (a 调休 workday before Spring Festival): 29 h of
    calendar time, but 6 h + 8 h = 14 working hours; an ordinary weekend does not count."""
    pid, email = placed
    with app.app_context():
        _import(HEADER + f"C1,{email},cs-bot,2026-02-13 12:00,2026-02-13 12:10,2026-02-14 17:00,是,否,投诉\n"
                         f"C2,{email},cs-bot,2026-02-06 17:50,2026-02-09 09:15,2026-02-09 17:00,是,否,投诉\n")
        c1 = db.session.scalar(sa.select(HandoffEvent).where(HandoffEvent.external_id == "C1"))
        assert c1.close_seconds == 29 * 3600 and c1.close_work_seconds == 14 * 3600
        c2 = db.session.scalar(sa.select(HandoffEvent).where(HandoffEvent.external_id == "C2"))
        assert c2.response_work_seconds == 25 * 60  # Fri 17:50–18:00 and Mon 09:00–09:15; Sat 7 Feb is rest
        by_week = {w.week: w for w in collaboration_metrics.weekly(db.session, WORKING)[pid]}
        assert by_week[2].complex_closed_within == 1 and by_week[2].complex_events == 1
        assert by_week[1].responded_within == 1  # 25 working minutes
        calendar_weeks = {w.week: w for w in collaboration_metrics.weekly(db.session, CALENDAR)[pid]}
        assert calendar_weeks[2].complex_closed_within == 0  # 29 h > 24 h
        assert calendar_weeks[1].responded_within == 0


def test_calendar_knows_make_up_workdays_and_holidays():
    calendar = Calendar({})
    assert calendar.is_workday(date(2026, 2, 14))  # Saturday, 调休
    assert not calendar.is_workday(date(2026, 2, 16))  # Spring Festival
    assert not calendar.is_workday(date(2026, 2, 7))  # an ordinary Saturday
    hours = WorkingHours("Asia/Shanghai")
    # 2026-10-09 Fri 10:00 → 2026-10-10 Sat (调休) 10:00 local = 02:00 UTC each day
    assert calendar.working_seconds(datetime(2026, 10, 9, 2), datetime(2026, 10, 10, 2), hours) == 9 * 3600


def test_a_year_the_package_does_not_know_is_said_not_guessed(app, placed):
    with pytest.raises(UnknownYear) as unknown:
        Calendar({}).is_workday(date(2099, 3, 2))
    assert unknown.value.year == 2099 and "2099" in unknown.value.message
    # an admin's overrides for that year make it theirs: listed days as said, Mon–Fri otherwise
    calendar = Calendar({date(2099, 3, 2): DayKind.HOLIDAY})
    assert not calendar.is_workday(date(2099, 3, 2)) and calendar.is_workday(date(2099, 3, 3))
    pid, email = placed
    with app.app_context():
        line = f"Y1,{email},cs-bot,2099-03-02 10:00,2099-03-02 10:05,,否,否,退款\n"
        refused = handoffs.import_events(db.session, None, HEADER + line, WORKING)
        assert not refused.ok and "2099" in refused.errors[0].message
        assert handoffs.import_events(db.session, None, HEADER + line, CALENDAR).ok  # calendar mode: fine
        db.session.rollback()
        db.session.add(CalendarOverride(day=date(2099, 3, 2), kind=DayKind.HOLIDAY))
        db.session.flush()
        assert business_calendar.load(db.session).is_workday(date(2099, 3, 2)) is False


def test_a_time_far_outside_the_programs_dates_is_a_row_error_not_an_overflow(app, placed):
    """Found by the fuzz (tests/test_fuzz_imports.py): year 1 in Shanghai is before year 1 in UTC."""
    _, email = placed
    with app.app_context(), force_locale("en"):
        report = handoffs.import_events(db.session, None, HEADER + (
            f"F1,{email},cs-bot,0001-01-01 00:00,9999-12-31T23:59-14:00,,否,否,\n"
            f"F2,{email},cs-bot,2026-02-03 10:00,soon,,否,否,\n"), CALENDAR)
        assert [(e.row, e.field, e.message) for e in report.errors] == [
            (2, "flagged_at", "must be between 2000-01-01 and 2100-12-31"),
            (2, "responded_at", "must be between 2000-01-01 and 2100-12-31"),
            (3, "responded_at", "is not a date and time like 2026-02-13 09:30")]


def test_reimporting_the_same_events_changes_nothing(app, placed):
    pid, email = placed
    text = HEADER + (f"R1,{email},cs-bot,2026-02-03 10:00,2026-02-03 10:20,2026-02-03 12:00,否,是,物流\n"
                     f"R2,{email},小蜜客服助手,2026-02-04 10:00,,,Yes,No,退款\n")
    with app.app_context():
        first = _import(text)
        assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
        again = _import(text)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
        closed = _import(text.replace("2026-02-04 10:00,,,", "2026-02-04 10:00,2026-02-04 10:05,,"))
        assert (closed.created, closed.updated, closed.unchanged) == (0, 1, 1)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HandoffEvent)) == 2
        json_again = handoffs.ingest(db.session, None, [{
            "external_id": "R1", "trainee": email, "agent": "cs-bot", "flagged_at": "2026-02-03T02:00:00Z",
            "responded_at": "2026-02-03T10:20:00+08:00", "closed_at": "2026-02-03 12:00", "complex": False,
            "cross_team": True, "category": "物流"}], CALENDAR)
        assert json_again.ok and json_again.unchanged == 1 and json_again.created == 0


def test_a_bad_row_writes_nothing_and_names_the_problem(app, placed):
    pid, email = placed
    with app.app_context():
        report = handoffs.import_events(db.session, None, HEADER + (
            f"B1,{email},cs-bot,2026-02-03 10:00,,,否,否,退款\n"
            f"B2,nobody@example.com,cs-bot,2026-02-03 10:00,,,maybe,否,退款\n"
            f"B3,{email},cs-bot,2026-02-03 10:00,2026-02-03 09:00,,否,否,退款\n"), CALENDAR)
        assert {(e.row, e.field) for e in report.errors} == {(3, "trainee"), (3, "complex"), (4, "responded_at")}
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HandoffEvent)) == 0


def test_cross_team_closure_rate(app, placed):
    pid, email = placed
    with app.app_context():
        _import(HEADER + f"X1,{email},cs-bot,2026-02-03 10:00,2026-02-03 10:05,2026-02-03 15:00,否,是,物流\n"
                         f"X2,{email},cs-bot,2026-02-03 11:00,2026-02-03 11:05,,否,是,物流\n"
                         f"X3,{email},cs-bot,2026-02-03 12:00,2026-02-03 12:05,,否,否,物流\n")
        (week,) = collaboration_metrics.weekly(db.session, CALENDAR)[pid]
        assert (week.cross_team_events, week.cross_team_closed, week.cross_team_rate) == (2, 1, 50.0)


def _bulk(pid: int, agent_id: int, n: int) -> None:
    start = datetime(2026, 2, 2, 2)
    db.session.execute(sa.insert(HandoffEvent), [
        {"external_id": f"N{i}", "placement_id": pid, "agent_id": agent_id, "week": 1 + (i % 12),
         "flagged_at": start + timedelta(minutes=i), "responded_at": start + timedelta(minutes=i + i % 45),
         "closed_at": None, "complex": i % 3 == 0, "cross_team": i % 5 == 0, "category": "退款",
         "response_seconds": (i % 45) * 60, "close_seconds": None, "response_work_seconds": None,
         "close_work_seconds": None} for i in range(n)])
    db.session.commit()


def test_metrics_statements_constant_at_100_and_10000_events(app, placed, count_queries):
    pid, _ = placed
    with app.app_context():
        agent_id = db.session.get(Placement, pid).agent_id
        counts = []
        for n, offset in ((100, 0), (9900, 100)):
            db.session.execute(sa.delete(HandoffEvent))
            _bulk(pid, agent_id, n + offset)
            with count_queries() as counter:
                weeks = collaboration_metrics.weekly(db.session, CALENDAR)[pid]
            assert sum(w.events for w in weeks) == n + offset
            counts.append(len(counter.statements))
        assert counts[0] == counts[1] == 2


def test_handoff_rows_for_an_agent_the_person_is_not_paired_with_are_refused(app, trainee_with_mentors):
    """Agents are matched by their ID on the platform, or a name no other agent has; a row naming
    another agent than the person's paired one is refused with its line and a clear message."""
    from datetime import date as _date

    from flask_babel import force_locale

    from lms.models import User
    from lms.services.buffer_clock import BufferSettings
    from tests.buffer_fixtures import make_agent, place

    with app.app_context():
        place(db.session, trainee_with_mentors.enrollment_id, _date(2026, 2, 2))
        make_agent(db.session, code="other-bot", name="小蜜客服助手")  # same name, another agent
        db.session.commit()
        email = db.session.get(User, trainee_with_mentors.trainee.id).email
        with force_locale("en"):
            report = handoffs.import_events(db.session, None, HEADER
                                            + f"P1,{email},cs-bot,2026-02-03 10:00,2026-02-03 10:05,,否,否,退款\n"
                                            + f"P2,{email},other-bot,2026-02-03 11:00,2026-02-03 11:05,,否,否,退款\n"
                                            + f"P3,{email},小蜜客服助手,2026-02-03 12:00,,,否,否,退款\n",
                                            BufferSettings(), apply=False)
        problems = {(e.row, e.field): e.message for e in report.errors}
        assert set(problems) == {(3, "agent"), (4, "agent")}
        assert "paired with (cs-bot)" in problems[(3, "agent")] and "more than one agent" in problems[(4, "agent")]
