"""A trainee enrolled after the cohort started: work due before the day they joined is due
CATCH_UP_DAYS after it (lms/services/clock.py, catch_up) — on their home page, in the
reminders, in standing (behind / at risk) and in the gradebook."""

from datetime import date, datetime, timedelta

from lms.extensions import db
from lms.models import Cohort, Enrollment
from lms.services import clock, dashboards, gradebook, mentoring, progress, standing
from tests.conftest import login
from tests.job_helpers import enrolled_on, notes, twice
from tests.test_honest_status import _card, _first_track_assessment, _today
from tests.test_job_training import START, at

ZONE = "Asia/Shanghai"


def test_work_due_before_joining_is_due_catch_up_days_after_joining():
    joined = date(2026, 10, 12)
    early = clock.Due(2, date(2026, 9, 27))
    moved = clock.catch_up(early, joined)
    assert moved.date == joined + timedelta(days=clock.CATCH_UP_DAYS) and moved.caught_up
    assert moved.status(joined + timedelta(days=clock.CATCH_UP_DAYS)) != "overdue"
    assert moved.status(joined + timedelta(days=clock.CATCH_UP_DAYS + 1)) == "overdue"
    later = clock.Due(6, date(2026, 10, 25))
    assert clock.catch_up(later, joined) == later  # due after they joined: theirs as everyone's
    assert clock.catch_up(clock.Due(5, joined), joined).date == joined  # due the day they joined: unchanged
    assert clock.catch_up(early, None) == early


def test_joined_on_is_the_day_in_the_programs_zone():
    assert clock.joined_on(datetime(2026, 10, 11, 17, 0), ZONE) == date(2026, 10, 12)  # 01:00 in Shanghai
    assert clock.joined_on(datetime(2026, 10, 11, 15, 59), ZONE) == date(2026, 10, 11)


def test_a_late_joiner_does_not_see_earlier_work_as_overdue_on_their_home(app, make_cohort, client):
    today = _today(app)
    start = today - timedelta(days=7 * 5)  # week 5
    _cohort_id, (late_id, on_time_id) = make_cohort(trainees=2, start=start)
    with app.app_context():
        late = db.session.get(Enrollment, late_id)
        late.created_at = datetime.combine(today, datetime.min.time())  # joined today (08:00 local)
        db.session.commit()
        late_trainee, on_time_trainee = late.trainee, db.session.get(Enrollment, on_time_id).trainee
        db.session.expunge_all()
    assessment = _first_track_assessment(app)  # due at the end of week 2: before they joined
    link = f"/me/assessments/{assessment.id}"

    login(client, on_time_trainee)
    assert link in _card(client.get("/me/").get_data(as_text=True), "overdue")
    client.post_form("/auth/logout")

    login(client, late_trainee)
    html = client.get("/me/").get_data(as_text=True)
    assert link not in _card(html, "overdue")
    coming = _card(html, "coming-up")
    assert link in coming
    assert (today + timedelta(days=clock.CATCH_UP_DAYS)).isoformat() in coming
    assert "you joined after its first due date" in coming


def _caught_up(app, enrollment_id: int) -> list:
    """The late joiner's work moved by the catch-up rule: (assessment id, new due date)."""
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        outline = dashboards.Outline(enrollment.cohort.program,
                                     progress.load_outline(db.session, enrollment.cohort.program))
        return [(i.assessment.id, i.due.date) for i in dashboards.due_items(outline, enrollment, set(), START, ZONE)
                if i.due.caught_up]


def test_the_overdue_reminder_waits_for_the_late_joiners_catch_up_date(app, trainee_with_mentors):
    t = trainee_with_mentors
    joined = START + timedelta(days=7 * 5)  # Monday of week 5: weeks 0-4's work was due before
    enrolled_on(app, t.enrollment_id, at(joined, 10))
    moved = _caught_up(app, t.enrollment_id)
    assert moved and {due for _, due in moved} == {joined + timedelta(days=clock.CATCH_UP_DAYS)}
    assert twice(app, "overdue_work", at(joined + timedelta(days=1), 8, 5)) == 0  # nothing overdue on day two
    due = joined + timedelta(days=clock.CATCH_UP_DAYS)
    assert twice(app, "overdue_work", at(due + timedelta(days=1), 8, 5)) == 1
    (user, _, params), = notes(app, "work_overdue")
    assert user == t.trainee.id and params["count"] >= len(moved)


def test_the_due_reminder_names_the_caught_up_date(app, trainee_with_mentors):
    t = trainee_with_mentors
    joined = START + timedelta(days=7 * 5)
    enrolled_on(app, t.enrollment_id, at(joined, 10))
    assessment_id, due = _caught_up(app, t.enrollment_id)[0]
    assert twice(app, "assessments_due", at(due - timedelta(days=1), 8, 0)) >= 1
    told = [p for _, _, p in notes(app, "assessment_due") if p["assessment_id"] == assessment_id]
    assert [p["due"] for p in told] == [due.isoformat()]


def _two_in_week_5(app, make_cohort):
    """A cohort in week 5 with mentors for all: one trainee enrolled at intake, one who joined today."""
    today = START + timedelta(days=7 * 5 + 1)
    cohort_id, (on_time_id, late_id) = make_cohort(trainees=2, start=START)
    enrolled_on(app, late_id, at(today - timedelta(days=1), 10))
    with app.app_context():
        mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        db.session.commit()
    return cohort_id, on_time_id, late_id, today


def test_standing_counts_no_overdue_work_for_a_late_joiner(app, make_cohort, make_user):
    make_user("mentor", mentor_kind="ai", capacity=10)
    make_user("mentor", mentor_kind="business", capacity=10)
    _cohort_id, on_time_id, late_id, today = _two_in_week_5(app, make_cohort)
    now = at(today, 9)
    with app.app_context():
        found = standing.standings(db.session, today, now, ZONE)
        assert "overdue" in found[on_time_id].reasons
        assert not found[late_id].behind and "overdue" not in found[late_id].reasons
        later = today + timedelta(days=clock.CATCH_UP_DAYS + 1)  # their catch-up dates passed too
        assert "overdue" in standing.standings(db.session, later, at(later, 9), ZONE)[late_id].reasons


def test_the_gradebook_shows_earlier_work_open_for_a_late_joiner(app, make_cohort, make_user):
    make_user("mentor", mentor_kind="ai", capacity=10)
    make_user("mentor", mentor_kind="business", capacity=10)
    cohort_id, on_time_id, late_id, today = _two_in_week_5(app, make_cohort)
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        tiers = progress.load_outline(db.session, cohort.program)
        cols = gradebook.columns(tiers, cohort.program, cohort.start_date)
        rows = db.session.execute(gradebook.rows_select(False, False), {"cohort_id": cohort_id}).all()
        cells = gradebook.cells(db.session, rows, cols, today, ZONE)
        first = min((c for c in cols if c.due < today), key=lambda c: c.due)
        assert next(r for r in rows if r.id == on_time_id).target_role in first.roles
        assert cells[(on_time_id, first.assessment.id)].status == "overdue"
        assert cells[(late_id, first.assessment.id)].status == "open"
