"""The HR API's resources on a small hand-built program: cohorts with their figures, trainees'
progress, enrollment (all or nothing, the CSV import's rules), hand-off events, placements and
awards. Every response is checked against the OpenAPI document (tests/api_helpers.py)."""

import json
from datetime import date, datetime, time

import pytest
import sqlalchemy as sa
import time_machine

from lms.extensions import db
from lms.models import (
    Cohort,
    Enrollment,
    HandoffEvent,
    Invitation,
    Placement,
    User,
)
from lms.services import placement as placement_service
from tests.api_helpers import make_token
from tests.buffer_fixtures import place

COHORT_START = date(2026, 9, 7)  # make_cohort's default; week 14 ends 2026-12-20


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="管理员")


@pytest.fixture
def read(app, admin):
    return make_token(app, admin, "read")


@pytest.fixture
def write(app, admin):
    return make_token(app, admin, "write")


def _all_pages(api, path: str, token: str, limit: int, cursor=None) -> list[dict]:
    items, pages = [], 0
    while True:
        sep = "&" if "?" in path else "?"
        url = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        body = api.get(url, token).get_json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items
        assert pages < 50


def test_cohorts_page_by_cursor_with_head_counts(app, api, read, make_cohort):
    ids = [make_cohort(trainees=n, code=f"API{n}")[0] for n in (2, 0, 1)]
    items = _all_pages(api, "/api/v1/cohorts", read, limit=2)
    assert [c["id"] for c in items] == sorted(ids)
    first = items[0]
    assert first["code"] == "API2" and first["program"] and first["start_date"] == "2026-09-07"
    assert first["counts"] == {"active": 2, "withdrawn": 0, "lacking_mentor": 2}
    assert items[1]["counts"] == {"active": 0, "withdrawn": 0, "lacking_mentor": 0}
    # a cohort added after the first page was read appears on a later page, none repeated
    body = api.get("/api/v1/cohorts?limit=1", read).get_json()
    later = make_cohort(trainees=0, code="LATE")[0]
    rest = _all_pages(api, "/api/v1/cohorts", read, limit=1, cursor=body["next_cursor"])
    assert [c["id"] for c in body["items"] + rest] == sorted(ids) + [later]


@pytest.fixture
def small_cohort(app, make_cohort, make_user):
    """Five trainees in one cohort, each in a different place (the figures below count them by hand):
    0 placed in week 13 and buffer completed · 1 placed after week 14, in the buffer ·
    2 not placed, left · 3 withdrawn · 4 in training."""
    from lms.services import cohorts as cohort_service

    coach = make_user("mentor", mentor_kind="business", capacity=10)
    admin_id = make_user("admin").id
    cohort_id, enrollments = make_cohort(trainees=5)
    with app.test_request_context():
        place(db.session, enrollments[0], date(2026, 12, 1), coach_id=coach.id)
        place(db.session, enrollments[1], date(2027, 1, 10), coach_id=coach.id)
        p0 = db.session.scalar(sa.select(Placement).where(Placement.enrollment_id == enrollments[0]))
        placement_service.record_buffer_outcome(db.session, None, p0, "completed", "goal_met", "", p0.last_day)
        placement_service.record_training_outcome(db.session, None, db.session.get(Enrollment, enrollments[2]),
                                                  "left", "personal", "搬家", date(2026, 12, 5))
        cohort_service.withdraw(db.session, db.session.get(User, admin_id),
                                db.session.get(Enrollment, enrollments[3]), "家庭原因", date(2026, 10, 1))
        db.session.commit()
    return cohort_id, enrollments


def test_a_cohorts_figures_match_a_hand_count(app, api, read, small_cohort):
    cohort_id, _ = small_cohort
    with time_machine.travel("2027-02-01 10:00 +0800", tick=False):
        body = api.get(f"/api/v1/cohorts/{cohort_id}", read).get_json()
    kpis = body["kpis"]
    # nobody in this cohort was given mentors: of the 4 active enrollments the 2 placed ones no longer
    # need training mentors, nor does the one who left (a final outcome ends training), so 1 lacks them
    assert kpis["enrollment"] == {"enrolled": 5, "active": 4, "withdrawn": 1, "lacking_mentor": 1}
    assert kpis["placement"] == {
        "placed": 2, "placed_by_week_14": 1, "placed_by_week_14_of": 5, "placed_by_week_14_rate": 0.2,
        "in_training": 1, "in_buffer": 1, "finished": 2,
        "buffer_outcomes": {"completed": 1, "extended": 0, "redeployed": 0, "left": 0},
        "not_placed": {"extended_training": 0, "redeployed": 0, "returned": 0, "left": 1}}
    # settled: 5 enrolled − 1 in training − 1 in the buffer = 3; completed 1 → 1/3
    assert kpis["transition_success"] == {"completed": 1, "settled": 3, "rate": 0.3333, "reference": 0.83}
    assert kpis["phase"] == "buffer" and kpis["week"] == 21
    assert kpis["contributions"]["total"] == 0 and kpis["contributions"]["rate"] is None
    assert body["counts"] == {"active": 4, "withdrawn": 1, "lacking_mentor": 1}
    listed = next(c for c in api.get("/api/v1/cohorts", read).get_json()["items"] if c["id"] == cohort_id)
    assert listed["counts"] == body["counts"]  # the cohort list counts as the cohort's figures do


