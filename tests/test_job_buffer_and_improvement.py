"""Buffer-period and agent-improvement reminders at frozen times around their boundaries, each
run twice in a row: the second run writes nothing."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Contribution, OwnerMode, Placement, User
from lms.services import contributions, defects, responsibility
from lms.services.award_rules import AwardSettings
from tests.buffer_fixtures import make_agent, place
from tests.defect_fixtures import log
from tests.job_helpers import notes, twice
from tests.test_job_training import at

P = date(2026, 3, 2)  # placement start: day 1


def day(n: int) -> date:
    return P + timedelta(days=n - 1)


def _placed(app, t):
    with app.app_context():
        return place(db.session, t.enrollment_id, P)


def test_a_week_ended_without_its_check_in_tells_the_coach_once(app, trainee_with_mentors):
    t = trainee_with_mentors
    pid = _placed(app, t)
    assert twice(app, "buffer_checkins", at(day(7), 9)) == 0  # week 1 still running
    assert twice(app, "buffer_checkins", at(day(8), 9)) == 1
    assert notes(app) == [(t.biz.id, "checkin_missing", {"person": t.trainee.name, "placement_id": pid, "week": 1})]
    assert twice(app, "buffer_checkins", at(day(9), 9)) == 0


def test_day_80_says_the_period_ends_soon_and_day_90_asks_for_the_outcome(app, trainee_with_mentors, make_user):
    t = trainee_with_mentors
    admin = make_user("admin")
    pid = _placed(app, t)
    assert twice(app, "buffer_end", at(day(79), 9, 5)) == 0
    assert twice(app, "buffer_end", at(day(80), 9, 5)) == 2  # the coach and the person
    assert {(u, k) for u, k, _ in notes(app)} == {(t.biz.id, "buffer_ends_soon"), (t.trainee.id, "buffer_ends_soon")}
    assert twice(app, "buffer_end", at(day(89), 9, 5)) == 0
    assert twice(app, "buffer_end", at(day(90), 9, 5)) == 2  # the coach and the admin
    due = [(u, p["last_day"]) for u, k, p in notes(app) if k == "buffer_outcome_due"]
    assert sorted(due) == sorted([(t.biz.id, day(90).isoformat()), (admin.id, day(90).isoformat())])
    assert twice(app, "buffer_end", at(day(95), 9, 5)) == 0
    with app.app_context():  # an extension moves the end: both come again for the new end
        db.session.get(Placement, pid).buffer_end = day(121)
        db.session.commit()
    assert twice(app, "buffer_end", at(day(110), 9, 5)) == 2


def _verified(app, t, reviewer) -> tuple[int, datetime]:
    """A defect fixed at `fixed` and verified: its reporter's adopted contribution."""
    fixed = datetime(2026, 3, 9, 6, 0)
    with app.app_context():
        pid = db.session.scalar(sa.select(Placement.id))
        defect = log(db.session, pid, fixed - timedelta(hours=4))
        actor = db.session.get(User, reviewer.id)
        for target, moment in (("confirmed", fixed - timedelta(hours=3)), ("in_fix", fixed - timedelta(hours=2)),
                               ("fixed", fixed), ("verified", fixed + timedelta(days=1))):
            defects.transition(db.session, actor, defect, target, now=moment)
        db.session.commit()
        return db.session.scalar(sa.select(Contribution.id).where(Contribution.defect_id == defect.id)), fixed


def test_measure_the_effect_21_days_after_the_fix(app, trainee_with_mentors, make_user):
    t = trainee_with_mentors
    _placed(app, t)
    reviewer = make_user("mentor", reviewer=True)
    contribution_id, fixed = _verified(app, t, reviewer)
    assert twice(app, "measure_effect", fixed + timedelta(days=21, seconds=-1)) == 0
    assert twice(app, "measure_effect", fixed + timedelta(days=21)) == 1
    assert [(u, p["contribution_id"], p["days"]) for u, _, p in notes(app, "measure_effect")] == [
        (reviewer.id, contribution_id, 21)]
    assert twice(app, "measure_effect", fixed + timedelta(days=30)) == 0


def test_an_award_waiting_7_days_reminds_the_admins_who_may_approve_it(app, trainee_with_mentors, make_user):
    t = trainee_with_mentors
    _placed(app, t)
    measurer, approver = make_user("admin"), make_user("admin")
    contribution_id, fixed = _verified(app, t, measurer)
    measured = fixed + timedelta(days=22)
    with app.app_context():
        c = db.session.get(Contribution, contribution_id)
        contributions.measure(db.session, db.session.get(User, measurer.id), c, {
            "release_on": date(2026, 3, 10), "window_days": 14, "before_samples": 900, "after_samples": 950,
            "efficiency_before": "100", "efficiency_after": "106", "efficiency_higher_better": True,
            "error_before": "10", "error_after": "10"}, AwardSettings(), now=measured)
        db.session.commit()
    assert twice(app, "awards_waiting", measured + timedelta(days=7, seconds=-1)) == 0
    assert twice(app, "awards_waiting", measured + timedelta(days=7)) == 1
    assert [u for u, _, _ in notes(app, "award_waiting")] == [approver.id]  # not the measurer


def test_a_quarterly_review_14_days_ahead_tells_the_reviewers(app, make_user):
    reviewer = make_user("mentor", reviewer=True)
    review_on = date(2026, 6, 30)
    with app.app_context():
        agent = make_agent(db.session)
        responsibility.add_item(db.session, None, agent.id, "退款审核", {
            "mode": OwnerMode.AI_DRAFTS.value, "boundary": "退款 > 200 元", "approver": "客服主管",
            "escalation": "企业微信值班群", "review_on": review_on}, "首版")
        db.session.commit()
    assert twice(app, "responsibility_reviews", at(review_on - timedelta(days=15), 9, 20)) == 0
    assert twice(app, "responsibility_reviews", at(review_on - timedelta(days=14), 9, 20)) == 1
    assert [(u, p["item"], p["review_on"]) for u, _, p in notes(app)] == [(reviewer.id, "退款审核", "2026-06-30")]
    assert twice(app, "responsibility_reviews", at(review_on + timedelta(days=3), 9, 20)) == 0
