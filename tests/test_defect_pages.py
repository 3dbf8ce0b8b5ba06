"""Defect pages: a placed trainee logs a defect in the quick form (masked, similar ones
first), sees their own in full and a colleague's only redacted; a reviewer triages on
the board (constant statements at 10 and 1,000 defects); the admin grants the capability."""

from datetime import datetime, timedelta

import sqlalchemy as sa
import time_machine

from lms.extensions import db
from lms.models import AgentDefect, AuditEvent, DefectState, Enrollment, Notification, Placement, User
from lms.services import mentoring
from tests.buffer_fixtures import place
from tests.conftest import login
from tests.defect_fixtures import EXCERPT, START, log, placed, values

NOW = "2026-03-09 10:00 +0800"


def _form(**extra):
    data = {k: v for k, v in values(**extra).items() if v is not None}
    data["reach"] = str(data["reach"])
    return data


def test_trainee_logs_a_defect_masked_and_is_told_the_response_time(app, client, trainee_with_mentors):
    placed(app, trainee_with_mentors)
    with time_machine.travel(NOW, tick=False):
        login(client, trainee_with_mentors.trainee)
        page = client.get("/me/buffer/defects/new")
        assert page.status_code == 200 and "money lost or likely to be lost" in page.get_data(as_text=True)
        done = client.post_form("/me/buffer/defects/new", _form(), follow_redirects=True)
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "within 30 minutes" in text
    assert "138****5678" in text and "138-1234-5678" not in text and "王小明" not in text
    with app.app_context():
        assert db.session.scalar(sa.select(AgentDefect.severity)) == "high"


def test_the_form_re_renders_with_field_messages_when_incomplete(app, client, trainee_with_mentors):
    placed(app, trainee_with_mentors)
    login(client, trainee_with_mentors.trainee)
    page = client.post_form("/me/buffer/defects/new", {"type": "wrong_answer", "severity": "critical"})
    assert page.status_code == 400
    assert 'id="error-summary"' in page.get_data(as_text=True)


def test_trainee_logs_in_chinese(app, client, trainee_with_mentors):
    placed(app, trainee_with_mentors)
    with app.app_context():
        db.session.execute(sa.update(User).values(locale="zh_CN"))
        db.session.commit()
    login(client, trainee_with_mentors.trainee)
    page = client.get("/me/buffer/defects/new").get_data(as_text=True)
    assert "造成或可能造成资损" in page and "误答" in page
    done = client.post_form("/me/buffer/defects/new", _form(), follow_redirects=True)
    assert "缺陷" in done.get_data(as_text=True) and done.status_code == 200


def _colleague(app, make_cohort, start=START):
    cohort_id, (enrollment_id,) = make_cohort(trainees=1)
    with app.app_context():
        from lms.models import Cohort

        mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        db.session.commit()
        place(db.session, enrollment_id, start)
        user = db.session.get(Enrollment, enrollment_id).trainee
        db.session.expunge(user)
        return user


def test_similar_defects_are_shown_redacted_and_a_colleague_joins_as_co_reporter(
        app, client, trainee_with_mentors, make_cohort, make_user):
    make_user("mentor", mentor_kind="ai", capacity=5), make_user("mentor", mentor_kind="business", capacity=5)
    pid = placed(app, trainee_with_mentors)
    with app.app_context():
        first = log(db.session, pid, datetime(2026, 3, 9, 1, 0))
        db.session.commit()
        first_id = first.id
    colleague = _colleague(app, make_cohort)
    with time_machine.travel(NOW, tick=False):
        login(client, colleague)
        page = client.post_form("/me/buffer/defects/new", _form(excerpt="[10:02] 顾客：满300减50 对这个杯子有效吗"))
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and f"#{first_id}" in text
        assert "TC-500-BLU 参加满300减50吗" not in text  # the other reporter's excerpt is not shown
        redacted = client.get(f"/me/buffer/defects/{first_id}").get_data(as_text=True)
        assert "满300自动减50" not in redacted and "Add my excerpt" in redacted
        joined = client.post_form(f"/me/buffer/defects/{first_id}/join", {"excerpt": "[10:02] 同样的问题"},
                                  follow_redirects=True)
        assert "co-reporter" in joined.get_data(as_text=True)
        assert "同样的问题" in client.get(f"/me/buffer/defects/{first_id}").get_data(as_text=True)  # now in full
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AgentDefect)) == 1


def test_a_trainee_without_a_placement_or_of_another_agent_sees_nothing(app, client, trainee_with_mentors,
                                                                        make_user):
    pid = placed(app, trainee_with_mentors)
    with app.app_context():
        defect_id = log(db.session, pid, datetime(2026, 3, 9, 1, 0)).id
        db.session.commit()
    stranger = make_user("trainee")
    login(client, stranger)
    assert client.get(f"/me/buffer/defects/{defect_id}").status_code == 404
    assert client.get("/me/buffer/defects/new").status_code == 404
    assert client.get("/triage/").status_code == 403


