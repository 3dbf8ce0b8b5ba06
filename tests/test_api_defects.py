"""Agent defects through the HR API: a placed person's own token logs only their own defects
(masked like the form), an admin's write token logs one for a placed person, nobody else; the
list shows one's own defects, or every defect to the operations team."""

from datetime import date

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import AgentDefect, AuditEvent, DefectReport, Enrollment
from tests.api_helpers import make_token
from tests.buffer_fixtures import place
from tests.defect_fixtures import EXCERPT, START, values


@pytest.fixture
def placed_pair(app, make_cohort, make_user):
    """Two placed people paired with the same agent: (cohort id, [trainee users])."""
    coach = make_user("mentor", mentor_kind="business", capacity=10)
    cohort_id, enrollments = make_cohort(trainees=2)
    with app.test_request_context():
        for enrollment_id in enrollments:
            place(db.session, enrollment_id, START, coach_id=coach.id)
        trainees = [db.session.get(Enrollment, e).trainee for e in enrollments]
        for t in trainees:
            db.session.expunge(t)
    return cohort_id, trainees


def _body(**extra) -> dict:
    body = values(**extra)
    body.pop("reach")
    body["seen_at"] = "2026-03-03T20:31:00+08:00"
    return body


def test_a_placed_persons_token_logs_their_own_defect_masked(app, api, placed_pair):
    _, (first, _second) = placed_pair
    token = make_token(app, first, "write")
    response = api.post("/api/v1/defects", token, _body())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["reporter_id"] == first.id and body["state"] == "new" and body["agent"]["code"] == "cs-bot"
    assert "138-1234-5678" not in body["excerpt"] and "王小明" not in body["excerpt"] and body["excerpt"]
    assert body["seen_at"] == "2026-03-03T12:31:00Z"
    with app.app_context():
        stored = db.session.get(AgentDefect, body["id"])
        assert "138-1234-5678" not in stored.excerpt and stored.reporter_id == first.id
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "defect.log"))
        assert event.actor_id == first.id and "reporter_id" not in event.after


def test_a_placed_persons_token_cannot_log_for_someone_else(app, api, placed_pair):
    _, (first, second) = placed_pair
    token = make_token(app, first, "write")
    response = api.post("/api/v1/defects", token, _body(reporter=second.email))
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    # an e-mail nobody has gets the very same answer: the token learns nothing about accounts
    unknown = api.post("/api/v1/defects", token, _body(reporter="nobody@example.com"))
    assert (unknown.status_code, unknown.get_json()) == (403, response.get_json())
    assert api.post("/api/v1/defects", token, _body(reporter=first.email.upper())).status_code == 201  # themself
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AgentDefect.id))) == 1


def test_an_admins_write_token_logs_for_a_placed_person(app, api, placed_pair, make_user):
    _, (first, _second) = placed_pair
    admin = make_user("admin")
    response = api.post("/api/v1/defects", make_token(app, admin, "write"), _body(reporter=first.email.upper()))
    assert response.status_code == 201
    assert response.get_json()["reporter_id"] == first.id
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "defect.log"))
        assert event.actor_id == admin.id and event.after["reporter_id"] == first.id  # who acted, for whom
    # …but not for someone without a running buffer period, nor for nobody
    other = make_user("trainee")
    for reporter, status in ((other.email, 403), (admin.email, 403), ("nobody@example.com", 422)):
        assert api.post("/api/v1/defects", make_token(app, admin, "write"), _body(reporter=reporter)).status_code \
            == status
    missing = api.post("/api/v1/defects", make_token(app, admin, "write"), _body())
    assert missing.status_code == 422
    assert missing.get_json()["errors"] == {"reporter": ["required for an admin's token"]}


def test_an_unplaced_trainees_token_cannot_log(app, api, make_user):
    trainee = make_user("trainee")
    response = api.post("/api/v1/defects", make_token(app, trainee, "write"), _body())
    assert response.status_code == 403


def test_a_closed_buffer_ends_logging_but_not_reading(app, api, placed_pair):
    from lms.models import Placement
    from lms.services import placement as placement_service

    _, (first, _second) = placed_pair
    token = make_token(app, first, "write")
    assert api.post("/api/v1/defects", token, _body()).status_code == 201
    with app.test_request_context():
        p = db.session.scalar(sa.select(Placement).where(Placement.trainee_id == first.id))
        placement_service.record_buffer_outcome(db.session, None, p, "left", "personal", "", date(2026, 3, 20))
        db.session.commit()
    assert api.post("/api/v1/defects", token, _body()).status_code == 403
    assert len(api.get("/api/v1/defects", token).get_json()["items"]) == 1


def test_the_severity_must_be_on_the_programs_scale(app, api, placed_pair):
    _, (first, _second) = placed_pair
    response = api.post("/api/v1/defects", make_token(app, first, "write"), _body(severity="apocalyptic"))
    assert response.status_code == 422
    assert response.get_json()["type"] == "/api/v1/docs#problem-rule" and "severity" in response.get_json()["errors"]


def test_the_list_is_ones_own_defects_or_all_for_triage(app, api, placed_pair, make_user):
    _, (first, second) = placed_pair
    mine = api.post("/api/v1/defects", make_token(app, first, "write"), _body()).get_json()["id"]
    theirs = api.post("/api/v1/defects", make_token(app, second, "write"), _body(intent="退款咨询")).get_json()["id"]
    with app.app_context():  # the second person co-reports the first person's defect
        db.session.add(DefectReport(defect_id=mine, user_id=second.id, excerpt="我也遇到了"))
        db.session.commit()
    first_items = api.get("/api/v1/defects", make_token(app, first)).get_json()["items"]
    assert [d["id"] for d in first_items] == [mine] and first_items[0]["excerpt"]
    second_items = api.get("/api/v1/defects", make_token(app, second)).get_json()["items"]
    assert [d["id"] for d in second_items] == [mine, theirs]
    assert second_items[0]["excerpt"] is None  # the first reporter's excerpt is theirs alone
    assert second_items[1]["excerpt"] is not None
    admin = make_token(app, make_user("admin"))
    everything = api.get("/api/v1/defects", admin).get_json()["items"]
    assert [d["id"] for d in everything] == [mine, theirs] and all(d["excerpt"] for d in everything)
    assert api.get("/api/v1/defects?state=verified", admin).get_json()["items"] == []
    assert len(api.get("/api/v1/defects?state=new", admin).get_json()["items"]) == 2
    assert EXCERPT not in str(everything)
