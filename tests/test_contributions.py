"""Contributions and awards: thresholds at exactly 5% / 3% and just below, comparable
windows, the measurer cannot approve, a verified defect credits its reporter, adoption rate."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Contribution, ContributionState, Payout, Placement, User
from lms.services import DomainError, contributions, defects
from lms.services.award_rules import AwardSettings, suggested_band, verdict, windows
from tests.defect_fixtures import log, placed

RULE = AwardSettings()
D = Decimal


@pytest.mark.parametrize("after,qualifies", [("105", True), ("104.99", False)])
def test_efficiency_up_exactly_5_percent_qualifies_and_4_99_does_not(after, qualifies):
    assert verdict(D("100"), D(after), True, D("10"), D("10"), RULE).qualifies is qualifies


@pytest.mark.parametrize("after,qualifies", [("95", True), ("95.01", False)])
def test_handle_time_down_exactly_5_percent_qualifies(after, qualifies):
    assert verdict(D("100"), D(after), False, D("10"), D("10"), RULE).qualifies is qualifies


@pytest.mark.parametrize("after,qualifies", [("9.7", True), ("9.7001", False)])
def test_error_rate_down_exactly_3_percent_relative_qualifies_and_2_99_does_not(after, qualifies):
    result = verdict(D("100"), D("100"), True, D("10"), D(after), RULE)
    assert result.qualifies is qualifies


def test_an_absolute_3_point_drop_on_a_high_rate_is_not_3_percent_relative():
    assert not verdict(D("100"), D("100"), True, D("200"), D("197"), RULE).qualifies  # 1.5% relative


def test_windows_are_equal_and_leave_out_the_release_week():
    w = windows(date(2026, 4, 13), 14)
    assert (w.before_end - w.before_start).days == (w.after_end - w.after_start).days == 13
    assert w.before_end == date(2026, 4, 12) and w.after_start == date(2026, 4, 20)


def test_band_from_the_table_by_effect_and_reach():
    assert suggested_band(D("25"), 12000) == (5000, 50)
    assert suggested_band(D("25"), 800) == (500, 10)
    assert suggested_band(D("6"), 1500) == (1000, 15)


def _measured(app, trainee_with_mentors, make_user):
    ops, boss = make_user("admin"), make_user("admin")
    pid = placed(app, trainee_with_mentors)
    defect = log(db.session, pid, datetime(2026, 3, 9, 2))
    actor = db.session.get(User, ops.id)
    for target in ("confirmed", "in_fix", "fixed", "verified"):
        defects.transition(db.session, actor, defect, target)
    c = db.session.scalar(sa.select(Contribution).where(Contribution.defect_id == defect.id))
    contributions.measure(db.session, actor, c, {
        "release_on": date(2026, 3, 16), "window_days": 14, "before_samples": 1200, "after_samples": 1180,
        "efficiency_before": "100", "efficiency_after": "105", "efficiency_higher_better": True,
        "error_before": "10", "error_after": "10"}, RULE)
    return c, actor, db.session.get(User, boss.id)


def test_a_verified_defect_credits_its_reporter_and_the_measurer_cannot_approve(app, trainee_with_mentors,
                                                                              make_user):
    with app.test_request_context():
        c, measurer, other_admin = _measured(app, trainee_with_mentors, make_user)
        assert c.contributor_id == trainee_with_mentors.trainee.id and c.state == ContributionState.MEASURED
        assert c.result == {"efficiency_pct": "5.00", "error_pct": "0.00", "efficiency_min": "5", "error_min": "3",
                            "qualifies": True}
        with pytest.raises(DomainError):
            contributions.approve_award(db.session, measurer, c, 1000)
        with pytest.raises(DomainError):
            contributions.approve_award(db.session, other_admin, c, 1234)  # not a band of the table
        contributions.approve_award(db.session, other_admin, c, 1000)
        assert (c.state, c.points, c.payout) == (ContributionState.AWARDED, 15, Payout.APPROVED)
        contributions.mark_paid(db.session, other_admin, c)
        db.session.commit()
        assert c.payout == Payout.PAID


def test_adoption_rate_per_cohort_and_trainee(app, trainee_with_mentors, make_user):
    with app.test_request_context():
        c, measurer, _ = _measured(app, trainee_with_mentors, make_user)
        placement = db.session.scalar(sa.select(Placement))
        for n in range(2):
            s = contributions.suggest(db.session, placement.trainee, placement, "kb_update", f"建议{n}", "补充知识库")
            if n == 0:
                contributions.adopt(db.session, measurer, s, False)
        db.session.commit()
        cohort = contributions.summary(db.session, cohort_id=c.cohort_id)
        assert (cohort["total"], cohort["adopted"]) == (3, 1)
        assert round(cohort["rate"], 2) == 0.33
        assert contributions.summary(db.session, contributor_id=c.contributor_id)["total"] == 3


def test_adoption_rate_counts_a_contribution_adopted_then_measured_below_threshold_as_adopted(
        app, trainee_with_mentors, make_user):
    from lms.labels import CONTRIBUTION_STATES
    from lms.services import contribution_pages

    with app.test_request_context():
        ops = db.session.get(User, make_user("admin").id)
        pid = placed(app, trainee_with_mentors)
        placement = db.session.get(Placement, pid)
        low = contributions.suggest(db.session, placement.trainee, placement, "kb_update", "建议甲", "补充知识库")
        declined = contributions.suggest(db.session, placement.trainee, placement, "kb_update", "建议乙", "补充")
        contributions.adopt(db.session, ops, low, True)
        contributions.adopt(db.session, ops, declined, False)
        contributions.measure(db.session, ops, low, {
            "release_on": date(2026, 3, 16), "window_days": 14, "before_samples": 1200, "after_samples": 1180,
            "efficiency_before": "100", "efficiency_after": "101", "efficiency_higher_better": True,
            "error_before": "10", "error_after": "10"}, RULE)
        db.session.commit()
        assert low.state == ContributionState.BELOW_THRESHOLD and declined.state == ContributionState.NOT_QUALIFIED
        assert str(CONTRIBUTION_STATES[low.state.value]) != str(CONTRIBUTION_STATES[declined.state.value])
        summary = contributions.summary(db.session, cohort_id=low.cohort_id)
        assert (summary["total"], summary["adopted"], summary["rate"]) == (2, 1, 0.5)
        assert [(r["total"], r["adopted"]) for r in contribution_pages.per_cohort(db.session)] == [(2, 1)]


def test_pages_measure_and_award_through_forms(app, client, trainee_with_mentors, make_user):
    from tests.conftest import login

    with app.test_request_context():
        c, measurer, other_admin = _measured(app, trainee_with_mentors, make_user)
        c.state, c.result, c.measured_by_id = ContributionState.ADOPTED, None, None
        db.session.commit()
        cid, measurer_id, other_id = c.id, measurer.id, other_admin.id

    def user(user_id):
        with app.app_context():
            found = db.session.get(User, user_id)
            found.get_id()
            db.session.expunge(found)
            return found

    login(client, user(measurer_id))
    refused = client.post_form(f"/triage/contributions/{cid}/measure", {"release_on": "2026-03-16"})
    assert refused.status_code == 400 and 'id="error-summary"' in refused.get_data(as_text=True)
    page = client.post_form(f"/triage/contributions/{cid}/measure", {
        "release_on": "2026-03-16", "window_days": "14", "before_samples": "1200", "after_samples": "1180",
        "efficiency_before": "100", "efficiency_after": "100", "error_before": "10", "error_after": "9.7"},
        follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "error rate 3.00% lower (needs 3%)" in text and "qualifies" in text
    assert "cannot approve" in text  # the measurer sees no approve button
    assert client.post_form(f"/triage/contributions/{cid}/award", {"band_cny": "1000"}).status_code == 302
    with app.app_context():
        assert db.session.get(Contribution, cid).state == ContributionState.MEASURED
    login(client, user(other_id))
    client._token = None
    client.post_form(f"/triage/contributions/{cid}/award", {"band_cny": "1000"})
    with app.app_context():
        assert db.session.get(Contribution, cid).state == ContributionState.AWARDED
    login(client, trainee_with_mentors.trainee)
    client._token = None
    mine = client.get("/me/contributions").get_data(as_text=True)
    assert "1000 CNY" in mine and "adoption rate 100%" in mine


def test_the_cohort_page_shows_contributions_and_the_adoption_rate(app, client, trainee_with_mentors, make_user):
    from tests.conftest import login

    admin = make_user("admin")
    with app.test_request_context():
        c, _, _ = _measured(app, trainee_with_mentors, make_user)
        db.session.commit()
        cohort_id = c.cohort_id
    login(client, admin)
    page = client.get(f"/admin/cohorts/{cohort_id}").get_data(as_text=True)
    assert "1 contribution, 1 adopted, 0 awarded; adoption rate 100%" in page
