"""HR API authentication: a bearer token or nothing (never the session cookie), stored hashed,
refused when revoked, expired or its holder deactivated; a read token cannot write; the
last-used time is written at most once a minute. Every response is checked against the
OpenAPI document."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from lms.extensions import db
from lms.models import ApiToken, AuditEvent, Cohort, TokenScope, User
from lms.models.base import utcnow
from lms.permissions import TokenRule, can, token_permits
from tests.api_helpers import make_token
from tests.conftest import login

PROBLEM = "application/problem+json"


def _problem(response, status: int, kind: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"]
    if kind:
        assert body["type"] == f"/api/v1/docs#problem-{kind}"
    return body


def test_a_request_without_a_token_is_refused(api):
    response = api.get("/api/v1/cohorts")
    _problem(response, 401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="reskill"'


def test_a_logged_in_browser_is_not_authenticated_by_its_session_cookie(app, client, make_user, openapi_document):
    admin = make_user("admin")
    login(client, admin)
    assert client.get("/admin/").status_code == 200  # the cookie works for the pages
    response = client.get("/api/v1/cohorts", headers={"Accept-Language": "en"})
    openapi_document.check(response)
    assert response.status_code == 401 and response.mimetype == PROBLEM
    # …and a write with it needs no CSRF token, since it is refused before anything happens
    response = client.post("/api/v1/cohorts/1/enrollments", json={"trainees": []})
    assert response.status_code == 401


@pytest.mark.parametrize("sent", ["", "Bearer", "Basic YWRtaW46eA==", "Bearer rsk_notatoken",
                                  "Bearer rsk_0123456789ab_" + "A" * 43])
def test_malformed_or_unknown_tokens_are_refused(api, sent):
    response = api.get("/api/v1/cohorts", headers={"Authorization": sent} if sent else {})
    _problem(response, 401)


def test_a_token_is_stored_only_as_its_hash_and_works(app, api, make_user):
    admin = make_user("admin")
    token = make_token(app, admin)
    assert re.fullmatch(r"rsk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", token)
    with app.app_context():
        row = db.session.scalar(sa.select(ApiToken))
        assert token not in (row.token_hash, row.prefix) and row.prefix in token and len(row.token_hash) == 64
        audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "api_token.create"))
        assert token not in str(audit.after)
    assert api.get("/api/v1/cohorts", token).status_code == 200
    # one character changed: the prefix still finds the row, the hash does not match
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    _problem(api.get("/api/v1/cohorts", forged), 401, "invalid-token")


def test_a_revoked_token_is_refused(app, api, make_user):
    from lms.services import api_tokens

    admin = make_user("admin")
    token = make_token(app, admin, "write")
    assert api.get("/api/v1/cohorts", token).status_code == 200
    with app.app_context():
        row = db.session.scalar(sa.select(ApiToken))
        assert api_tokens.revoke(db.session, db.session.get(User, admin.id), row)
        db.session.commit()
    body = _problem(api.get("/api/v1/cohorts", token), 401, "invalid-token")
    assert "revoked" in body["detail"]


def test_an_expired_token_is_refused(app, api, make_user):
    admin = make_user("admin")
    token = make_token(app, admin, expires_at=utcnow() + timedelta(hours=1))
    assert api.get("/api/v1/cohorts", token).status_code == 200
    with time_machine.travel(utcnow() + timedelta(hours=1, seconds=1), tick=False):
        body = _problem(api.get("/api/v1/cohorts", token), 401, "invalid-token")
    assert "expired" in body["detail"]


def test_a_deactivated_holder_ends_their_tokens(app, api, make_user):
    admin = make_user("admin")
    token = make_token(app, admin)
    with app.app_context():
        db.session.get(User, admin.id).active = False
        db.session.commit()
    _problem(api.get("/api/v1/cohorts", token), 401, "invalid-token")


def test_a_holder_whose_role_changed_to_mentor_loses_the_token(app, api, make_user):
    admin = make_user("admin")
    token = make_token(app, admin)
    with app.app_context():
        db.session.get(User, admin.id).role = "mentor"
        db.session.commit()
    _problem(api.get("/api/v1/cohorts", token), 401, "invalid-token")


def test_a_read_token_cannot_write(app, api, make_user, make_cohort):
    admin = make_user("admin")
    cohort_id, _ = make_cohort(trainees=0)
    token = make_token(app, admin, "read")
    body = {"trainees": [{"email": "new1@example.com", "name": "新人", "target_role": "collab_cs"}]}
    response = api.post(f"/api/v1/cohorts/{cohort_id}/enrollments", token, body)
    problem = _problem(response, 403, "insufficient-scope")
    assert "read-only" in problem["detail"]
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    for path in ("/api/v1/handoff-events", "/api/v1/defects"):
        _problem(api.post(path, token, {"events": []} if "handoff" in path else {}), 403, "insufficient-scope")
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "new1@example.com")) is None
    write = make_token(app, admin, "write")
    assert api.post(f"/api/v1/cohorts/{cohort_id}/enrollments", write, body).status_code == 200


def test_a_trainee_token_reaches_only_defects(app, api, make_user):
    trainee = make_user("trainee")
    token = make_token(app, trainee, "write")
    for path in ("/api/v1/cohorts", "/api/v1/placements", "/api/v1/awards", f"/api/v1/trainees/{trainee.id}"):
        _problem(api.get(path, token), 403, "insufficient-scope")
    assert api.get("/api/v1/defects", token).status_code == 200
    _problem(api.post("/api/v1/handoff-events", token, {"events": []}), 403)


def test_last_use_is_written_at_most_once_a_minute(app, api, make_user, count_queries):
    admin = make_user("admin")
    token = make_token(app, admin)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        with count_queries() as first:
            api.get("/api/v1/cohorts", token)
        with count_queries() as second:
            api.get("/api/v1/cohorts", token)
    assert len(first.writes) == 1 and "api_tokens" in first.writes[0]
    assert second.writes == []
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        with count_queries() as later:
            api.get("/api/v1/cohorts", token)
    assert len(later.writes) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(ApiToken.last_used_at)) >= start + timedelta(seconds=60)


def _holders(app, make_user):
    """Each kind of token holder with each scope: (name, user, token)."""
    admin, trainee = make_user("admin"), make_user("trainee")
    return [(f"{user.role}-{scope}", user, scope, make_token(app, user, scope))
            for user in (admin, trainee) for scope in ("read", "write")]


def test_every_api_route_answers_each_token_as_the_permission_table_says(app, api, make_user):
    """The route walk for tokens: allowed (any answer but 401/403), or 403 by role and scope."""
    from tests.test_route_permissions import _url

    holders = _holders(app, make_user)
    walked = 0
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        required = getattr(view, "required_action", None)
        if not isinstance(required, TokenRule):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for name, user, _scope, token in holders:
                response = api.request(method, _url(rule), token, {} if method == "POST" else None)
                assert response.status_code != 401, (rule.endpoint, name)
                with app.app_context():
                    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.prefix == token.split("_")[1]))
                    expected = token_permits(row, db.session.get(User, user.id), required)
                assert (response.status_code != 403) == expected, (rule.endpoint, method, name, response.status_code)
                walked += 1
    assert walked >= 10 * 4


def test_the_table_gives_trainees_no_cohort_access():
    from lms.models import Role

    class Holder:
        is_authenticated, active, reviewer = True, True, False

    trainee = Holder()
    trainee.role = Role.TRAINEE
    rule = TokenRule(frozenset({"manage_cohorts"}), TokenScope.READ)
    assert not can(trainee, "manage_cohorts")
    token = ApiToken(scope=TokenScope.WRITE)
    assert not token_permits(token, trainee, rule)


def test_tokens_are_not_cookie_sessions(app, api, make_user):
    """An API answer sets no session cookie and is never cached."""
    admin = make_user("admin")
    response = api.get("/api/v1/cohorts", make_token(app, admin))
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Cohort.id))) == 0
