"""Dual-mentor assignment: capacity, balance, all-or-nothing per trainee, history."""

import threading

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import AuditEvent, Cohort, Enrollment, MentorAssignment, MentorKind, User
from lms.services import DomainError, mentoring
from lms.services import people as people_service


def _mentors(make_user, kind, n, capacity):
    return [make_user("mentor", mentor_kind=kind, capacity=capacity) for _ in range(n)]


def _auto(app, cohort_id):
    with app.app_context():
        report = mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        db.session.commit()
        return report.assigned, [(e.id, [k.value for k in kinds]) for e, kinds in report.unassigned]


def _check_invariants(session):
    """Loads never exceed capacity and always equal the open assignments."""
    for mentor in session.scalars(sa.select(User).where(User.role == "mentor")):
        open_count = session.scalar(sa.select(sa.func.count(MentorAssignment.id)).where(
            MentorAssignment.mentor_id == mentor.id, MentorAssignment.ended_at.is_(None)))
        assert mentor.mentor_load == open_count <= mentor.capacity
    for enrollment in session.scalars(sa.select(Enrollment)):
        kinds = [a.kind for a in enrollment.assignments if a.ended_at is None]
        assert len(kinds) == len(set(kinds))


def test_auto_assign_gives_every_trainee_one_mentor_of_each_kind(app, make_cohort, make_user):
    cohort_id, enrollments = make_cohort(trainees=5)
    _mentors(make_user, "ai", 2, 8)
    _mentors(make_user, "business", 1, 8)
    assigned, unassigned = _auto(app, cohort_id)
    assert (assigned, unassigned) == (5, [])
    with app.app_context():
        for e in db.session.scalars(sa.select(Enrollment)):
            assert e.current_mentor(MentorKind.AI) and e.current_mentor(MentorKind.BUSINESS)
        loads = sorted(m.mentor_load for m in db.session.scalars(
            sa.select(User).where(User.mentor_kind == MentorKind.AI)))
        assert loads == [2, 3]  # balanced
        _check_invariants(db.session)


def test_capacity_runs_out_and_nobody_is_half_assigned(app, make_cohort, make_user):
    cohort_id, enrollments = make_cohort(trainees=5)
    _mentors(make_user, "ai", 1, 3)
    _mentors(make_user, "business", 1, 10)
    assigned, unassigned = _auto(app, cohort_id)
    assert assigned == 3
    assert [kinds for _, kinds in unassigned] == [["ai"], ["ai"]]
    with app.app_context():
        for enrollment_id, _ in unassigned:
            assert db.session.get(Enrollment, enrollment_id).assignments == []  # no business mentor either
        _check_invariants(db.session)
    # Running again changes nothing; more capacity then fills the gap.
    assert _auto(app, cohort_id)[0] == 0
    _mentors(make_user, "ai", 1, 5)
    assert _auto(app, cohort_id) == (2, [])


def test_reassignment_keeps_history_with_who_when_why(app, make_cohort, make_user):
    _, (enrollment_id,) = make_cohort(trainees=1)
    first, second = _mentors(make_user, "ai", 2, 8)
    admin = make_user("admin")
    with app.app_context():
        actor = db.session.get(User, admin.id)
        enrollment = db.session.get(Enrollment, enrollment_id)
        mentoring.assign(db.session, actor, enrollment, db.session.get(User, first.id), "intake")
        mentoring.assign(db.session, actor, enrollment, db.session.get(User, second.id), "schedule clash")
        db.session.commit()
        rows = db.session.scalars(sa.select(MentorAssignment).order_by(MentorAssignment.id)).all()
        assert [(r.mentor_id, r.reason, r.ended_at is None) for r in rows] == [
            (first.id, "intake", False), (second.id, "schedule clash", True)]
        assert rows[0].end_reason == "schedule clash" and rows[1].assigned_by_id == admin.id
        assert db.session.get(User, first.id).mentor_load == 0
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("mentor.%"))
                                     .order_by(AuditEvent.id)).all()
        assert actions == ["mentor.assign", "mentor.unassign", "mentor.reassign"]
        _check_invariants(db.session)


def test_manual_assign_refuses_a_full_mentor_and_needs_a_reason(app, make_cohort, make_user):
    _, (a, b) = make_cohort(trainees=2)
    (mentor,) = _mentors(make_user, "business", 1, 1)
    with app.app_context():
        m = db.session.get(User, mentor.id)
        with pytest.raises(DomainError):
            mentoring.assign(db.session, None, db.session.get(Enrollment, a), m, "  ")
        mentoring.assign(db.session, None, db.session.get(Enrollment, a), m, "ok")
        with pytest.raises(DomainError) as err:
            mentoring.assign(db.session, None, db.session.get(Enrollment, b), m, "ok")
        assert err.value.field == "mentor_id"


def test_deactivating_a_mentor_lists_who_lost_them_and_frees_the_load(app, make_cohort, make_user):
    cohort_id, _ = make_cohort(trainees=2)
    (ai,) = _mentors(make_user, "ai", 1, 8)
    _mentors(make_user, "business", 1, 8)
    admin = make_user("admin")
    _auto(app, cohort_id)
    with app.app_context():
        lost = people_service.set_active(db.session, db.session.get(User, admin.id), db.session.get(User, ai.id), False)
        db.session.commit()
        assert len(lost) == 2
        assert db.session.get(User, ai.id).mentor_load == 0
        _check_invariants(db.session)