def test_a_cohorts_figures_are_the_dashboards(app, api, read, small_cohort):
    """The API reads the dashboard's service functions: the same cohort, the same numbers."""
    from lms.services import dashboard
    from lms.services.buffer_clock import BufferSettings
    from lms.services.defect_rules import DefectSettings
    from lms.services.report_scope import Scope

    cohort_id, _ = small_cohort
    rates = {}
    for day in ("2026-11-02", "2027-02-01"):  # week 8 (placement week not reached yet) and week 21
        with time_machine.travel(f"{day} 10:00 +0800", tick=False):
            kpis = api.get(f"/api/v1/cohorts/{cohort_id}", read).get_json()["kpis"]
        with app.app_context():
            today = date.fromisoformat(day)
            d = dashboard.build(db.session, Scope(cohort_id=cohort_id), today, datetime.combine(today, time(2)),
                                BufferSettings(), DefectSettings())
        total, placement = d.funnel.total, kpis["placement"]
        assert (kpis["enrollment"]["enrolled"], kpis["enrollment"]["withdrawn"]) == (total.enrolled, total.withdrawn)
        assert (placement["placed"], placement["placed_by_week_14"], placement["placed_by_week_14_of"],
                placement["in_training"], placement["in_buffer"], placement["finished"]) == (
            total.placed, total.placed_in_time, total.past_placement_week, total.in_training, total.in_buffer,
            total.finished)
        assert placement["placed_by_week_14_rate"] == (None if d.placed_in_time_share is None
                                                       else round(d.placed_in_time_share, 4))
        rates[day] = placement["placed_by_week_14_rate"]
        assert kpis["transition_success"]["completed"] == total.completed
        assert kpis["transition_success"]["rate"] == (None if d.transition_success is None
                                                      else round(d.transition_success, 4))
        assert kpis["phase"] == d.cohorts[0].phase.value
        assert sum(placement["not_placed"].values()) == sum(n for _k, _r, n in d.outcomes.not_placed)
        assert kpis["contributions"]["total"] == d.contributions.total
        phases = {state: n for counts in d.phases.values() for state, n in counts.items()}
        assert (phases["in_training"], phases["in_buffer"], phases["finished"]) == (
            placement["in_training"], placement["in_buffer"], placement["finished"])
    # in week 8 the cohort is not past placement week: no rate yet, rather than a share of everyone
    assert rates == {"2026-11-02": None, "2027-02-01": 0.2}


def test_a_cohorts_trainees_with_their_progress(app, api, read, small_cohort):
    cohort_id, enrollments = small_cohort
    items = _all_pages(api, f"/api/v1/cohorts/{cohort_id}/trainees", read, limit=2)
    assert [i["id"] for i in items] == enrollments
    placed = items[0]
    assert placed["status"] == "active" and placed["target_role"] == "collab_cs"
    assert placed["lessons"]["total"] > 0 and placed["lessons"]["done"] == 0
    assert set(placed["attainment"]) == {"data_processing", "problem_solving", "tool_use", "communication"}
    withdrawn = api.get(f"/api/v1/cohorts/{cohort_id}/trainees?status=withdrawn", read).get_json()["items"]
    assert [i["id"] for i in withdrawn] == [enrollments[3]] and withdrawn[0]["status"] == "withdrawn"


def test_a_trainees_progress(app, api, read, trainee_with_mentors):
    t = trainee_with_mentors
    with time_machine.travel("2026-09-20 10:00 +0800", tick=False):
        body = api.get(f"/api/v1/trainees/{t.trainee.id}", read).get_json()
    assert body["trainee"]["email"] == t.trainee.email
    assert body["enrollment"]["id"] == t.enrollment_id and body["phase"] == "training" and body["week"] == 1
    assert body["mentors"]["ai"]["id"] == t.ai.id and body["mentors"]["business"]["id"] == t.biz.id
    assert [tier["code"] for tier in body["tiers"]][0] == "foundation" and body["tiers"][0]["unlocked"]
    assert body["placement"] is None and body["work"]["overdue"] == 0


