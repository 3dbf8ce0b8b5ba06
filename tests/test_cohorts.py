"""Cohorts, enrollment (picker and CSV), baselines and the home pages."""

import io
import re
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import BaselineRating, Cohort, Enrollment, MentorAssignment, User
from lms.services import cohorts as cohort_service
from lms.services import dashboards, mentoring
from lms.services.clock import today_in

GOOD = """email,name,target_role,source_role
new.one@example.com,新学员一,collab_cs,basic_cs
new.two@example.com,新学员二,ai_trainer,order_clerk
"""


def _cohort(app, cohort_id) -> Cohort:
    with app.app_context():
        return db.session.get(Cohort, cohort_id)


def test_admin_creates_edits_and_closes_a_cohort(app, catalog, login_as):
    client, _ = login_as("admin")
    values = {"code": "2026-Q4-HZ", "name": "杭州四季度", "start_date": "2026-10-05"}
    response = client.post_form("/admin/cohorts/new", values)
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.scalar(sa.select(Cohort))
    duplicate = client.post_form("/admin/cohorts/new", {"code": "2026-q4-hz", "name": "x", "start_date": "2026-10-05"})
    assert duplicate.status_code == 400 and "Another cohort has this code" in duplicate.get_data(as_text=True)
    bad_date = client.post_form("/admin/cohorts/new", {"code": "X1", "name": "x", "start_date": "soon"})
    assert bad_date.status_code == 400
    assert client.post_form(f"/admin/cohorts/{cohort.id}/edit",
                            {"code": "2026-Q4-HZ", "name": "杭州", "start_date": "2026-10-12"}).status_code == 302
    assert client.post_form(f"/admin/cohorts/{cohort.id}/close").status_code == 302
    with app.app_context():
        cohort = db.session.get(Cohort, cohort.id)
        assert cohort.name == "杭州" and cohort.start_date == date(2026, 10, 12) and cohort.closed_at
    assert "Closed" in client.get("/admin/cohorts").get_data(as_text=True)


def test_cohort_page_shows_the_schedule_from_the_start_date(app, make_cohort, login_as):
    cohort_id, _ = make_cohort(trainees=1, start=date(2026, 9, 7))
    client, _ = login_as("admin")
    html = client.get(f"/admin/cohorts/{cohort_id}").get_data(as_text=True)
    assert "2026-09-27" in html  # foundation track 1 (weeks 1–2) is due on the last day of week 2


def test_enroll_from_the_picker(app, make_cohort, make_user, login_as):
    cohort_id, _ = make_cohort(trainees=0)
    trainee = make_user("trainee", name="Picker Pat")
    client, _ = login_as("admin")
    html = client.get(f"/admin/cohorts/{cohort_id}?q=picker").get_data(as_text=True)
    assert "Picker Pat" in html
    response = client.post_form(f"/admin/cohorts/{cohort_id}/enroll",
                                {"trainee_id": trainee.id, "target_role": "ops_specialist", "source_role": ""})
    assert response.status_code == 302
    with app.app_context():
        enrollment = db.session.scalar(sa.select(Enrollment).where(Enrollment.trainee_id == trainee.id))
        assert enrollment.target_role == "ops_specialist"


def test_a_trainee_is_active_in_one_open_cohort_at_a_time(app, make_cohort, login_as):
    _, (enrollment_id,) = make_cohort(trainees=1)
    other_id, _ = make_cohort(trainees=0)
    with app.app_context():
        trainee_id = db.session.get(Enrollment, enrollment_id).trainee_id
    client, _ = login_as("admin")
    values = {"trainee_id": trainee_id, "target_role": "collab_cs", "source_role": ""}
    html = client.post_form(f"/admin/cohorts/{other_id}/enroll", values, follow_redirects=True).get_data(as_text=True)
    assert "is already in cohort" in html


def _upload(client, cohort_id, text):
    return client.post_form(f"/admin/cohorts/{cohort_id}/import",
                            {"file": (io.BytesIO(text.encode()), "roster.csv")}, content_type="multipart/form-data")


