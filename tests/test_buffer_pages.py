"""The placement, check-in and buffer pages: they work, refuse bad input with field messages,
hide pay bands from all but admins, and cost the same statements at 5 and 50 placed people."""

from datetime import date, timedelta

import sqlalchemy as sa
import time_machine

from lms.extensions import db
from lms.models import CheckIn, Enrollment, Placement, User
from tests.buffer_fixtures import make_agent, pass_tiers, place
from tests.conftest import login

TODAY = date(2026, 12, 29)


def _freeze():
    return time_machine.travel("2026-12-29 10:00 +0800", tick=False)


def test_admin_places_a_trainee_through_the_form(app, client, make_user, trainee_with_mentors):
    admin = make_user("admin")
    login(client, admin)
    with app.app_context():
        enrollment = db.session.get(Enrollment, trainee_with_mentors.enrollment_id)
        agent_id = make_agent(db.session).id
        db.session.commit()
    url = f"/admin/enrollments/{trainee_with_mentors.enrollment_id}/place"
    page = client.get(url)
    assert page.status_code == 200 and "required assessments passed" in page.get_data(as_text=True)
    data = {"role": "collab_cs", "team": "售后二组", "lead_name": "黄蕾", "agent_id": str(agent_id),
            "coach_id": str(trainee_with_mentors.biz.id), "start_date": "2026-12-07", "pay_band_after": "P5"}
    refused = client.post_form(url, data)
    assert refused.status_code == 400 and "Not placed" in refused.get_data(as_text=True)
    with app.app_context():
        enrollment = db.session.get(Enrollment, trainee_with_mentors.enrollment_id)
        pass_tiers(db.session, enrollment, ["foundation", "advanced"])
        db.session.commit()
    bad = client.post_form(url, {**data, "team": ""})
    assert bad.status_code == 400 and "invalid-feedback" in bad.get_data(as_text=True)
    done = client.post_form(url, data)
    assert done.status_code == 302
    detail = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "P5" in detail and 'id="pay-band"' in detail


def test_pay_band_not_on_the_coach_or_trainee_pages(app, client, trainee_with_mentors):
    with app.app_context():
        pid = place(db.session, trainee_with_mentors.enrollment_id, date(2026, 12, 7), pay_band_after="P5-SECRET")
    with _freeze():
        login(client, trainee_with_mentors.biz)
        coach_page = client.get(f"/mentor/buffer/{pid}").get_data(as_text=True)
        login(client, trainee_with_mentors.trainee)
        own_page = client.get("/me/buffer").get_data(as_text=True)
    assert "P5-SECRET" not in coach_page and "P5-SECRET" not in own_page
    assert "Day 23 of 90" in own_page


def test_coach_logs_a_checkin_and_the_person_adds_a_note(app, client, trainee_with_mentors, make_user):
    with app.app_context():
        pid = place(db.session, trainee_with_mentors.enrollment_id, date(2026, 12, 7))
    with _freeze():
        login(client, trainee_with_mentors.biz)
        form = client.get(f"/mentor/buffer/{pid}")
        assert form.status_code == 200 and 'name="week"' in form.get_data(as_text=True)
        data = {"week": "1", "agent_share": "62", "handoffs": "14", "went_well": "退款流程熟练",
                "hard": "情绪激动的客户",
                "wellbeing": "4", "actions-0-action": "复盘三单投诉", "actions-0-owner": "陈静"}
        bad = client.post_form(f"/mentor/buffer/{pid}", {**data, "wellbeing": "", "agent_share": "140"})
        assert bad.status_code == 400 and "invalid-feedback" in bad.get_data(as_text=True)
        assert client.post_form(f"/mentor/buffer/{pid}", data).status_code == 302
        listing = client.get("/mentor/buffer").get_data(as_text=True)
        assert "Weeks 2, 3: no check-in logged" in listing  # weeks 2 and 3 are over and empty
        other = make_user("mentor", mentor_kind="business")
        login(client, other)
        assert client.get(f"/mentor/buffer/{pid}").status_code == 404
        login(client, trainee_with_mentors.trainee)
        with app.app_context():
            checkin_id = db.session.scalar(sa.select(CheckIn.id))
        assert client.post_form(f"/me/buffer/checkins/{checkin_id}/note", {"note": "想多练投诉"}).status_code == 302
        assert "想多练投诉" in client.get("/me/buffer").get_data(as_text=True)


