"""Every error under /api/ is application/problem+json (type, title, status, detail, errors per
field), never HTML and never a 500: unknown routes, wrong methods, bodies that are not JSON,
too large or not what the document describes, bad cursors and limits."""

import json

import pytest

from tests.api_helpers import make_token

PROBLEM = "application/problem+json"


@pytest.fixture
def admin_token(app, make_user):
    return make_token(app, make_user("admin"), "write")


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    assert b"<html" not in response.data.lower()
    body = json.loads(response.data)
    assert set(body) >= {"type", "title", "status", "detail"} and body["status"] == status
    return body


def test_an_unknown_route_is_a_problem(api, admin_token):
    for path in ("/api/v1/nope", "/api/v1/cohorts/1/nope", "/api/v2/cohorts", "/api/"):
        _problem(api.get(path, admin_token), 404)
        _problem(api.get(path), 404)  # the route does not exist, with or without a token


def test_a_wrong_method_is_405_with_allow(api, admin_token):
    response = api.request("DELETE", "/api/v1/cohorts", admin_token)
    _problem(response, 405)
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    response = api.request("PUT", "/api/v1/defects", admin_token)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    _problem(response, 405)


def test_a_missing_object_is_404(api, admin_token):
    for path in ("/api/v1/cohorts/999", "/api/v1/cohorts/999/trainees", "/api/v1/trainees/999",
                 "/api/v1/cohorts/99999999999"):  # past INTEGER: 404 before any query
        _problem(api.get(path, admin_token), 404)
    _problem(api.post("/api/v1/cohorts/999/enrollments", admin_token,
                      {"trainees": [{"email": "a@example.com", "target_role": "collab_cs"}]}), 404)


def test_a_body_that_is_not_json_is_415(api, admin_token):
    response = api.post("/api/v1/handoff-events", admin_token, data="events=1",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    _problem(response, 415)
    _problem(api.post("/api/v1/handoff-events", admin_token), 415)  # no body at all


def test_broken_json_is_400(api, admin_token):
    response = api.post("/api/v1/handoff-events", admin_token, data='{"events": [',
                        headers={"Content-Type": "application/json"})
    body = _problem(response, 400)
    assert body["errors"] == {"json": ["Invalid JSON body."]} or "json" in body["errors"]


def test_validation_names_every_wrong_field(api, admin_token):
    response = api.post("/api/v1/defects", admin_token, {
        "type": "rude", "intent": "", "severity": "high", "excerpt": "x" * 5001, "agent_said": 3,
        "reach": -1, "seen_at": "yesterday", "item_id": 2**40, "colour": "red"})
    body = _problem(response, 422)
    assert body["type"] == "/api/v1/docs#problem-validation"
    errors = body["errors"]
    assert set(errors) == {"type", "intent", "excerpt", "agent_said", "reach", "seen_at", "item_id", "colour",
                           "should_say"}
    assert errors["should_say"] == ["is required"]
    assert errors["colour"] == ["is not a field of this request"]
    assert errors["excerpt"] == ["is longer than 5000 characters"]
    assert errors["type"][0].startswith("must be one of: wrong_answer")


def test_a_list_item_is_named_by_its_index(api, admin_token):
    response = api.post("/api/v1/handoff-events", admin_token, {"events": [
        {"external_id": "E1", "trainee": "a@example.com", "agent": "bot", "flagged_at": "2026-03-02 09:00",
         "complex": False, "cross_team": False},
        {"external_id": "E2", "trainee": "a@example.com", "agent": "bot", "flagged_at": "2026-03-02 09:00",
         "complex": "maybe"}]})
    errors = _problem(response, 422)["errors"]
    assert errors == {"events.1.complex": ["must be true or false"], "events.1.cross_team": ["is required"]}


@pytest.mark.parametrize("body", [[], "text", None, 3, {"events": "x"}, {"events": [3]}, {"events": []}])
def test_a_body_of_the_wrong_shape_is_422(api, admin_token, body):
    response = api.post("/api/v1/handoff-events", admin_token, data=json.dumps(body),
                        headers={"Content-Type": "application/json"})
    _problem(response, 422)


def test_control_characters_in_json_are_refused(api, admin_token):
    response = api.post("/api/v1/handoff-events", admin_token, {"events": [
        {"external_id": "E\u00001", "trainee": "a@example.com", "agent": "bot", "flagged_at": "2026-03-02 09:00",
         "complex": False, "cross_team": False}]})
    assert _problem(response, 422)["errors"] == {"events.0.external_id": ["contains a control character"]}
    _problem(api.get("/api/v1/cohorts?cursor=%00", admin_token), 400)  # the query string's guard


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=x", "cursor=nonsense", "cursor=djE6eA",
                                   "cursor=djI6MQ", "cursor=djE6OTk5OTk5OTk5OTk"])
