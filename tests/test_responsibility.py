"""The responsibility list per agent: items with an owner mode, boundary, approver and
review date; every change a new version (who, when, why); defects and recurrences per item."""

from datetime import date, datetime, timedelta

import pytest

from lms.extensions import db
from lms.models import OwnerMode, Placement, User
from lms.services import DomainError, defects, responsibility
from tests.conftest import login
from tests.defect_fixtures import log, placed

ITEM = {"mode": "ai_primary", "boundary": "", "approver": "智能客服组 王磊", "escalation": "企业微信 售后升级群",
        "review_on": date(2026, 6, 30)}


def test_every_change_is_a_new_version_and_the_history_shows_the_move(app, trainee_with_mentors, make_user):
    admin = make_user("admin")
    pid = placed(app, trainee_with_mentors)
    with app.test_request_context():
        actor = db.session.get(User, admin.id)
        agent_id = db.session.get(Placement, pid).agent_id
        item = responsibility.add_item(db.session, actor, agent_id, "退款处理", ITEM, "首版清单")
        assert responsibility.change_item(db.session, actor, item, ITEM, "没有变化") is None
        with pytest.raises(DomainError):
            responsibility.change_item(db.session, actor, item, {**ITEM, "mode": "human_fallback"}, " ")
        responsibility.change_item(db.session, actor, item, {**ITEM, "mode": "human_fallback",
                                                             "boundary": "退款金额 > 200 元"}, "误答集中在大额退款")
        db.session.commit()
        history = responsibility.history(db.session, agent_id)
        assert [v.number for v in history] == [2, 1]
        moves = responsibility.moves(history)
        assert moves[history[0].id] == OwnerMode.AI_PRIMARY and history[0].mode == OwnerMode.HUMAN_FALLBACK
        assert history[0].changed_by_id == admin.id and history[0].why == "误答集中在大额退款"
        with pytest.raises(DomainError):
            responsibility.add_item(db.session, actor, agent_id, "退款处理", ITEM, "again")


def test_each_item_shows_its_defects_and_recurrences(app, trainee_with_mentors, make_user):
    admin = make_user("admin")
    pid = placed(app, trainee_with_mentors)
    t0 = datetime(2026, 3, 9, 2)
    with app.test_request_context():
        actor = db.session.get(User, admin.id)
        agent_id = db.session.get(Placement, pid).agent_id
        item = responsibility.add_item(db.session, actor, agent_id, "活动规则咨询", ITEM, "首版清单")
        fixed = log(db.session, pid, t0, item_id=item.id)
        for target in ("confirmed", "in_fix", "fixed", "verified"):
            defects.transition(db.session, actor, fixed, target, now=t0)
        log(db.session, pid, t0 + timedelta(days=3), item_id=item.id)
        db.session.commit()
        (row,) = responsibility.current_list(db.session, agent_id)
        assert (row.defects, row.recurrences) == (2, 1)


def test_a_defect_cannot_name_another_agents_item(app, trainee_with_mentors, make_user):
    from lms.models import Agent

    pid = placed(app, trainee_with_mentors)
    with app.test_request_context():
        other = Agent(code="other", name="别的助手", platform="京东", version="1", owner_team="x")
        db.session.add(other)
        db.session.flush()
        item = responsibility.add_item(db.session, None, other.id, "订单状态", ITEM, "首版清单")
        with pytest.raises(DomainError) as refused:
            log(db.session, pid, datetime(2026, 3, 9, 2), item_id=item.id)
        assert refused.value.field == "item_id"


def test_reviewer_adds_an_item_and_the_trainee_sees_the_list(app, client, trainee_with_mentors, make_user):
    pid = placed(app, trainee_with_mentors)
    reviewer = make_user("mentor", reviewer=True)
    with app.app_context():
        agent_id = db.session.get(Placement, pid).agent_id
    login(client, reviewer)
    page = client.post_form(f"/triage/agents/{agent_id}/responsibilities", {
        "title": "情绪安抚", "mode": "human_fallback", "approver": "售后主管", "review_on": "2026-06-30",
        "why": "情绪类会话由人工兜底"}, follow_redirects=True)
    assert "情绪安抚" in page.get_data(as_text=True)
    refused = client.post_form(f"/triage/agents/{agent_id}/responsibilities", {"title": "x", "mode": "ai_primary"})
    assert refused.status_code == 400
    login(client, trainee_with_mentors.trainee)
    assert "情绪安抚" in client.get("/me/buffer").get_data(as_text=True)