def test_pages_render_in_chinese(app, client, trainee_with_mentors, make_user):
    with app.app_context():
        pid = place(db.session, trainee_with_mentors.enrollment_id, date(2026, 12, 7))
    admin = make_user("admin", locale="zh_CN")
    with app.app_context():
        db.session.execute(sa.update(User).values(locale="zh_CN"))
        db.session.commit()
    with _freeze():
        for user, url in ((admin, "/admin/placements"), (admin, f"/admin/placements/{pid}"),
                          (admin, "/admin/agents"), (admin, "/admin/handoffs"), (admin, "/admin/calendar"),
                          (admin, f"/admin/enrollments/{trainee_with_mentors.enrollment_id}"),
                          (trainee_with_mentors.biz, "/mentor/buffer"),
                          (trainee_with_mentors.biz, f"/mentor/buffer/{pid}"),
                          (trainee_with_mentors.trainee, "/me/buffer")):
            login(client, user)
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.get_data(as_text=True)
            assert any(word in html for word in ("缓冲期", "智能体", "工作日历", "去向")), url


def _placed_people(app, make_cohort, coach: User, n: int) -> None:
    _, ids = make_cohort(trainees=n)
    with app.app_context():
        for i, enrollment_id in enumerate(ids):
            pid = place(db.session, enrollment_id, date(2026, 11, 2) + timedelta(days=i % 20), coach_id=coach.id)
            db.session.add(CheckIn(placement_id=pid, week=1, coach_id=coach.id, agent_share=50, handoffs=3,
                                   went_well="a", hard="b", wellbeing=3, actions=[]))
        db.session.commit()


def test_coach_page_statements_constant_at_5_and_50_placed(app, client, make_cohort, make_user, count_queries):
    coach = make_user("mentor", mentor_kind="business", capacity=100)
    with app.app_context():
        from lms.models import CoachSeats

        db.session.add(CoachSeats(coach_id=coach.id, capacity=100, taken=0))
        db.session.commit()
    counts = []
    for n in (5, 45):
        _placed_people(app, make_cohort, coach, n)
        with _freeze():
            login(client, coach)
            with count_queries() as counter:
                page = client.get("/mentor/buffer")
        assert page.status_code == 200
        counts.append(len(counter.statements))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement)) == 50
    assert counts[0] == counts[1]


def test_handoff_file_in_gb18030_is_previewed_then_imported_with_chinese_headings(app, client, make_user,
                                                                                 trainee_with_mentors):
    from lms.models import HandoffEvent
    from tests.test_intake_files import _confirm, _upload

    with app.app_context():
        place(db.session, trainee_with_mentors.enrollment_id, date(2026, 2, 2))
    login(client, make_user("admin"))
    email = trainee_with_mentors.trainee.email
    text = ("事件编号,员工邮箱,智能体,转人工时间,响应时间,结案时间,是否复杂,跨团队,分类\n"
            f"QN-1,{email},小蜜客服助手,2026-02-03 10:00,2026-02-03 10:31,,是,否,退款\n"
            f"QN-2,{email},cs-bot,2026-02-03 11:00,2026-02-03 11:10,2026-02-03 12:00,否,是,物流异常\n")
    preview = _upload(client, "/admin/handoffs", text.encode("gb18030"), "转人工.csv")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "GB18030" in html and "物流异常" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HandoffEvent)) == 0
    assert _confirm(client, "/admin/handoffs", html).status_code == 302
    bad = _upload(client, "/admin/handoffs", (text + f"QN-3,{email},nobot,2026-02-03 11:00,,,否,否,x\n").encode(),
                  "转人工.csv")
    assert bad.status_code == 400 and 'id="import-errors"' in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HandoffEvent)) == 2