def test_bad_page_arguments_are_422(api, admin_token, query):
    body = _problem(api.get(f"/api/v1/cohorts?{query}", admin_token), 422)
    assert set(body["errors"]) <= {"limit", "cursor"}


def test_a_body_over_the_size_limit_is_413(app, api, admin_token):
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = api.post("/api/v1/handoff-events", admin_token, data=b"x" * size,
                        headers={"Content-Type": "application/json"})
    _problem(response, 413)


def test_problems_speak_the_clients_language(api, admin_token):
    body = _problem(api.get("/api/v1/cohorts?limit=0", admin_token, headers={"Accept-Language": "zh-CN,zh;q=0.9"}),
                    422)
    assert body["title"] == "输入有误" and body["errors"]["limit"] == ["必须在 1 到 200 之间"]
    body = _problem(api.get("/api/v1/cohorts?limit=0", admin_token), 422)  # the helper sends en
    assert body["title"] == "Invalid input"


def test_without_accept_language_the_program_default_is_used(app, admin_token):
    response = app.test_client().get("/api/v1/nope", headers={"Authorization": f"Bearer {admin_token}"})
    assert response.mimetype == PROBLEM and json.loads(response.data)["title"] == "资源不存在"


def test_the_checker_catches_a_body_that_breaks_the_document(api, openapi_document, admin_token):
    """The response check used by every API test is not a rubber stamp."""
    response = api.get("/api/v1/cohorts", admin_token)
    response.set_data(json.dumps({"items": [{"id": "one"}], "next_cursor": None}))
    with pytest.raises(AssertionError, match="items"):
        openapi_document.check(response)
    response.status_code = 418
    with pytest.raises(AssertionError):
        openapi_document.check(response)


def test_json_nested_too_deep_is_400_not_500(api, admin_token):
    response = api.post("/api/v1/handoff-events", admin_token, data="[" * 100_000,
                        headers={"Content-Type": "application/json"})
    _problem(response, 400)
    response = api.post("/api/v1/handoff-events", admin_token, data=b'\xff\xfe{"events"',
                        headers={"Content-Type": "application/json"})
    _problem(response, 400)
    response = api.post("/api/v1/handoff-events", admin_token, data='{"x": ' + "9" * 5000 + "}",
                        headers={"Content-Type": "application/json"})  # past int()'s digit limit
    _problem(response, 400)


def test_times_past_the_calendars_ends_are_field_errors(api, admin_token):
    for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        response = api.post("/api/v1/handoff-events", admin_token, {"events": [
            {"external_id": "E1", "trainee": "a@example.com", "agent": "bot", "flagged_at": moment,
             "complex": False, "cross_team": False}]})
        assert "events.0.flagged_at" in _problem(response, 422)["errors"]
        response = api.post("/api/v1/defects", admin_token, {"seen_at": moment})
        assert "seen_at" in _problem(response, 422)["errors"]


def test_ids_past_integer_are_field_errors(api, admin_token):
    body = _problem(api.get("/api/v1/defects?cohort_id=99999999999", admin_token), 422)
    assert body["errors"] == {"cohort_id": ["must be between 1 and 2147483647"]}