def test_reviewer_confirms_within_the_sla_and_the_reporter_is_notified(app, client, trainee_with_mentors,
                                                                       make_user):
    pid = placed(app, trainee_with_mentors)
    reviewer = make_user("mentor", reviewer=True)
    plain_mentor = make_user("mentor")
    with app.app_context():
        defect_id = log(db.session, pid, datetime(2026, 3, 9, 2, 0)).id
        db.session.commit()
    login(client, plain_mentor)
    assert client.get("/triage/").status_code == 403
    with time_machine.travel("2026-03-09 10:20 +0800", tick=False):
        login(client, reviewer)
        client._token = None
        board = client.get("/triage/").get_data(as_text=True)
        assert f"#{defect_id}" in board and "20 of 30 min" in board
        refused = client.post_form(f"/triage/defects/{defect_id}/move", {"target": "rejected", "note": " "})
        assert refused.status_code == 400
        client.post_form(f"/triage/defects/{defect_id}/move", {"target": "confirmed", "expected": "new"})
        stale = client.post_form(f"/triage/defects/{defect_id}/move", {"target": "confirmed", "expected": "new"})
        assert stale.status_code == 409
        with app.app_context():
            defect = db.session.get(AgentDefect, defect_id)
            assert defect.state == DefectState.CONFIRMED and defect.first_response_at is not None
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
                Notification.user_id == trainee_with_mentors.trainee.id)) == 1
        login(client, trainee_with_mentors.trainee)
        assert "Confirmed" in client.get("/notifications").get_data(as_text=True)


def test_admin_grants_the_reviewer_capability_audited(app, client, make_user):
    admin, mentor = make_user("admin"), make_user("mentor")
    login(client, admin)
    client.post_form(f"/admin/people/{mentor.id}/reviewer?to=on")
    with app.app_context():
        assert db.session.get(User, mentor.id).reviewer
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.subject_id == mentor.id,
                                                                    AuditEvent.action == "person.reviewer"))


def _bulk(app, pid: int, n: int) -> None:
    with app.app_context():
        placement = db.session.get(Placement, pid)
        base = {"agent_id": placement.agent_id, "reporter_id": placement.trainee_id, "placement_id": pid,
                "cohort_id": placement.enrollment.cohort_id, "intent": "活动咨询", "intent_key": "活动咨询",
                "platform": "千牛", "excerpt": "…", "agent_said": "…", "should_say": "…", "severity": "high",
                "complex": True, "state": "new"}
        states = ["new", "confirmed", "in_fix", "fixed", "verified"]
        rows = [{**base, "type": "wrong_answer", "state": states[i % 5],
                 "seen_at": datetime(2026, 3, 1) + timedelta(minutes=i),
                 "created_at": datetime(2026, 3, 1) + timedelta(minutes=i)} for i in range(n)]
        db.session.execute(sa.insert(AgentDefect), rows)
        db.session.commit()


def test_triage_board_statements_same_at_10_and_1000_defects(app, client, trainee_with_mentors, make_user,
                                                              count_queries):
    pid = placed(app, trainee_with_mentors)
    admin = make_user("admin")
    counts = []
    for n in (10, 990):
        _bulk(app, pid, n)
        login(client, admin)
        with count_queries() as counter:
            page = client.get("/triage/?breached=1")
        assert page.status_code == 200
        counts.append(len(counter.statements))
    assert counts[0] == counts[1]


def test_excerpt_fixture_holds_personal_data():
    assert "138-1234-5678" in EXCERPT and "文三路" in EXCERPT


def test_demo_defects_cover_every_state_two_breaches_a_recurrence_and_a_duplicate(app):
    from lms.models import Contribution, ContributionState, ResponsibilityVersion
    from lms.services import defect_pages
    from lms.services.defect_rules import DefectSettings
    from lms.services.demo_defects import ensure_demo_defects
    from tests.demo_data import load_demo

    load_demo(app)
    with app.app_context():
        ensure_demo_defects(db.session, app.config["PASSWORD_HASH_METHOD"], START)  # idempotent
        rows = db.session.scalars(sa.select(AgentDefect)).all()
        assert len(rows) == 12 and {d.state for d in rows} == set(DefectState)
        from lms.models.base import utcnow

        board = defect_pages.board(db.session, defect_pages.BoardFilters(), utcnow(), DefectSettings())
        assert sum(r.breached for r in board) == 2
        assert sum(1 for d in rows if d.recurrence_of_id) == 1
        (dup,) = [d for d in rows if d.state == DefectState.DUPLICATE]
        original = db.session.get(AgentDefect, dup.duplicate_of_id)
        assert dup.reporter_id in original.reporter_ids and len(original.reporter_ids) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ResponsibilityVersion)) == 11
        states = set(db.session.scalars(sa.select(Contribution.state)))
        assert {ContributionState.AWARDED, ContributionState.NOT_QUALIFIED, ContributionState.SUBMITTED} <= states


