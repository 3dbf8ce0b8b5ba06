"""The token pages: an admin makes a token (shown once, stored hashed) and revokes any; a placed
person makes and revokes their own; forms carry CSRF; bad input re-renders with field messages."""

import re
from datetime import date, timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import ApiToken, AuditEvent
from tests.conftest import login
from tests.defect_fixtures import placed

TOKEN = re.compile(r"rsk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def test_an_admin_makes_a_token_shown_once_and_it_works(app, client, make_user, api):
    admin = make_user("admin")
    login(client, admin)
    assert "/admin/api-tokens" in client.get("/admin/people").get_data(as_text=True)  # linked from People
    html = client.post_form("/admin/api-tokens", {"name": "HR 系统", "scope": "read"}).get_data(as_text=True)
    token = TOKEN.search(html).group(0)
    assert api.get("/api/v1/cohorts", token).status_code == 200
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    assert token not in page and token[:16] in page  # the prefix identifies it, the token is gone
    with app.app_context():
        row = db.session.scalar(sa.select(ApiToken))
        assert (row.user_id, row.name, row.scope.value, row.expires_at) == (admin.id, "HR 系统", "read", None)
        assert row.last_used_at is not None


def test_expiry_is_the_end_of_the_chosen_day_in_the_programs_zone(app, client, make_user):
    login(client, make_user("admin"))
    day = date.today() + timedelta(days=10)
    client.post_form("/admin/api-tokens", {"name": "短期", "scope": "write", "expires_on": day.isoformat()})
    with app.app_context():
        row = db.session.scalar(sa.select(ApiToken))
        assert row.expires_at.isoformat() == f"{day.isoformat()}T16:00:00"  # next midnight in Shanghai, in UTC
    listed = client.get("/admin/api-tokens").get_data(as_text=True)
    assert f"{day.isoformat()} (inclusive)" in listed  # the list shows the day as entered, not the midnight after


def test_bad_input_rerenders_with_field_messages(client, make_user):
    login(client, make_user("admin"))
    response = client.post_form("/admin/api-tokens", {"name": "", "scope": "admin", "expires_on": "3000-01-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="error-summary"' in html and not TOKEN.search(html)
    past = (date.today() - timedelta(days=1)).isoformat()
    response = client.post_form("/admin/api-tokens", {"name": "x", "scope": "read", "expires_on": past})
    assert response.status_code == 400 and "The expiry must be in the future." in response.get_data(as_text=True)


def test_the_form_needs_its_csrf_token(client, make_user):
    login(client, make_user("admin"))
    assert client.post("/admin/api-tokens", data={"name": "x", "scope": "read"}).status_code == 400


def test_an_admin_revokes_any_token_and_it_stops_working(app, client, make_user, api, trainee_with_mentors):
    from tests.api_helpers import make_token

    placed(app, trainee_with_mentors)
    own = make_token(app, trainee_with_mentors.trainee, "write")
    admin = make_user("admin")
    login(client, admin)
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    assert trainee_with_mentors.trainee.name in page
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    response = client.post_form(f"/admin/api-tokens/{token_id}/revoke", follow_redirects=True)
    assert "is revoked" in response.get_data(as_text=True)
    assert api.get("/api/v1/defects", own).status_code == 401
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "api_token.revoke"))
        assert event.actor_id == admin.id and event.subject_id == trainee_with_mentors.trainee.id
    assert "revoked an API token held by" in client.get("/admin/audit").get_data(as_text=True)


def test_a_placed_person_makes_and_revokes_their_own_token(app, client, api, trainee_with_mentors, make_user):
    from tests.api_helpers import make_token

    placed(app, trainee_with_mentors)
    login(client, trainee_with_mentors.trainee)
    assert 'id="api-token-link"' in client.get("/me/buffer").get_data(as_text=True)
    html = client.post_form("/me/buffer/api-token", {"name": "工作台", "scope": "write"}).get_data(as_text=True)
    token = TOKEN.search(html).group(0)
    assert api.get("/api/v1/defects", token).status_code == 200
    # the person's own texts: their own tools; logging ends with the buffer period, reading their own on revoking
    assert "HR system" not in html and "Empty: until revoked." not in html
    assert "logs defects until your buffer period ends; reads until revoked" in html and "my agent console" in html
    others = make_token(app, make_user("admin"))
    with app.app_context():
        mine = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == trainee_with_mentors.trainee.id))
        theirs = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.id != mine))
    assert "rsk_" + others.split("_")[1] not in client.get("/me/buffer/api-token").get_data(as_text=True)
    assert client.post_form(f"/me/buffer/api-token/{theirs}/revoke").status_code == 404  # not theirs to revoke
    client.post_form(f"/me/buffer/api-token/{mine}/revoke")
    assert api.get("/api/v1/defects", token).status_code == 401
    assert api.get("/api/v1/cohorts", others).status_code == 200


def test_a_trainee_without_a_running_buffer_has_no_token_page(client, make_user):
    login(client, make_user("trainee"))
    assert client.get("/me/buffer/api-token").status_code == 404
    assert 'id="api-token-link"' not in client.get("/me/buffer").get_data(as_text=True)