def test_a_mentor_or_another_user_is_not_a_trainee(api, read, make_user):
    assert api.get(f"/api/v1/trainees/{make_user('mentor').id}", read).status_code == 404
    assert api.get(f"/api/v1/trainees/{make_user('trainee').id}", read).status_code == 404  # not enrolled


ROWS = [{"email": "Wang.Fang@Example.com", "name": "王芳", "target_role": "人机协同客服", "source_role": "客服"},
        {"email": "li.na@example.com", "name": "李娜", "target_role": "collab_cs"}]


def test_enrollment_creates_accounts_and_enrolls_with_the_imports_rules(app, api, write, make_cohort):
    cohort_id, _ = make_cohort(trainees=0)
    response = api.post(f"/api/v1/cohorts/{cohort_id}/enrollments", write, {"trainees": ROWS})
    assert response.status_code == 200
    assert response.get_json() == {"dry_run": False, "checked": 2, "enrolled": 2, "updated": 0, "unchanged": 0,
                                   "accounts_created": 2, "invitations_emailed": 0}
    with app.app_context():
        wang = db.session.scalar(sa.select(User).where(User.email == "wang.fang@example.com"))
        enrollment = db.session.scalar(sa.select(Enrollment).where(Enrollment.trainee_id == wang.id))
        assert (enrollment.target_role.value, enrollment.source_role.value) == ("collab_cs", "basic_cs")
        assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 2  # set-password links, as the CSV
    again = api.post(f"/api/v1/cohorts/{cohort_id}/enrollments", write, {"trainees": ROWS}).get_json()
    assert (again["enrolled"], again["unchanged"], again["accounts_created"]) == (0, 2, 0)


def test_enrollment_is_all_or_nothing_and_names_each_bad_row(app, api, write, make_cohort, make_user):
    cohort_id, _ = make_cohort(trainees=0)
    mentor = make_user("mentor")
    rows = ROWS + [{"email": "not-an-email", "name": "坏", "target_role": "collab_cs"},
                   {"email": mentor.email, "name": "导师", "target_role": "astronaut"},
                   {"email": "li.na@example.com", "name": "李娜", "target_role": "collab_cs"}]
    response = api.post(f"/api/v1/cohorts/{cohort_id}/enrollments", write, {"trainees": rows})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "/api/v1/docs#problem-rows"
    assert set(body["errors"]) == {"trainees.2.email", "trainees.3.email", "trainees.3.target_role",
                                   "trainees.4.email"}
    assert "same email as line 3" in body["errors"]["trainees.4.email"][0]
    with app.app_context():  # the good rows were not written either
        assert db.session.scalar(sa.select(User).where(User.email == "li.na@example.com")) is None
        assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 0


def test_enrollment_dry_run_writes_nothing_and_a_closed_cohort_refuses(app, api, write, make_cohort):
    cohort_id, _ = make_cohort(trainees=0)
    body = api.post(f"/api/v1/cohorts/{cohort_id}/enrollments", write, {"trainees": ROWS, "dry_run": True}).get_json()
    assert body["dry_run"] and body["checked"] == 2 and body["enrolled"] == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email.like("%example.com"))) == 1
        db.session.get(Cohort, cohort_id).closed_at = datetime(2026, 10, 1)
        db.session.commit()
    response = api.post(f"/api/v1/cohorts/{cohort_id}/enrollments", write, {"trainees": ROWS})
    assert response.status_code == 422 and "cohort" in response.get_json()["errors"]


def test_enrollment_needs_a_list_of_rows(api, write, make_cohort):
    cohort_id, _ = make_cohort(trainees=0)
    for body in ({"trainees": []}, {}, {"trainees": [{"email": "a@example.com"}]}):
        response = api.post(f"/api/v1/cohorts/{cohort_id}/enrollments", write, body)
        assert response.status_code == 422
    blank = api.post(f"/api/v1/cohorts/{cohort_id}/enrollments", write,
                     {"trainees": [{"email": "", "target_role": ""}]})
    assert blank.status_code == 422 and "trainees" in blank.get_json()["errors"]


def _placed(app, trainee_with_mentors) -> int:
    with app.test_request_context():
        return place(db.session, trainee_with_mentors.enrollment_id, date(2026, 3, 2))


def _event(n: int, email: str, **extra) -> dict:
    return {"external_id": f"EV-{n}", "trainee": email, "agent": "cs-bot", "flagged_at": "2026-03-03 10:00",
            "responded_at": "2026-03-03T10:20:00+08:00", "complex": n % 2 == 0, "cross_team": False, **extra}