def test_a_co_reporter_reads_their_own_excerpt_but_not_the_original_reporters_excerpt_or_screenshot(
        app, client, trainee_with_mentors, make_cohort, make_user):
    from pathlib import Path

    from lms.models import DefectFile

    make_user("mentor", mentor_kind="ai", capacity=5), make_user("mentor", mentor_kind="business", capacity=5)
    pid = placed(app, trainee_with_mentors)
    reviewer = make_user("mentor", reviewer=True)
    with app.app_context():
        first = log(db.session, pid, datetime(2026, 3, 9, 1, 0))
        Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)
        (Path(app.config["UPLOAD_FOLDER"]) / "fix13-shot.png").write_bytes(b"\x89PNG\r\n\x1a\nsecret")
        shot = DefectFile(defect_id=first.id, uploader_id=first.reporter_id, original_name="客户截图.png",
                          stored_name="fix13-shot.png", content_type="image/png", size=14)
        db.session.add(shot)
        db.session.commit()
        first_id, shot_id = first.id, shot.id
    colleague = _colleague(app, make_cohort)
    with time_machine.travel(NOW, tick=False):
        login(client, colleague)
        client.post_form(f"/me/buffer/defects/{first_id}/join", {"excerpt": "[10:02] 我这边也一样"})
        page = client.get(f"/me/buffer/defects/{first_id}").get_data(as_text=True)
        assert "我这边也一样" in page  # their own excerpt, in full
        assert "满300自动减50" not in page and "TC-500-BLU 参加满300减50吗" not in page  # not the original's
        assert "客户截图.png" not in page
        assert client.get(f"/triage/files/{shot_id}").status_code == 404
        login(client, trainee_with_mentors.trainee)
        client._token = None
        own = client.get(f"/me/buffer/defects/{first_id}").get_data(as_text=True)
        assert "满300自动减50" in own and "我这边也一样" not in own  # and not the co-reporter's
        assert client.get(f"/triage/files/{shot_id}").status_code == 200
        login(client, reviewer)
        client._token = None
        full = client.get(f"/triage/defects/{first_id}").get_data(as_text=True)
        assert "满300自动减50" in full and "我这边也一样" in full
        assert client.get(f"/triage/files/{shot_id}").status_code == 200


def test_log_a_defect_link_is_shown_only_while_the_placement_runs(app, client, trainee_with_mentors):
    from lms.models.buffer import BufferOutcome

    pid = placed(app, trainee_with_mentors)
    with time_machine.travel(NOW, tick=False):
        login(client, trainee_with_mentors.trainee)
        assert "Log a defect" in client.get("/me/buffer/defects").get_data(as_text=True)
        with app.app_context():
            db.session.get(Placement, pid).outcome = BufferOutcome.COMPLETED
            db.session.commit()
        assert "Log a defect" not in client.get("/me/buffer/defects").get_data(as_text=True)
        assert client.get("/me/buffer/defects/new").status_code == 404  # the form's policy agrees


def test_time_seen_cannot_be_in_the_future_nor_before_the_placement_start(app, client, trainee_with_mentors):
    placed(app, trainee_with_mentors)  # the placement starts on 2026-03-02
    with time_machine.travel(NOW, tick=False):
        login(client, trainee_with_mentors.trainee)
        future = client.post_form("/me/buffer/defects/new", _form(seen_at="2026-03-09T11:00"))
        assert future.status_code == 400 and "The time seen cannot be in the future." in future.get_data(as_text=True)
        early = client.post_form("/me/buffer/defects/new", _form(seen_at="2026-03-01T23:30"))
        assert early.status_code == 400
        assert "cannot be before your placement started (2026-03-02)" in early.get_data(as_text=True)
        done = client.post_form("/me/buffer/defects/new", _form(seen_at="2026-03-02T00:10"), follow_redirects=True)
        assert done.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AgentDefect)) == 1


def test_own_defect_offers_no_add_my_excerpt_and_english_counts_are_plural_aware(app, client, trainee_with_mentors,
                                                                                 make_user):
    pid = placed(app, trainee_with_mentors)
    reviewer = make_user("mentor", reviewer=True)
    with app.app_context():
        first = log(db.session, pid, datetime(2026, 3, 9, 1, 0))
        second = log(db.session, pid, datetime(2026, 3, 9, 1, 30))
        db.session.commit()
        first_id, second_id = first.id, second.id
    with time_machine.travel(NOW, tick=False):
        login(client, trainee_with_mentors.trainee)
        page = client.post_form("/me/buffer/defects/new", _form()).get_data(as_text=True)
        assert f"#{first_id}" in page and f"Add my excerpt to #{first_id}" not in page
        assert "You reported this one." in page
        login(client, reviewer)
        client._token = None
        done = client.post_form("/triage/duplicates", {"ids": str(second_id), "original": str(first_id)},
                                follow_redirects=True).get_data(as_text=True)
        assert f"1 defect marked as a duplicate of #{first_id}." in done
        assert "High" in client.get(f"/triage/defects/{first_id}").get_data(as_text=True)
        assert "0 recurrences after 0 verified fixes" in client.get("/triage/").get_data(as_text=True)