def test_admin_placements_page_statements_constant(app, client, make_cohort, make_user, count_queries):
    coach = make_user("mentor", mentor_kind="business", capacity=100)
    admin = make_user("admin")
    with app.app_context():
        from lms.models import CoachSeats

        db.session.add(CoachSeats(coach_id=coach.id, capacity=100, taken=0))
        db.session.commit()
    counts = []
    for n in (5, 45):
        _placed_people(app, make_cohort, coach, n)
        make_cohort(trainees=3)  # not placed
        with _freeze():
            login(client, admin)
            with count_queries() as counter:
                assert client.get("/admin/placements").status_code == 200
        counts.append(len(counter.statements))
    assert counts[0] == counts[1]


def test_admin_sets_a_coachs_buffer_capacity_never_below_the_people_coached(app, client, make_user,
                                                                           trainee_with_mentors):
    from lms.models import CoachSeats

    with app.app_context():
        place(db.session, trainee_with_mentors.enrollment_id, date(2026, 12, 7))
    login(client, make_user("admin"))
    url = f"/admin/coaches/{trainee_with_mentors.biz.id}/capacity"
    assert client.post_form(url, {"capacity": "0"}, follow_redirects=True).status_code == 200
    with app.app_context():
        assert db.session.get(CoachSeats, trainee_with_mentors.biz.id).capacity == 8  # 1 coached: 0 refused
    client.post_form(url, {"capacity": "3"})
    client.post_form(url, {"capacity": "99999999999"})  # not a bounded number: refused, no 500
    with app.app_context():
        seats = db.session.get(CoachSeats, trainee_with_mentors.biz.id)
        assert (seats.capacity, seats.taken) == (3, 1)
        assert db.session.get(User, trainee_with_mentors.biz.id).capacity == 50  # training capacity untouched


def test_json_ingest_refuses_what_is_not_a_list_of_events(app):
    from lms.services import handoffs
    from lms.services.buffer_clock import BufferSettings

    with app.app_context():
        for payload in ({"external_id": "x"}, ["x"], None):
            report = handoffs.ingest(db.session, None, payload, BufferSettings())
            assert not report.ok and report.errors[0].field == "file"


def test_a_team_lead_reads_only_the_people_placed_with_them(app, client, make_user, trainee_with_mentors):
    from lms.permissions import may_lead

    lead = make_user("lead", email="lead@example.com")
    other_lead = make_user("lead")
    with app.app_context():
        pid = place(db.session, trainee_with_mentors.enrollment_id, date(2026, 12, 7), pay_band_after="P5-SECRET",
                    lead_email="Lead@Example.com")
        placement = db.session.get(Placement, pid)
        assert may_lead(lead, placement) and not may_lead(other_lead, placement)
    with _freeze():
        login(client, lead)
        assert client.get("/").headers["Location"].endswith("/lead/")
        listing = client.get("/lead/").get_data(as_text=True)
        assert trainee_with_mentors.trainee.name in listing
        page = client.get(f"/lead/placements/{pid}")
        assert page.status_code == 200 and "P5-SECRET" not in page.get_data(as_text=True)
        assert client.get(f"/admin/placements/{pid}").status_code == 403
        assert client.get(f"/mentor/buffer/{pid}").status_code == 403
        login(client, other_lead)
        assert client.get(f"/lead/placements/{pid}").status_code == 404
        assert trainee_with_mentors.trainee.name not in client.get("/lead/").get_data(as_text=True)