def test_handoff_events_in_a_batch_idempotent_and_all_or_nothing(app, api, write, trainee_with_mentors):
    _placed(app, trainee_with_mentors)
    email = trainee_with_mentors.trainee.email
    events = [_event(n, email) for n in range(3)]
    assert api.post("/api/v1/handoff-events", write, {"events": events}).get_json() == {
        "created": 3, "updated": 0, "unchanged": 0}
    events[1]["closed_at"] = "2026-03-03 15:00"
    assert api.post("/api/v1/handoff-events", write, {"events": events}).get_json() == {
        "created": 0, "updated": 1, "unchanged": 2}
    bad = [_event(9, email), _event(10, "nobody@example.com"), _event(11, email, agent="other-bot"),
           _event(12, email, responded_at="2026-03-03 09:00")]
    response = api.post("/api/v1/handoff-events", write, {"events": bad})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"events.1.trainee", "events.2.agent", "events.3.responded_at"}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(HandoffEvent.id))) == 3
        event = db.session.scalar(sa.select(HandoffEvent).where(HandoffEvent.external_id == "EV-0"))
        assert event.response_seconds == 20 * 60  # 10:00 in the program's zone, 10:20 +08:00


def test_placements_and_awards(app, api, read, trainee_with_mentors, make_user):
    from tests.test_contributions import _measured

    with app.test_request_context():
        c, _measurer, other = _measured(app, trainee_with_mentors, make_user)
        from lms.services import contributions

        contributions.approve_award(db.session, other, c, 1000)
        db.session.commit()
    placements = api.get("/api/v1/placements", read).get_json()["items"]
    assert len(placements) == 1
    p = placements[0]
    assert p["trainee"]["id"] == trainee_with_mentors.trainee.id and p["agent_code"] == "cs-bot"
    assert p["start_date"] == "2026-03-02" and p["buffer_last_day"] == "2026-05-30" and p["outcome"] is None
    assert "pay_band_before" in p  # an admin's token reads pay bands
    other_cohort = api.get(f"/api/v1/placements?cohort_id={trainee_with_mentors.cohort_id + 1}", read).get_json()
    assert other_cohort["items"] == []
    awards = api.get("/api/v1/awards", read).get_json()["items"]
    assert len(awards) == 1 and awards[0]["band_cny"] == 1000 and awards[0]["payout"] == "approved"
    assert awards[0]["contributor"]["id"] == trainee_with_mentors.trainee.id
    assert api.get("/api/v1/awards?payout=paid", read).get_json()["items"] == []


def test_the_document_is_openapi_3_1_with_valid_schemas(app, openapi_document):
    from jsonschema import Draft202012Validator

    doc = openapi_document.doc
    assert doc["openapi"] == "3.1.0" and doc["info"]["title"] == "Reskill HR API"
    for name, schema in doc["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema), name
    operations = [(path, method) for path, item in doc["paths"].items() for method in item if method != "parameters"]
    assert len(operations) == 10
    for path, method in operations:
        op = doc["paths"][path][method]
        assert op["security"] == [{"bearerToken": []}] and op["x-token-scope"] in ("read", "write")
        assert {"401", "403", "default"} <= set(op["responses"])
    # the request bodies are the schemas that validate them
    assert doc["paths"]["/api/v1/defects"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DefectIn"}
    assert "excerpt" in doc["components"]["schemas"]["DefectIn"]["required"]


def test_the_reference_page_works_offline_in_both_languages(app, client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/cohorts/{cohort_id}/enrollments" in html and "Enroll trainees" in html
    assert 'id="problem-rows"' in html
    assert "http://" not in html.replace(client.application.config.get("SERVER_NAME") or "http://localhost", "")
    assert "<script src=\"http" not in html and "cdn" not in html.lower()
    with client.session_transaction() as sess:
        sess["locale"] = "zh_CN"
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "学员报名" in html
    document = json.loads(client.get("/api/v1/openapi.json", headers={"Accept-Language": "zh-CN"}).data)
    assert document["paths"]["/api/v1/cohorts"]["get"]["summary"] == "批次列表"


def test_the_openapi_document_follows_accept_language_not_the_session(app, client):
    with client.session_transaction() as sess:
        sess["locale"] = "zh_CN"
    summary = {}
    for header in ("en", "zh-CN,zh;q=0.9", "en-US,en;q=0.8"):
        document = json.loads(client.get("/api/v1/openapi.json", headers={"Accept-Language": header}).data)
        summary[header] = document["paths"]["/api/v1/cohorts"]["get"]["summary"]
    assert summary == {"en": "List cohorts", "zh-CN,zh;q=0.9": "批次列表", "en-US,en;q=0.8": "List cohorts"}
