"""Defect service levels: reviewers hear of a breach the moment it happens (urgent), the admins
when it is still breached two hours on, and an escalated defect moves only after an interim note."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import AgentDefect, AuditEvent, DefectEvent, NotificationKind, User
from lms.services import DomainError
from lms.services import defects as defect_service
from tests.defect_fixtures import log, placed
from tests.job_helpers import deliveries, notes, run, twice

T0 = datetime(2026, 3, 10, 2, 0)  # 10:00 in Shanghai, a Tuesday
K = NotificationKind


@pytest.fixture
def defect(app, trainee_with_mentors, make_user):
    placement_id = placed(app, trainee_with_mentors)
    reviewer, admin = make_user("mentor", reviewer=True), make_user("admin")
    with app.app_context():
        defect_id = log(db.session, placement_id, T0).id
        db.session.commit()
    return defect_id, reviewer, admin


def test_a_breach_reaches_the_reviewers_at_30_01_not_30_00_once(app, defect):
    defect_id, reviewer, admin = defect
    assert twice(app, "defect_sla", T0 + timedelta(minutes=30)) == 0
    assert twice(app, "defect_sla", T0 + timedelta(minutes=30, seconds=1)) == 1
    assert notes(app) == [(reviewer.id, "defect_sla_breached", {"defect_id": defect_id, "clock": "response",
                                                                 "limit": 30})]
    # later runs of the job (every five minutes) say nothing new about the same clock
    assert twice(app, "defect_sla", T0 + timedelta(minutes=45)) == 0


def test_still_breached_two_hours_on_escalates_to_the_admins_once(app, defect):
    defect_id, reviewer, admin = defect
    assert twice(app, "defect_sla", T0 + timedelta(hours=2, minutes=30)) == 1  # the reviewer only
    with app.app_context():
        assert db.session.get(AgentDefect, defect_id).response_escalated_at is None
    assert twice(app, "defect_sla", T0 + timedelta(hours=2, minutes=30, seconds=1)) == 1
    assert [(u, k) for u, k, _ in notes(app)] == [(reviewer.id, "defect_sla_breached"),
                                                  (admin.id, "defect_escalated")]
    with app.app_context():
        escalated = db.session.get(AgentDefect, defect_id)
        assert escalated.response_escalated_at is not None and escalated.needs_interim_note
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "defect.escalate")) == 1


def test_sla_messages_are_urgent_and_skip_quiet_hours(app, defect, mail_app):
    defect_id, reviewer, admin = defect
    from datetime import time

    with app.app_context():
        for user_id in (reviewer.id, admin.id):
            person = db.session.get(User, user_id)
            person.quiet_start, person.quiet_end = time(8), time(20)  # 10:30 local is inside
        db.session.commit()
    run(mail_app, "defect_sla", T0 + timedelta(hours=3))
    rows = deliveries(app)
    assert len(rows) == 2 and all(d.urgent and not d.held and d.deliver_after <= T0 + timedelta(hours=3)
                                  for d in rows)


def test_an_escalated_defect_moves_only_after_an_interim_note(app, defect):
    defect_id, reviewer, admin = defect
    twice(app, "defect_sla", T0 + timedelta(hours=3))
    with app.app_context():
        row = db.session.get(AgentDefect, defect_id)
        actor = db.session.get(User, reviewer.id)
        with pytest.raises(DomainError, match="阶段说明"):  # zh_CN: no request, the default locale
            defect_service.transition(db.session, actor, row, "confirmed")
        db.session.rollback()
        with pytest.raises(DomainError):
            defect_service.write_interim_note(db.session, actor, row, "   ")
        defect_service.write_interim_note(db.session, actor, row, "模型回滚中，预计今天 18:00 前修复")
        assert not row.needs_interim_note
        defect_service.transition(db.session, actor, row, "confirmed")
        db.session.commit()
        events = db.session.scalars(sa.select(DefectEvent).where(DefectEvent.defect_id == defect_id)
                                    .order_by(DefectEvent.id)).all()
        assert [(e.from_state.value, e.to_state.value) for e in events] == [("new", "new"), ("new", "confirmed")]


def test_the_close_clock_escalates_again_and_needs_a_new_note(app, defect):
    defect_id, reviewer, admin = defect
    with app.app_context():
        row = db.session.get(AgentDefect, defect_id)
        assert row.complex  # "high" is a complex level: the 24-hour clock runs
        defect_service.transition(db.session, db.session.get(User, reviewer.id), row, "confirmed",
                                  now=T0 + timedelta(minutes=10))
        db.session.commit()
    assert twice(app, "defect_sla", T0 + timedelta(hours=24)) == 0
    assert twice(app, "defect_sla", T0 + timedelta(hours=24, seconds=1)) == 1  # past the close clock
    assert twice(app, "defect_sla", T0 + timedelta(hours=26, seconds=1)) == 1  # escalated
    with app.app_context():
        row = db.session.get(AgentDefect, defect_id)
        assert row.close_escalated_at is not None and row.response_escalated_at is None
        assert row.needs_interim_note


def test_the_triage_page_asks_for_the_interim_note_and_refuses_a_move_without_it(app, client, defect):
    from tests.conftest import login

    defect_id, reviewer, admin = defect
    twice(app, "defect_sla", T0 + timedelta(hours=3))
    login(client, reviewer)
    page = client.get(f"/triage/defects/{defect_id}").get_data(as_text=True)
    assert 'id="interim-note"' in page
    assert "interim note needed" in client.get("/triage/").get_data(as_text=True)
    moved = client.post_form(f"/triage/defects/{defect_id}/move", {"target": "confirmed", "expected": "new"})
    assert moved.status_code == 400 and "write the interim note" in moved.get_data(as_text=True)
    empty = client.post_form(f"/triage/defects/{defect_id}/interim-note", {"note": ""})
    assert empty.status_code == 400
    saved = client.post_form(f"/triage/defects/{defect_id}/interim-note", {"note": "已定位，今晚发布修复"})
    assert saved.status_code == 302
    page = client.get(f"/triage/defects/{defect_id}").get_data(as_text=True)
    assert 'id="interim-note"' not in page and "今晚发布修复" in page
    assert client.post_form(f"/triage/defects/{defect_id}/move",
                            {"target": "confirmed", "expected": "new"}).status_code == 302