def test_correcting_a_checkin_edits_only_the_week_it_was_opened_for(app, client, trainee_with_mentors):
    """The week is explicit (?week=N, a hidden field); a save for week N never takes another
    week's answers, and a save made on stale answers is refused with the typed text kept."""
    from lms.services import checkins as checkin_service
    with app.app_context():
        pid = place(db.session, trainee_with_mentors.enrollment_id, date(2026, 12, 7))
    base = {"agent_share": "50", "handoffs": "10", "wellbeing": "3", "hard": "难点"}
    with _freeze():
        login(client, trainee_with_mentors.biz)
        url = f"/mentor/buffer/{pid}"
        for week, words in ((1, "第一周顺利"), (3, "第三周顺利")):
            page = client.get(f"{url}?week={week}").get_data(as_text=True)
            assert f'name="week" type="hidden" value="{week}"' in page
            assert client.post_form(url, {**base, "week": str(week), "version": "",
                                          "went_well": words}).status_code == 302
        page = client.get(url).get_data(as_text=True)
        assert f'href="/mentor/buffer/{pid}?week=1#checkin-form"' in page  # an edit link per logged week
        week1 = client.get(f"{url}?week=1").get_data(as_text=True)
        assert "第一周顺利</textarea>" in week1 and "第三周顺利</textarea>" not in week1
        with app.app_context():
            rows = {c.week: c for c in db.session.scalars(sa.select(CheckIn))}
            v1, v3 = checkin_service.version_of(rows[1]), checkin_service.version_of(rows[3])
        # week 3's form (its version) posted as week 1: refused, typed text kept, week 1 untouched
        stale = client.post_form(url, {**base, "week": "1", "version": v3, "went_well": "改过的"})
        assert stale.status_code == 409 and "改过的</textarea>" in stale.get_data(as_text=True)
        assert client.post_form(url, {**base, "week": "1", "version": v1, "went_well": "更正"}).status_code == 302
    with app.app_context():
        saved = {c.week: c.went_well for c in db.session.scalars(sa.select(CheckIn))}
    assert saved == {1: "更正", 3: "第三周顺利"}


def test_buffer_outcome_date_must_fit_the_period_and_the_outcome(app, client, make_user, trainee_with_mentors):
    """Not before the start nor in the future; completed only from the last day (day 90);
    extended to a new end after the current one; refusals are field messages on the page."""
    with app.app_context():
        pid = place(db.session, trainee_with_mentors.enrollment_id, date(2026, 11, 14))  # day 46 on TODAY
    base = {"reason": "goal_met", "note": ""}
    with _freeze():
        login(client, trainee_with_mentors.biz)
        coach_url = f"/mentor/buffer/{pid}/outcome"
        for data, words in (({"outcome": "completed", "on": "2001-01-01"}, "before the placement start"),
                            ({"outcome": "completed", "on": "2026-12-29"}, "on or after its last day, 2027-02-11"),
                            ({"outcome": "left", "on": "2027-01-05"}, "cannot be in the future"),
                            ({"outcome": "extended", "on": "2026-12-29", "new_end": "2027-02-01"},
                             "new end date after 2027-02-11")):
            refused = client.post_form(coach_url, {**base, **data})
            body = refused.get_data(as_text=True)
            assert refused.status_code == 400 and words in body and "invalid-feedback" in body, words
        admin = make_user("admin")
        login(client, admin)
        refused = client.post_form(f"/admin/placements/{pid}", {**base, "outcome": "completed", "on": "2026-12-29"})
        assert refused.status_code == 400 and "on or after its last day" in refused.get_data(as_text=True)
        assert client.post_form(f"/admin/placements/{pid}", {**base, "outcome": "extended", "on": "2026-12-29",
                                                             "new_end": "2027-03-13"}).status_code == 302
    with app.app_context():
        placement = db.session.get(Placement, pid)
        assert placement.outcome is None or placement.outcome.value == "extended"
        assert placement.buffer_end == date(2027, 3, 14)  # 2027-03-13 is the new last day


def test_buffer_period_range_shows_its_last_day_inclusive(app, client, trainee_with_mentors):
    with app.app_context():
        pid = place(db.session, trainee_with_mentors.enrollment_id, date(2026, 10, 13))
    with _freeze():
        login(client, trainee_with_mentors.biz)
        page = client.get(f"/mentor/buffer/{pid}").get_data(as_text=True)
    assert "2026-10-13 – 2027-01-10 (90 days)" in page


