"""Placement rules: tiers, coach seats, the per-person buffer clock, check-in gaps, outcomes."""

from datetime import date

import pytest
from flask_babel import force_locale

from lms.extensions import db
from lms.models import CoachSeats, Enrollment, Placement, User
from lms.permissions import may_see_pay_band
from lms.services import DomainError, buffer_clock, checkins, clock
from lms.services import placement as placement_service
from tests.buffer_fixtures import make_agent, pass_tiers, place

START = date(2026, 12, 7)


def _values(session, **extra):
    return {"team": "售后二组", "lead_name": "黄蕾", "agent_id": make_agent(session).id, "start_date": START,
            **extra}


def test_placement_refused_without_the_roles_tiers(app, trainee_with_mentors):
    with app.test_request_context(), force_locale("en"):
        enrollment = db.session.get(Enrollment, trainee_with_mentors.enrollment_id)
        pass_tiers(db.session, enrollment, ["foundation"])  # collab_cs needs foundation + advanced
        with pytest.raises(DomainError) as refused:
            placement_service.place(db.session, None, enrollment, _values(db.session))
        assert "Advanced (0 of 9 required assessments passed)" in refused.value.message  # the tier, by name
        assert "Foundation" not in refused.value.message  # passed: not named as missing
        db.session.rollback()
        assert db.session.query(Placement).count() == 0


def test_placement_with_the_tiers_ends_training_mentors_and_defaults_the_business_mentor(app, trainee_with_mentors):
    with app.app_context():
        pid = place(db.session, trainee_with_mentors.enrollment_id, START)
        placement = db.session.get(Placement, pid)
        assert placement.coach_id == trainee_with_mentors.biz.id
        assert placement.buffer_end == date(2027, 3, 7)  # 90 days
        assert all(a.ended_at is not None for a in placement.enrollment.assignments)
        with pytest.raises(DomainError):
            placement_service.place(db.session, None, placement.enrollment, _values(db.session))


def test_coach_capacity_separate_from_training_capacity(app, make_cohort, make_user):
    from lms.models import Cohort
    from lms.services import mentoring

    ai = make_user("mentor", mentor_kind="ai", capacity=5)
    biz = make_user("mentor", mentor_kind="business", capacity=2)  # two training seats
    cohort_id, ids = make_cohort(trainees=2)
    with app.app_context():
        mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        db.session.commit()
        db.session.add(CoachSeats(coach_id=biz.id, capacity=1, taken=0))  # one buffer seat
        db.session.commit()
        place(db.session, ids[0], START)
        assert db.session.get(User, biz.id).mentor_load == 1  # placement freed a training seat...
        assert db.session.get(CoachSeats, biz.id).taken == 1  # ...the buffer seat is taken instead
        with pytest.raises(DomainError) as full:
            place(db.session, ids[1], START)
        assert full.value.field == "coach_id"
        db.session.rollback()
        # the next cohort's trainee still gets the mentor: training capacity is untouched by the buffer
        next_id, (nxt,) = make_cohort(trainees=1)
        report = mentoring.auto_assign(db.session, None, db.session.get(Cohort, next_id))
        assert report.assigned == 1 and ai.id  # both kinds found a seat


def test_buffer_day_counted_from_the_trainees_own_start(app, make_cohort, make_user):
    make_user("mentor", mentor_kind="business", capacity=10)
    cohort_id, (first, second) = make_cohort(trainees=2, start=date(2026, 8, 3))
    biz = make_user("mentor", mentor_kind="business", capacity=10)
    with app.app_context():
        a = db.session.get(Placement, place(db.session, first, date(2026, 11, 9), coach_id=biz.id))
        b = db.session.get(Placement, place(db.session, second, date(2026, 11, 30), coach_id=biz.id))
        today = date(2026, 12, 1)
        assert buffer_clock.day_of(a.start_date, today) == 23
        assert buffer_clock.day_of(b.start_date, today) == 2  # same cohort, own start
        assert buffer_clock.length(b.start_date, b.buffer_end) == clock.BUFFER_DAYS
        # the cohort is in the buffer while anyone placed still is, whatever its start suggests
        until = placement_service.cohort_buffer_until(db.session, cohort_id)
        assert until == date(2027, 2, 28)
        assert clock.phase(date(2026, 8, 3), date(2027, 2, 20), buffer_until=until) == clock.Phase.BUFFER
        assert clock.phase(date(2026, 8, 3), date(2027, 2, 20)) == clock.Phase.CLOSED  # the old estimate


def test_a_checkin_gap_is_detected(app, trainee_with_mentors):
    with app.app_context():
        placement = db.session.get(Placement, place(db.session, trainee_with_mentors.enrollment_id, START))
        coach = db.session.get(User, trainee_with_mentors.biz.id)
        values = {"agent_share": 60, "handoffs": 12, "went_well": "退款流程熟练", "hard": "情绪激动的客户",
                  "wellbeing": 4, "actions": [{"action": "复盘三单投诉", "owner": "陈静"}]}
        today = date(2026, 12, 29)  # day 23: weeks 1–3 are over, week 4 is under way
        for week in (1, 3):
            checkins.save_checkin(db.session, coach, placement, {**values, "week": week}, today)
        db.session.commit()
        (row,) = checkins.coach_rows(db.session, coach.id, today)
        assert row.gaps == [2]  # week 4 has not ended: not a gap yet
        assert row.day == 23 and row.week == 4 and not row.this_week_done
        with pytest.raises(DomainError):  # a week not begun yet
            checkins.save_checkin(db.session, coach, placement, {**values, "week": 5}, today)
        with pytest.raises(DomainError):  # an action without an owner
            checkins.save_checkin(db.session, coach, placement,
                                  {**values, "week": 4, "actions": [{"action": "x", "owner": ""}]}, today)