def test_csv_enrollment_creates_accounts_and_is_idempotent(app, make_cohort, login_as):
    cohort_id, _ = make_cohort(trainees=0)
    client, _ = login_as("admin")
    assert _upload(client, cohort_id, GOOD).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 2
        assert db.session.scalar(sa.select(User).where(User.email == "new.two@example.com")).password_hash is None
    response = client.post_form(f"/admin/cohorts/{cohort_id}/import",
                                {"file": (io.BytesIO(GOOD.encode()), "roster.csv")},
                                content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "0 enrolled (0 new accounts), 0 updated, 2 unchanged" in html


def test_csv_enrollment_with_a_bad_row_writes_nothing_and_names_the_row(app, make_cohort, make_user, login_as):
    cohort_id, _ = make_cohort(trainees=0)
    mentor = make_user("mentor")
    bad = GOOD + f"{mentor.email},导师,collab_cs,\nthird@example.com,第三,astronaut,basic_cs\n"
    client, _ = login_as("admin")
    response = _upload(client, cohort_id, bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="import-errors"' in html
    assert "<td>4</td><td>Email</td>" in html and "<td>5</td><td>Target role</td>" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 0
        assert db.session.scalar(sa.select(User).where(User.email == "new.one@example.com")) is None


def test_cli_enroll(app, make_cohort, tmp_path):
    cohort_id, _ = make_cohort(trainees=0, code="CLI-1")
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(GOOD + "x,,collab_cs\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "enroll", "CLI-1", str(bad), "--lang", "en"])
    assert result.exit_code == 1 and f"{bad}: line 4: Email:" in result.output
    result = runner.invoke(args=["lms", "enroll", "CLI-1", str(good), "--lang", "en"])
    assert result.exit_code == 0 and "2 enrolled (2 new accounts)" in result.output
    assert "2 unchanged" in runner.invoke(args=["lms", "enroll", "CLI-1", str(good), "--lang", "en"]).output
    assert runner.invoke(args=["lms", "enroll", "NOPE", str(good)]).exit_code != 0


def test_mentor_rates_baseline_of_own_trainee_only(app, make_cohort, make_user, login_as):
    cohort_id, (mine, theirs) = make_cohort(trainees=2)
    client, mentor = login_as("mentor", mentor_kind="ai", capacity=1)
    with app.app_context():
        mentoring.assign(db.session, None, db.session.get(Enrollment, mine), db.session.get(User, mentor.id), "x")
        db.session.commit()
    url = f"/mentor/trainees/{mine}/baseline"
    scores = {"data_processing": "20", "problem_solving": "0", "tool_use": "35", "communication": "60",
              "reason": "observed in the intake interview"}
    assert client.post_form(url, {**scores, "tool_use": "101"}).status_code == 400
    assert client.post_form(url, {**scores, "reason": " "}).status_code == 400  # a reason is required
    assert client.post_form(url, scores).status_code == 302
    with app.app_context():
        ratings = {b.competency.value: b.score for b in db.session.scalars(sa.select(BaselineRating))}
        assert ratings == {"data_processing": 20, "problem_solving": 0, "tool_use": 35, "communication": 60}
    assert client.get(f"/mentor/trainees/{theirs}/baseline").status_code == 403


def test_trainee_home_shows_week_mentors_and_due_work(app, make_cohort, make_user, client):
    from tests.conftest import login

    today = today_in(app.config["BABEL_DEFAULT_TIMEZONE"])
    start = today - timedelta(days=7 * 2 + 1)  # week 2: foundation track 1 is due this week
    cohort_id, (enrollment_id,) = make_cohort(trainees=1, start=start)
    ai = make_user("mentor", mentor_kind="ai", name="Ai Mentor")
    make_user("mentor", mentor_kind="business", name="Biz Mentor")
    with app.app_context():
        mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        db.session.commit()
        trainee = db.session.get(Enrollment, enrollment_id).trainee
    login(client, trainee)
    html = client.get("/me/").get_data(as_text=True)
    assert "Week 2 of 13" in html and "Ai Mentor" in html and ai.email in html and "Biz Mentor" in html
    coming_up = html.split('id="coming-up"')[1].split('id="waiting"')[0]
    assert "Nothing due in the next 14 days" not in coming_up and "this week" in coming_up


def test_mentor_home_groups_trainees_and_shows_load(app, make_cohort, make_user, login_as):
    client, mentor = login_as("mentor", mentor_kind="ai", capacity=10)
    make_user("mentor", mentor_kind="business", capacity=10)
    first, _ = make_cohort(trainees=2, code="FIRST")
    second, _ = make_cohort(trainees=1, code="SECOND")
    for cohort_id in (first, second):
        with app.app_context():
            mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
            db.session.commit()
    html = client.get("/mentor/").get_data(as_text=True)
    assert "FIRST" in html and "SECOND" in html
    assert "<strong>3</strong> / 10" in html


def _assign_many(app, mentor_id, n, make_cohort, biz_id):
    cohort_id, enrollment_ids = make_cohort(trainees=n)
    with app.app_context():
        for enrollment_id in enrollment_ids:
            enrollment = db.session.get(Enrollment, enrollment_id)
            for m in (mentor_id, biz_id):
                db.session.add(MentorAssignment(enrollment_id=enrollment_id, mentor_id=m,
                                                kind=db.session.get(User, m).mentor_kind, reason="bulk"))
            db.session.flush()
            assert enrollment
        db.session.commit()


def test_mentor_home_query_count_does_not_grow_with_trainees(app, make_cohort, make_user, login_as, count_queries):
    client, mentor = login_as("mentor", mentor_kind="ai", capacity=100)
    biz = make_user("mentor", mentor_kind="business", capacity=100)
    _assign_many(app, mentor.id, 5, make_cohort, biz.id)
    client.get("/mentor/")
    with count_queries() as five:
        assert "Cohort" in client.get("/mentor/").get_data(as_text=True)
    _assign_many(app, mentor.id, 45, make_cohort, biz.id)
    with count_queries() as fifty:
        html = client.get("/mentor/").get_data(as_text=True)
    assert html.count("/baseline") == 50
    assert len(fifty.statements) == len(five.statements)


def test_admin_home_lists_cohorts_with_counts_and_warnings(app, make_cohort, login_as):
    make_cohort(trainees=3, code="WARN")
    client, _ = login_as("admin")
    html = client.get("/admin/").get_data(as_text=True)
    assert "WARN" in html and "3 trainees lack a mentor" in html


def test_the_summaries_count_who_lacks_a_mentor_as_the_roster_filter_does(app, make_cohort, make_user):
    """Both kinds, one kind, a mentor whose assignment ended, a withdrawal: the admin home's
    count (outer joins to the open assignments) agrees with the roster's filter (NOT EXISTS)."""
    cohort_id, ids = make_cohort(trainees=6, code="MIX")
    other_id, _ = make_cohort(trainees=2, code="NONE")
    ai, business = make_user("mentor", mentor_kind="ai"), make_user("mentor", mentor_kind="business")
    now = datetime(2026, 9, 1)
    with app.app_context():
        def assign(enrollment_id, mentor, kind, ended=False):
            db.session.add(MentorAssignment(enrollment_id=enrollment_id, mentor_id=mentor.id, kind=kind,
                                            reason="test", started_at=now, ended_at=now if ended else None))
        for enrollment_id in ids[:2]:  # both kinds: not lacking
            assign(enrollment_id, ai, "ai")
            assign(enrollment_id, business, "business")
        assign(ids[2], ai, "ai")  # AI only
        assign(ids[3], business, "business")  # business only
        assign(ids[4], ai, "ai", ended=True)  # an ended AI assignment, then a new one: not lacking
        assign(ids[4], ai, "ai")
        assign(ids[4], business, "business")
        withdrawn = db.session.get(Enrollment, ids[5])  # none, but withdrawn: not counted
        withdrawn.status = "withdrawn"
        db.session.commit()
        summaries = {s.code: s for s in dashboards.cohort_summaries(db.session, date(2026, 9, 14))}
        by_filter = {code: dashboards.missing_mentors(db.session, db.session.get(Cohort, cid)).count
                     for code, cid in (("MIX", cohort_id), ("NONE", other_id))}
    assert (summaries["MIX"].active, summaries["MIX"].withdrawn, summaries["MIX"].missing_mentor) == (5, 1, 2)
    assert (summaries["NONE"].active, summaries["NONE"].missing_mentor) == (2, 2)
    assert {code: s.missing_mentor for code, s in summaries.items()} == by_filter


def _home_row(client, code: str) -> list[str]:
    """The cells of a cohort's line on the admin home, as text."""
    html = client.get("/admin/").get_data(as_text=True)
    row = re.search(rf"<tr>\s*<td><a [^>]*><strong>{code}</strong>.*?</tr>", html, re.S).group(0)
    return [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_admin_home_recounts_after_each_audited_change_and_only_then(app, make_cohort, make_user, login_as,
                                                                     count_queries):
    """The admin home keeps its cohort counts under the newest audit event: a repeat visit skips
    the count, and a change made elsewhere (an auto-assign, a withdrawal) shows on the next visit."""
    cohort_id, ids = make_cohort(trainees=3, code="KEPT")
    make_user("mentor", mentor_kind="ai")
    make_user("mentor", mentor_kind="business")
    client, admin = login_as("admin")
    client.get("/admin/")  # warm up (navbar, translations)
    app.extensions.pop("admin_home_summaries", None)
    with count_queries() as counted:
        assert _home_row(client, "KEPT")[3:] == ["3", "0", "3 trainees lack a mentor"]
    with count_queries() as kept:
        assert _home_row(client, "KEPT")[3:] == ["3", "0", "3 trainees lack a mentor"]
    assert len(kept.statements) == len(counted.statements) - 1  # the cohort counts were not run again
    with app.app_context():  # changes made by another worker, each audited as every change the counts see
        mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        db.session.commit()
    assert _home_row(client, "KEPT")[3:] == ["3", "0", "✓"]
    with app.app_context():
        cohort_service.withdraw(db.session, db.session.get(User, admin.id), db.session.get(Enrollment, ids[0]),
                                "left", today_in(app.config["BABEL_DEFAULT_TIMEZONE"]))
        db.session.commit()
    assert _home_row(client, "KEPT")[3:] == ["2", "1", "✓"]


def test_a_trainee_lacking_both_mentors_is_said_to_lack_both(app, make_cohort, login_as):
    cohort_id, _ = make_cohort(trainees=1, code="BOTH")
    client, _ = login_as("admin")
    alert = client.get(f"/admin/cohorts/{cohort_id}").get_data(as_text=True).split('id="missing-mentors"', 1)[1]
    assert "(no AI mentor and no business mentor)" in alert.split("</div>", 1)[0]