def test_checkin_wellbeing_and_what_is_hard_are_not_shown_to_the_lead(app, client, make_user, trainee_with_mentors):
    """may_see_checkin_private: the person, their coach and admins; the receiving lead reads the
    rest of the check-in and the person's note, which says who reads it."""
    from lms.permissions import may_see_checkin_private
    from lms.services import checkins as checkin_service

    lead = make_user("lead", email="lead@example.com")
    admin = make_user("admin")
    with app.app_context():
        pid = place(db.session, trainee_with_mentors.enrollment_id, date(2026, 12, 7))
        placement = db.session.get(Placement, pid)
        coach = db.session.get(User, placement.coach_id)
        row = checkin_service.save_checkin(db.session, coach, placement, {
            "week": 1, "agent_share": 60, "handoffs": 9, "went_well": "上手快", "hard": "夜班太累-PRIVATE",
            "wellbeing": 2, "actions": []}, TODAY)
        row.trainee_note = "想多练投诉"
        db.session.commit()
        assert may_see_checkin_private(coach, placement) and may_see_checkin_private(admin, placement)
        assert may_see_checkin_private(db.session.get(User, placement.trainee_id), placement)
        assert not may_see_checkin_private(lead, placement)
    with _freeze():
        login(client, lead)
        lead_page = client.get(f"/lead/placements/{pid}").get_data(as_text=True)
        assert "上手快" in lead_page and "想多练投诉" in lead_page
        assert "夜班太累-PRIVATE" not in lead_page and "Wellbeing: 2 of 5" not in lead_page
        for who, url in ((admin, f"/admin/placements/{pid}"), (trainee_with_mentors.biz, f"/mentor/buffer/{pid}"),
                         (trainee_with_mentors.trainee, "/me/buffer")):
            login(client, who)
            page = client.get(url).get_data(as_text=True)
            assert "夜班太累-PRIVATE" in page and "Wellbeing: 2 of 5" in page, url
        assert "Read by your buffer coach, the program admins and your receiving team lead." in page


def test_not_placed_outcome_is_offered_only_to_people_without_a_placement(app, client, make_user, make_cohort,
                                                                          trainee_with_mentors):
    """may_record_training_outcome: the enrollment page links a placed person to their placement,
    not to the not-placed outcome form; the two outcomes have their own reason lists."""
    from lms import labels
    from lms.permissions import may_record_training_outcome

    admin = make_user("admin")
    with app.app_context():
        pid = place(db.session, trainee_with_mentors.enrollment_id, date(2026, 12, 7))
        _, (unplaced,) = make_cohort(trainees=1)
        assert not may_record_training_outcome(admin, db.session.get(Placement, pid))
        assert may_record_training_outcome(admin, None)
    assert "goal_met" not in labels.TRAINING_REASONS and "goal_met" in labels.BUFFER_REASONS
    login(client, admin)
    placed_page = client.get(f"/admin/enrollments/{trainee_with_mentors.enrollment_id}").get_data(as_text=True)
    assert 'id="training-outcome-link"' not in placed_page and f'href="/admin/placements/{pid}"' in placed_page
    refused = client.get(f"/admin/enrollments/{trainee_with_mentors.enrollment_id}/outcome")
    assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/admin/placements/{pid}")
    unplaced_page = client.get(f"/admin/enrollments/{unplaced}").get_data(as_text=True)
    assert 'id="training-outcome-link"' in unplaced_page
    form = client.get(f"/admin/enrollments/{unplaced}/outcome").get_data(as_text=True)
    assert 'value="no_opening"' in form and 'value="goal_met"' not in form
    bad = client.post_form(f"/admin/enrollments/{unplaced}/outcome",
                           {"kind": "left", "reason": "goal_met", "note": "x", "on": "2026-11-20"})
    assert bad.status_code == 400