def test_only_the_coach_logs_and_only_the_person_notes(app, trainee_with_mentors, make_user):
    with app.app_context():
        placement = db.session.get(Placement, place(db.session, trainee_with_mentors.enrollment_id, START))
        other = make_user("mentor", mentor_kind="business")
        values = {"week": 1, "agent_share": 50, "handoffs": 3, "went_well": "a", "hard": "b", "wellbeing": 3}
        with pytest.raises(DomainError):
            checkins.save_checkin(db.session, db.session.get(User, other.id), placement, values, START)
        row = checkins.save_checkin(db.session, db.session.get(User, trainee_with_mentors.biz.id), placement,
                                    values, START)
        with pytest.raises(DomainError):
            checkins.add_trainee_note(db.session, db.session.get(User, other.id), row, "hi")
        checkins.add_trainee_note(db.session, db.session.get(User, placement.trainee_id), row, "需要更多投诉案例")
        assert row.trainee_note == "需要更多投诉案例"


def test_outcome_reason_codes_required(app, trainee_with_mentors, make_cohort):
    with app.app_context():
        placement = db.session.get(Placement, place(db.session, trainee_with_mentors.enrollment_id, START))
        with pytest.raises(DomainError) as missing:
            placement_service.record_buffer_outcome(db.session, None, placement, "completed", "", "", date(2027, 3, 7))
        assert missing.value.field == "reason"
        with pytest.raises(DomainError) as no_date:
            placement_service.record_buffer_outcome(db.session, None, placement, "extended", "performance", "",
                                                    date(2027, 3, 7))
        assert no_date.value.field == "new_end"
        placement_service.record_buffer_outcome(db.session, None, placement, "extended", "performance", "再跟一个月",
                                                date(2027, 3, 7), new_end=date(2027, 4, 7))
        assert placement.buffer_end == date(2027, 4, 8) and not placement.closed  # 2027-04-07 is the last day
        seats = db.session.get(CoachSeats, placement.coach_id)
        placement_service.record_buffer_outcome(db.session, None, placement, "completed", "goal_met", "",
                                                date(2027, 4, 7))
        db.session.refresh(seats)
        assert placement.closed and seats.taken == 0  # the coach's seat is free again
        db.session.commit()
        _, (other,) = make_cohort(trainees=1)
        enrollment = db.session.get(Enrollment, other)
        with pytest.raises(DomainError) as no_reason:
            placement_service.record_training_outcome(db.session, None, enrollment, "left", "", "搬家",
                                                      date(2026, 12, 1))
        assert no_reason.value.field == "reason"
        with pytest.raises(DomainError) as no_note:
            placement_service.record_training_outcome(db.session, None, enrollment, "left", "personal", " ",
                                                      date(2026, 12, 1))
        assert no_note.value.field == "note"
        row = placement_service.record_training_outcome(db.session, None, enrollment, "returned", "skills_gap",
                                                        "数据处理未达标", date(2026, 12, 1))
        assert row.reason.value == "skills_gap"


def test_pay_band_is_for_admins_only(make_user):
    assert may_see_pay_band(make_user("admin"))
    assert not may_see_pay_band(make_user("mentor"))
    assert not may_see_pay_band(make_user("trainee"))


def test_demo_places_two_with_a_gap_late_responses_and_outcomes(app):
    import sqlalchemy as sa

    from lms.models import HandoffEvent, TrainingOutcome
    from tests.demo_data import load_demo

    load_demo(app)
    load_demo(app)  # idempotent
    with app.app_context():
        placements = db.session.scalars(sa.select(Placement).order_by(Placement.start_date)).all()
        assert len(placements) == 2
        completed, mid = placements
        assert completed.outcome.value == "completed" and mid.outcome is None
        today = clock.today_in(app.config["BABEL_DEFAULT_TIMEZONE"])
        assert checkins.gaps_of(mid, {c.week for c in mid.checkins}, today) == [4]
        late = db.session.scalar(sa.select(sa.func.count()).select_from(HandoffEvent)
                                 .where(HandoffEvent.response_seconds > 1800))
        assert late > 0
        (outcome,) = db.session.scalars(sa.select(TrainingOutcome)).all()
        assert outcome.reason.value == "skills_gap"


def test_a_placed_trainee_lacks_no_mentor_and_auto_assign_leaves_them_to_their_coach(app, trainee_with_mentors):
    from lms.models import Cohort, MentorAssignment
    from lms.services import dashboards, mentoring

    with app.app_context():
        place(db.session, trainee_with_mentors.enrollment_id, START)  # ends the training mentors
        cohort = db.session.get(Cohort, trainee_with_mentors.cohort_id)
        assert dashboards.missing_mentors(db.session, cohort).count == 0
        assert dashboards.cohort_summaries(db.session, START)[0].missing_mentor == 0
        report = mentoring.auto_assign(db.session, None, cohort)
        assert report.assigned == 0 and report.unassigned == []
        db.session.commit()
        assert db.session.query(MentorAssignment).filter(MentorAssignment.ended_at.is_(None)).count() == 0
        select, params = dashboards.cohort_roster(cohort, status="lacking_mentor")
        assert db.session.execute(select, params).all() == []
        (row,) = db.session.execute(*dashboards.cohort_roster(cohort)).all()
        assert row.done_training and row.ai_mentor is None