def test_deactivate_page_warns_about_trainees_then_lists_them(app, make_cohort, make_user, login_as):
    cohort_id, _ = make_cohort(trainees=1)
    (ai,) = _mentors(make_user, "ai", 1, 8)
    _mentors(make_user, "business", 1, 8)
    _auto(app, cohort_id)
    client, _ = login_as("admin")
    assert 'id="coaching"' in client.get(f"/admin/people/{ai.id}").get_data(as_text=True)
    html = client.post_form(f"/admin/people/{ai.id}/active?to=off", follow_redirects=True).get_data(as_text=True)
    assert "lost a mentor" in html


def test_capacity_cannot_drop_below_current_load(app, make_cohort, make_user):
    cohort_id, _ = make_cohort(trainees=3)
    (ai,) = _mentors(make_user, "ai", 1, 8)
    _mentors(make_user, "business", 1, 8)
    _auto(app, cohort_id)
    with app.app_context():
        mentor = db.session.get(User, ai.id)
        with pytest.raises(DomainError) as err:
            people_service.update_person(db.session, None, mentor, {"capacity": 2})
        assert err.value.field == "capacity"
        with pytest.raises(DomainError):
            people_service.update_person(db.session, None, mentor, {"mentor_kind": "business"})


def test_withdrawal_frees_both_seats(app, make_cohort, make_user, login_as):
    cohort_id, (enrollment_id,) = make_cohort(trainees=1)
    _mentors(make_user, "ai", 1, 8)
    _mentors(make_user, "business", 1, 8)
    _auto(app, cohort_id)
    client, _ = login_as("admin")
    response = client.post_form(f"/admin/enrollments/{enrollment_id}/withdraw",
                                {"withdraw-reason": "", "withdraw-on": "2026-10-01"})
    assert response.status_code == 400
    response = client.post_form(f"/admin/enrollments/{enrollment_id}/withdraw",
                                {"withdraw-reason": "家庭原因 family", "withdraw-on": "2026-10-01"})
    assert response.status_code == 302
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        assert enrollment.status == "withdrawn" and enrollment.withdrawn_reason == "家庭原因 family"
        assert all(a.ended_at is not None for a in enrollment.assignments)
        _check_invariants(db.session)
    html = client.get("/admin/cohorts").get_data(as_text=True)
    assert "lack a mentor" not in html


def test_two_auto_assign_runs_at_once_never_exceed_capacity(app, make_cohort, make_user):
    """Two workers (threads with their own sessions and connections) race for 6 seats of each kind."""
    first, _ = make_cohort(trainees=5)
    second, _ = make_cohort(trainees=5)
    _mentors(make_user, "ai", 2, 3)
    _mentors(make_user, "business", 2, 3)
    barrier, results, errors = threading.Barrier(2), [], []

    def run(cohort_id):
        try:
            with app.app_context():
                cohort = db.session.get(Cohort, cohort_id)
                barrier.wait()
                report = mentoring.auto_assign(db.session, None, cohort)
                db.session.commit()
                results.append(report.assigned)
        except Exception as error:  # surfaced below with the test's own message
            errors.append(error)

    threads = [threading.Thread(target=run, args=(c,)) for c in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert sum(results) == 6
    with app.app_context():
        _check_invariants(db.session)
        full = db.session.scalar(sa.select(sa.func.count(Enrollment.id)).where(
            sa.select(sa.func.count(MentorAssignment.id)).where(
                MentorAssignment.enrollment_id == Enrollment.id, MentorAssignment.ended_at.is_(None)
            ).scalar_subquery() == 2))
        assert full == 6


def test_auto_assign_never_picks_a_mentor_who_has_not_accepted_or_is_deactivated(app, make_cohort, make_user):
    cohort_id, (enrollment_id,) = make_cohort(trainees=1)
    make_user("mentor", mentor_kind="ai", capacity=8, password=None)  # invited, never signed in
    make_user("mentor", mentor_kind="ai", capacity=8, active=False)
    make_user("mentor", mentor_kind="business", capacity=8, password=None)
    ready = make_user("mentor", mentor_kind="business", capacity=8)
    with app.app_context():
        report = mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        db.session.commit()
        assert report.assigned == 0 and report.unavailable == [MentorKind.AI]
        assert report.not_accepted == 2 and report.full_kinds == []
        assert [(e.id, kinds) for e, kinds in report.unassigned] == [(enrollment_id, [MentorKind.AI])]
        assert db.session.scalar(sa.select(sa.func.count(MentorAssignment.id))) == 0  # all or nothing
    accepted_ai = make_user("mentor", mentor_kind="ai", capacity=8)
    with app.app_context():
        report = mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        db.session.commit()
        assert report.assigned == 1 and report.unavailable == []
        mentors = set(db.session.scalars(sa.select(MentorAssignment.mentor_id)))
        assert mentors == {accepted_ai.id, ready.id}
        _check_invariants(db.session)


@pytest.mark.parametrize("locale, unavailable, skipped", [
    ("en", "No AI mentor is available", "1 mentor was not picked: they have not accepted their invitation"),
    ("zh_CN", "没有可分配的AI导师", "1 位导师未被分配：尚未接受邀请"),
])
def test_the_auto_assign_page_says_no_mentor_of_a_kind_is_available(app, make_cohort, make_user, client,
                                                                       locale, unavailable, skipped):
    from tests.conftest import login

    cohort_id, _ = make_cohort(trainees=1)
    make_user("mentor", mentor_kind="ai", capacity=8, password=None)
    make_user("mentor", mentor_kind="business", capacity=8)
    login(client, make_user("admin", locale=locale))
    html = client.post_form(f"/admin/cohorts/{cohort_id}/auto-assign", follow_redirects=True).get_data(as_text=True)
    assert unavailable in html and skipped in html
    assert "free capacity" not in html and "空余容量" not in html  # it is not a capacity problem