def test_missing_week_shows_as_a_gap_card_in_its_place(app, client, trainee_with_mentors):
    from lms.services import checkins as checkin_service
    with app.app_context():
        pid = place(db.session, trainee_with_mentors.enrollment_id, date(2026, 11, 10))  # week 8 on TODAY
        placement = db.session.get(Placement, pid)
        coach = db.session.get(User, placement.coach_id)
        for week in (1, 2, 3, 5, 6, 7):
            checkin_service.save_checkin(db.session, coach, placement, {
                "week": week, "agent_share": 50, "handoffs": 5, "went_well": "好", "hard": "难", "wellbeing": 3,
                "actions": []}, TODAY)
        db.session.commit()
    with _freeze():
        login(client, trainee_with_mentors.biz)
        page = client.get(f"/mentor/buffer/{pid}").get_data(as_text=True)
    order = [page.index(f'id="checkin-{w}"') for w in (7, 6, 5, 4, 3)]
    assert order == sorted(order) and "Week 4: no check-in logged" in page
    assert 'class="card mb-3 checkin-gap' in page and "without a check-in" not in page
    assert 'required-mark' in page.split('id="checkin-form"')[1].split("</fieldset>")[0]  # wellbeing marked


def test_checkin_card_shows_when_the_coach_logged_it(app, client, trainee_with_mentors):
    from datetime import datetime

    from lms.services import checkins as checkin_service
    with app.app_context():
        pid = place(db.session, trainee_with_mentors.enrollment_id, date(2026, 12, 7))
        placement = db.session.get(Placement, pid)
        row = checkin_service.save_checkin(db.session, db.session.get(User, placement.coach_id), placement, {
            "week": 1, "agent_share": 50, "handoffs": 5, "went_well": "好", "hard": "难", "wellbeing": 3,
            "actions": []}, TODAY)
        row.created_at, row.updated_at = datetime(2026, 12, 10, 2, 0), datetime(2026, 12, 20, 2, 0)
        db.session.commit()
    with _freeze():
        login(client, trainee_with_mentors.biz)
        card = client.get(f"/mentor/buffer/{pid}").get_data(as_text=True).split('id="checkin-1"')[1][:600]
    assert "2026-12-10" in card and "2026-12-20" not in card


def test_capacity_zero_is_accepted_and_below_the_people_coached_is_explained(app, client, make_user,
                                                                             trainee_with_mentors):
    from lms.models import CoachSeats
    admin = make_user("admin")
    idle = make_user("mentor", mentor_kind="business")
    with app.app_context():
        place(db.session, trainee_with_mentors.enrollment_id, date(2026, 12, 7))
    login(client, admin)
    assert client.post_form(f"/admin/coaches/{idle.id}/capacity", {"capacity": "0"}).status_code == 302
    client.post_form(f"/admin/coaches/{trainee_with_mentors.biz.id}/capacity", {"capacity": "0"})
    page = client.get("/admin/placements").get_data(as_text=True)
    assert "The capacity cannot be below 1: the number of placed people" in page
    with app.app_context():
        assert db.session.get(CoachSeats, idle.id).capacity == 0
        assert db.session.get(CoachSeats, trainee_with_mentors.biz.id).capacity > 0


def test_impossible_date_says_not_a_valid_date_and_counts_say_what_they_count(app, client, make_user,
                                                                              trainee_with_mentors):
    admin = make_user("admin")
    with app.app_context():
        pid = place(db.session, trainee_with_mentors.enrollment_id, date(2026, 12, 7))
    with _freeze():
        login(client, admin)
        bad = client.post_form(f"/admin/placements/{pid}", {"outcome": "left", "reason": "personal",
                                                            "on": "2026-02-30"})
        body = bad.get_data(as_text=True)
        assert bad.status_code == 400 and "Not a valid date value" in body and "This field is required" not in body
        listing = client.get("/admin/placements").get_data(as_text=True)
        assert "still in training:" in listing and "training over, no outcome recorded:" in listing
        handoff_page = client.get("/admin/handoffs").get_data(as_text=True)
        assert "Asia/Shanghai" in handoff_page
