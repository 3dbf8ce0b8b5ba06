"""People services (no HTTP) and the admin people pages."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import AuditEvent, Role, User
from lms.models.audit import AuditLogIsAppendOnly
from lms.services import DomainError
from lms.services import people as people_service


def _values(**kw):
    return {"email": "new@example.com", "name": "新人", "role": "trainee", "mentor_kind": None,
            "capacity": None, "locale": "zh_CN", **kw}


def test_email_is_unique_case_insensitively(session):
    people_service.create_person(session, None, _values(email="A@Example.com"))
    with pytest.raises(DomainError) as err:
        people_service.create_person(session, None, _values(email="a@EXAMPLE.com"))
    assert err.value.field == "email"


def test_mentor_needs_kind_and_capacity(session):
    with pytest.raises(DomainError) as err:
        people_service.create_person(session, None, _values(role="mentor", capacity=8))
    assert err.value.field == "mentor_kind"
    with pytest.raises(DomainError) as err:
        people_service.create_person(session, None, _values(role="mentor", mentor_kind="ai", capacity=0))
    assert err.value.field == "capacity"


def test_role_change_is_audited_with_before_and_after(session):
    admin = people_service.create_person(session, None, _values(email="boss@example.com", role="admin"))
    user = people_service.create_person(session, None, _values())
    people_service.update_person(
        session, admin, user, {"role": "mentor", "mentor_kind": "business", "capacity": 5}
    )
    event = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "person.role_change")).one()
    assert event.actor_id == admin.id and event.subject_id == user.id
    assert event.before["role"] == "trainee" and event.after["role"] == "mentor"


def test_the_last_admin_cannot_be_deactivated_or_demoted(session):
    admin = people_service.create_person(session, None, _values(email="boss@example.com", role="admin"))
    other = people_service.create_person(session, None, _values(email="b2@example.com", role="admin"))
    with pytest.raises(DomainError):
        people_service.set_active(session, admin, admin, False)  # not yourself
    people_service.set_active(session, admin, other, False)
    with pytest.raises(DomainError):
        people_service.update_person(session, admin, admin, {"role": "trainee"})


def test_audit_events_are_append_only(session):
    people_service.create_person(session, None, _values())
    session.commit()
    event = session.scalars(sa.select(AuditEvent)).first()
    event.action = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()
    session.delete(session.scalars(sa.select(AuditEvent)).first())
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()


def test_admin_lists_searches_and_filters_people(login_as, make_user):
    client, _ = login_as("admin")
    make_user("trainee", name="张伟")
    make_user("mentor", name="Li Siyuan")
    make_user("trainee", name="Gone", active=False)
    html = client.get("/admin/people?q=张").get_data(as_text=True)
    assert "张伟" in html and "Li Siyuan" not in html
    html = client.get("/admin/people?role=mentor").get_data(as_text=True)
    assert "Li Siyuan" in html and "张伟" not in html
    assert "Gone" not in client.get("/admin/people").get_data(as_text=True)
    assert "Gone" in client.get("/admin/people?status=inactive").get_data(as_text=True)


def test_create_person_form_rerenders_with_field_errors(login_as, make_user):
    client, _ = login_as("admin")
    taken = make_user("trainee")
    response = client.post_form("/admin/people/new", {
        "email": taken.email.upper(), "name": "X", "role": "trainee", "mentor_kind": "", "locale": "en",
    })
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    response = client.post_form("/admin/people/new", {
        "email": "m@example.com", "name": "M", "role": "mentor", "mentor_kind": "", "locale": "en",
    })
    assert response.status_code == 400 and "needs a kind" in response.get_data(as_text=True)


def test_admin_creates_mentor_then_deactivates(app, login_as):
    client, _ = login_as("admin")
    response = client.post_form("/admin/people/new", {
        "email": "Mentor.New@example.com", "name": "王刚", "role": "mentor", "mentor_kind": "business",
        "capacity": "10", "locale": "zh_CN", "password": "long-enough-pw",
    })
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "mentor.new@example.com"))
        assert user.role == Role.MENTOR and user.capacity == 10 and user.password_hash
        user_id = user.id
    assert client.post_form(f"/admin/people/{user_id}/active?to=off").status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).active is False
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-2:] == ["person.create", "person.deactivate"]


def test_admin_edits_role_and_sets_password(app, login_as, make_user):
    client, _ = login_as("admin")
    user = make_user("trainee", password=None)
    response = client.post_form(f"/admin/people/{user.id}", {
        "name": user.name, "role": "mentor", "mentor_kind": "ai", "capacity": "6", "locale": "en",
    })
    assert response.status_code == 302
    url = f"/admin/people/{user.id}/password"
    assert client.post_form(url, {"password": "short"}).status_code == 400
    assert client.post_form(url, {"password": "a-long-password"}).status_code == 302
    with app.app_context():
        fresh = db.session.get(User, user.id)
        assert fresh.role == Role.MENTOR and fresh.capacity == 6 and fresh.password_hash


def test_unknown_person_is_404(login_as):
    client, _ = login_as("admin")
    assert client.get("/admin/people/999999").status_code == 404
