"""The cohort dashboard: every figure against a small cohort worked out by hand
(tests/report_fixtures.py tells its story), the page in both languages, and the same
number of statements at two cohort sizes."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Competency, Enrollment
from lms.services import dashboard
from lms.services.buffer_clock import BufferSettings
from lms.services.defect_rules import DefectSettings
from lms.services.grading import attainment
from lms.services.report_scope import Scope
from tests import report_fixtures as hand
from tests.buffer_fixtures import pass_tiers
from tests.conftest import login


@pytest.fixture
def cohort(app, make_cohort, make_user):
    return hand.build(app, make_cohort, make_user)


def _build(scope, defect_settings=None):
    return dashboard.build(db.session, scope, hand.TODAY, hand.NOW, BufferSettings(),
                           defect_settings or DefectSettings())


def test_funnel_and_outcomes_match_the_hand_count(app, cohort):
    with app.app_context():
        d = _build(Scope(cohort_id=cohort.cohort_id))
    rows = {(r.source_role, r.target_role): r for r in d.funnel.rows}
    basic = rows[("basic_cs", "collab_cs")]
    assert (basic.enrolled, basic.withdrawn, basic.tiers, basic.placed, basic.placed_in_time, basic.completed) == (
        6, 1, {"foundation": 5, "advanced": 3}, 2, 1, 1)
    clerk = rows[("order_clerk", "collab_cs")]
    assert (clerk.enrolled, clerk.tiers, clerk.placed, clerk.placed_in_time, clerk.completed) == (
        2, {"foundation": 2, "advanced": 2}, 1, 1, 0)
    logistics = rows[("logistics_entry", "collab_cs")]
    assert (logistics.enrolled, logistics.tiers, logistics.placed) == (1, {"foundation": 0, "advanced": 0}, 0)
    total = d.funnel.total
    assert (total.enrolled, total.withdrawn, total.placed, total.placed_in_time, total.completed,
            total.in_progress) == (9, 1, 3, 2, 1, 4)
    # in training 7, 8, 9 · in buffer 2 · finished 1 (completed), 3 (left), 4 (returned), 5 (redeployed)
    assert (total.in_training, total.in_buffer, total.finished) == (3, 1, 4)
    assert total.past_placement_week == 9  # week 30: every enrollment counts for "placed by week 14"
    assert d.funnel.tier_codes == ["foundation", "advanced"]
    assert d.transition_success == pytest.approx(1 / 5)  # 1 completed ÷ (9 enrolled − 4 in progress)
    assert d.placed_in_time_share == pytest.approx(2 / 9)
    assert d.reference["transition_success_pct"] == 83 and d.reference["contribution_adoption_pct"] == 36
    assert [(str(k), str(r), n) for k, r, n in d.outcomes.not_placed] == [
        ("extended_training", "skills_gap", 1), ("redeployed", "no_opening", 1), ("returned", "skills_gap", 1)]
    assert [(str(k), str(r), n) for k, r, n in d.outcomes.buffer_not_completed] == [("left", "personal", 1)]
    assert d.outcomes.missing == 2  # trainees 8 and 9: past placement week, no placement, no outcome


def test_each_tier_counts_of_the_trainees_whose_role_needs_it(app, cohort, make_cohort):
    """The funnel's tiers have their own base: the enrolled whose role needs the tier (withdrawn
    included, like "enrolled"); a role that does not need a tier adds nothing to its base."""
    make_cohort(trainees=2, start=hand.TODAY - timedelta(weeks=3), role="ai_trainer")
    with app.app_context():
        d = _build(Scope(cohort_id=cohort.cohort_id))
        everyone = _build(Scope())
    basic = next(r for r in d.funnel.rows if (r.source_role, r.target_role) == ("basic_cs", "collab_cs"))
    assert basic.tier_bases == {"foundation": 6, "advanced": 6}
    assert d.funnel.total.tier_bases == {"foundation": 9, "advanced": 9}
    total = everyone.funnel.total
    assert total.enrolled == 11 and total.tier_bases == {"foundation": 11, "advanced": 11, "expert": 2}
    assert total.tiers["expert"] == 0 and everyone.funnel.tier_codes == ["foundation", "advanced", "expert"]


def test_an_empty_cohort_is_listed_and_its_dashboard_says_nobody_is_enrolled(app, cohort, make_cohort, client,
                                                                            make_user):
    empty_id, _ids = make_cohort(trainees=0, start=date(2030, 1, 7), code="EMPTY-1")  # not started
    with app.app_context():
        everyone = _build(Scope())
        clerks = _build(Scope(source_role="order_clerk"))
    listed = {c.code: c for c in everyone.cohorts}
    assert "EMPTY-1" in listed and listed["EMPTY-1"].counts == {"in_training": 0, "in_buffer": 0, "finished": 0}
    assert str(listed["EMPTY-1"].phase) == "intake"
    assert {c.code for c in clerks.cohorts} == set(listed)  # a filter leaves every cohort listed, with its counts
    login(client, make_user("admin"))
    html = client.get("/admin/reports").get_data(as_text=True)
    assert f'/admin/cohorts/{empty_id}/dashboard">EMPTY-1</a>' in html.split('id="cohort-table"', 1)[1]
    html = client.get(f"/admin/cohorts/{empty_id}/dashboard").get_data(as_text=True)
    assert 'id="nobody-enrolled"' in html and 'id="funnel-table"' not in html and 'id="assessment-table"' not in html
    phase = html.split('id="cohort-phase"', 1)[1].split("</p>", 1)[0]
    assert "Intake" in phase and "2030-01-07" in phase
    html = client.get(f"/admin/cohorts/{cohort.cohort_id}/dashboard").get_data(as_text=True)
    assert 'id="cohort-phase"' in html and 'id="nobody-enrolled"' not in html


def test_progress_and_standing_match_the_hand_count(app, cohort):
    with app.app_context():
        d = _build(Scope(cohort_id=cohort.cohort_id))
    # trainee 2's buffer runs to 2026-08-16; of the 8 not withdrawn (the count before in-training had one
    # meaning) 3 are in training, 1 in the buffer period and 4 finished
    assert d.phases == {"buffer": {"in_training": 3, "in_buffer": 1, "finished": 4}}
    assert d.tiers_now == {"foundation": 1, "advanced": 1, "done": 1}  # trainees 7, 8, 9
    assert (d.standing.on_track, d.standing.behind, d.standing.at_risk) == (1, 1, 1)
    (row,) = d.standing.shown
    assert row["enrollment_id"] == cohort.enrollment_ids[6] and row["overdue"] == 15
    assert row["reasons"] == ["out_of_attempts", "overdue", "no_mentor", "inactive"]


def test_assessments_turnaround_and_calibration_match_the_hand_count(app, cohort):
    with app.app_context():
        d = _build(Scope(cohort_id=cohort.cohort_id))
    first = next(v for v in d.assessments if v.assessment.id == cohort.first_foundation)
    # seven passed at the first attempt, trainee 7 failed every allowed attempt; trainee 4 was sent back twice
    assert (first.figures.attempts, first.figures.blocked, first.figures.graded_trainees,
            first.figures.passed_trainees) == (7 + cohort.max_attempts, 2, 8, 7)
    assert first.figures.pass_rate == pytest.approx(7 / 8)
    missing = next(v for v in d.assessments if v.assessment.id == cohort.missing)
    assert (missing.figures.graded_trainees, missing.figures.passed_trainees) == (5, 5)
    assert {t.mentor_id: (t.grades, t.median_hours) for t in d.turnaround} == {
        cohort.ai_id: (1, pytest.approx(2.0)), cohort.coach_id: (1, pytest.approx(6.0))}
    gaps = [c for c in d.calibration if c.assessment_id == cohort.dual]
    assert gaps[0].pairs == 1 and gaps[0].mean_gap == 1 and gaps[0].differing == 1
    assert all(c.mean_gap == 0 and c.differing == 0 for c in gaps[1:]) and len(gaps) > 1


def test_competencies_intake_and_now(app, cohort):
    with app.app_context():
        d = _build(Scope(cohort_id=cohort.cohort_id))
        nine = db.session.get(Enrollment, cohort.enrollment_ids[8]).trainee_id
        scores = attainment(db.session, [nine])[nine]  # the rule, for the one trainee with graded work
    rows = {c.competency: c for c in d.competencies}
    assert (rows[Competency.DATA_PROCESSING].intake_rated, rows[Competency.DATA_PROCESSING].intake_attained) == (2, 1)
    assert (rows[Competency.COMMUNICATION].intake_rated, rows[Competency.COMMUNICATION].intake_attained) == (2, 1)
    assert rows[Competency.TOOL_USE].intake_rated == 0 and rows[Competency.TOOL_USE].intake_pct is None
    for competency, row in rows.items():
        assert row.trainees == 8  # active trainees
        assert row.now_graded == (scores[competency] is not None)
        assert row.now_attained == (scores[competency] is not None and scores[competency] >= 70)
    assert d.reference["baseline_attainment"]["communication"] == {"qualifier": "about", "pct": 37}


def test_buffer_figures_match_the_hand_count(app, cohort):
    with app.app_context():
        d = _build(Scope(cohort_id=cohort.cohort_id))
    df = d.defects
    assert df.by_state == {"new": 1, "confirmed": 1, "in_fix": 1, "fixed": 1, "verified": 1, "rejected": 1,
                      "duplicate": 1}
    assert df.weeks == {3: {"misleading_promo": 6}, 4: {"wrong_answer": 1}}
    sla = df.sla
    assert (sla.responded, sla.responded_within, sla.waiting, sla.waiting_over) == (6, 5, 1, 1)
    assert (sla.complex_closed, sla.complex_closed_within, sla.complex_open, sla.complex_open_over) == (4, 3, 1, 1)
    assert sla.response_share == pytest.approx(5 / 7) and sla.close_share == pytest.approx(3 / 5)
    assert (df.verified, df.recurred) == (1, 1)
    (week,) = d.collaboration_weeks
    assert (week.week, week.events, week.responded_within, week.complex_closed_within, week.cross_team_closed) == (
        1, 3, 1, 1, 1)
    assert d.collaboration.median_response_seconds == 1500
    c = d.contributions
    assert (c.total, c.adopted, c.awarded, c.amount, c.paid, c.paid_amount) == (2, 1, 1, 1000, 1, 1000)
    assert c.adoption_rate == pytest.approx(0.5)
    mentors = {m.mentor_id: m for m in d.mentors}
    coach = mentors[cohort.coach_id]
    assert (coach.load, coach.buffer_taken, coach.buffer_capacity, coach.placed) == (2, 1, 8, 3)
    # due: 12 weeks (trainee 1, completed on day 90) + 11 (trainee 2, running) + 3 (trainee 3, left)
    assert (coach.checkins_due, coach.checkins_done) == (26, 3)
    assert mentors[cohort.ai_id].load == 2


def test_sla_in_working_hours_uses_the_boards_rule(app, cohort):
    """Working-hours mode counts each defect's clocks with defect_rules; these defects were all
    handled on a Monday morning in working time, so the figures stay those of calendar time
    except where nights and weekends pass (the two clocks still running, and the 30 h close)."""
    with app.app_context():
        d = _build(Scope(cohort_id=cohort.cohort_id), DefectSettings(working_hours=True))
    sla = d.defects.sla
    assert (sla.responded, sla.waiting, sla.complex_closed, sla.complex_open) == (6, 1, 4, 1)
    assert sla.responded_within >= 5 and sla.complex_closed_within >= 3


def test_filters_narrow_every_section(app, cohort):
    with app.app_context():
        clerks = _build(Scope(cohort_id=cohort.cohort_id, source_role="order_clerk"))
        nobody = _build(Scope(target_role="ai_trainer"))
        everyone = _build(Scope())
    assert clerks.funnel.total.enrolled == 2 and clerks.defects.total == 0 and clerks.contributions.total == 0
    assert clerks.standing.at_risk == 0 and clerks.outcomes.not_placed[0][0] == "redeployed"
    assert nobody.funnel.total.enrolled == 0 and nobody.transition_success is None and nobody.defects.total == 0
    assert everyone.funnel.total.enrolled == 9 and everyone.defects.total == 7


def test_dashboard_page_in_both_languages(app, cohort, client, make_user):
    login(client, make_user("admin"))
    html = client.get(f"/admin/cohorts/{cohort.cohort_id}/dashboard").get_data(as_text=True)
    assert 'id="funnel-table"' in html and "20%" in html and "reference 83%" in html
    assert "2 of 9 in cohorts past week 14" in html and "Placed (any time)" in html.split('id="funnel-table"')[0]
    # each funnel bar says its base: foundation passed by 7 of the 9 whose role needs it
    assert 'id="funnel-bases"' in html and "7/9 (78%)" in html.split('id="chart-funnel"', 1)[1].split("</svg>")[0]
    assert html.count('<svg class="chart-svg') >= 12 and "<title id=" in html and "<desc id=" in html
    assert "<script" not in html.split('id="kpis"', 1)[1].split("</main>", 1)[0]  # charts need no script
    assert f'/admin/enrollments/{cohort.enrollment_ids[6]}"' in html.split('id="at-risk"', 1)[1]
    login(client, make_user("admin", locale="zh_CN"))
    html = client.get(f"/admin/cohorts/{cohort.cohort_id}/dashboard").get_data(as_text=True)
    assert "转型成功率" in html and "参考值 83%" in html and "漏斗" in html
    for code in ("collab_cs", "basic_cs", "misleading_promo", "at_risk", "out_of_attempts", "in_fix"):
        assert f">{code}<" not in html
    html = client.get("/admin/reports?source=order_clerk&target=collab_cs&cohort=").get_data(as_text=True)
    assert re.search(r'<option value="order_clerk" selected>', html)


def test_an_unknown_cohort_is_not_found_and_not_cached(app, cohort, client, make_user):
    from lms.models import ReportSnapshot

    login(client, make_user("admin"))
    for value in (str(cohort.cohort_id + 999), "x", "0", "99999999999999999999"):
        assert client.get(f"/admin/reports?cohort={value}").status_code == 404, value
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportSnapshot)) == 0
    assert client.get(f"/admin/reports?cohort={cohort.cohort_id}").status_code == 200
    with app.app_context():
        assert db.session.scalars(sa.select(ReportSnapshot.key)).all() == [
            f"dashboard:{cohort.cohort_id}:None:None:en"]


def _statements(client, count_queries, url):
    client.get(url)
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(counter.statements)


def test_dashboard_costs_the_same_statements_at_two_sizes(app, make_cohort, make_user, client, count_queries):
    login(client, make_user("admin"))
    counts = {}
    for n in (4, 40):
        cohort_id, ids = make_cohort(trainees=n, start=date(2026, 1, 5))
        with app.app_context():
            for i in ids[: n // 2]:
                pass_tiers(db.session, db.session.get(Enrollment, i), ["foundation"])
            db.session.commit()
        # ?fresh=1: the figures computed, not read from the snapshot
        counts[n] = (_statements(client, count_queries, f"/admin/cohorts/{cohort_id}/dashboard?fresh=1"),
                     _statements(client, count_queries, "/admin/reports?fresh=1"))
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)
                                     .where(Enrollment.cohort_id == cohort_id)) == n
    assert counts[4] == counts[40]


def test_a_snapshot_serves_the_dashboard_again_until_it_is_old(app, cohort, client, make_user, count_queries):
    login(client, make_user("admin"))
    url = f"/admin/cohorts/{cohort.cohort_id}/dashboard"
    first = client.get(url).get_data(as_text=True)
    with count_queries() as counter:
        again = client.get(url).get_data(as_text=True)
    assert len(counter.statements) <= 4 and counter.writes == []  # the user, the cohort, the snapshot
    strip = lambda html: re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)  # noqa: E731
    assert strip(again) == strip(first)
    with app.app_context():  # a change shows after "compute again", or once the snapshot is old
        e = db.session.get(Enrollment, cohort.enrollment_ids[3])
        e.status = "withdrawn"
        db.session.commit()
    assert 'id="funnel-table"' in again and "2 withdrawn" not in client.get(url).get_data(as_text=True)
    assert "2 withdrawn" in client.get(url + "?fresh=1").get_data(as_text=True)
    # an old snapshot another worker is computing again: served meanwhile, nothing computed here
    from lms.models import ReportSnapshot
    from lms.models.base import utcnow

    with app.app_context():
        e = db.session.get(Enrollment, cohort.enrollment_ids[4])
        e.status = "withdrawn"
        db.session.execute(sa.update(ReportSnapshot).values(computed_at=utcnow() - timedelta(hours=2),
                                                            claimed_at=utcnow()))
        db.session.commit()
    with count_queries() as counter:
        stale = client.get(url).get_data(as_text=True)
    assert "2 withdrawn" in stale and len(counter.statements) <= 6  # the claim failed: no computing
    with app.app_context():  # nobody is at it any more: the next request claims and computes
        db.session.execute(sa.update(ReportSnapshot).values(claimed_at=None))
        db.session.commit()
    assert "3 withdrawn" in client.get(url).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(ReportSnapshot.claimed_at)) is None
    app.config["REPORT_CACHE_SECONDS"], saved = 0, app.config["REPORT_CACHE_SECONDS"]
    try:
        with count_queries() as counter:
            client.get(url)
        assert len(counter.statements) > 15 and counter.writes == []  # computed, nothing stored
    finally:
        app.config["REPORT_CACHE_SECONDS"] = saved


def test_checkins_due_in_sql_follow_the_buffer_clock(app, cohort):
    """The dashboard counts due weeks in SQL; `checkins.gaps_of` (the coach's and the person's
    pages) counts them in Python: the two agree placement by placement."""
    from lms.models import CheckIn, Placement
    from lms.services import checkins

    with app.app_context():
        d = _build(Scope(cohort_id=cohort.cohort_id))
        due = done = 0
        for p in db.session.scalars(sa.select(Placement)):
            logged = set(db.session.scalars(sa.select(CheckIn.week).where(CheckIn.placement_id == p.id)))
            weeks = len(checkins.gaps_of(p, set(), hand.TODAY))  # with nothing logged, every ended week is a gap
            due += weeks
            done += weeks - len(checkins.gaps_of(p, logged, hand.TODAY))
    coach = next(m for m in d.mentors if m.mentor_id == cohort.coach_id)
    assert (coach.checkins_due, coach.checkins_done) == (due, done)
