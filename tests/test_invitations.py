"""Invitations: a set-password link per account made without a password, single-use and expiring;
the admin copies, downloads, resends and revokes them; every step audited."""

import csv
import io
import re
from datetime import datetime, timedelta

import sqlalchemy as sa
import time_machine

from lms.extensions import db
from lms.models import AuditEvent, Invitation, User
from lms.services import invitations
from lms.services import people as people_service
from tests.conftest import PASSWORD, login

NEW_PASSWORD = "lantern-river-7731"


def _new_person(app, email="li.na@example.com", name="李娜", locale="en"):
    """A trainee made without a password, as the new-person form and the imports do."""
    with app.app_context():
        user = people_service.create_person(db.session, None, {
            "email": email, "name": name, "role": "trainee", "locale": locale})
        db.session.commit()
        invitation = invitations.open_invitation(db.session, user.id)
        return user.id, invitations.token(invitation, app.config["SECRET_KEY"])


def _forget_login(client) -> None:
    client.delete_cookie("session")
    client._token = None
    with client.session_transaction() as sess:
        sess["locale"] = "en"


def _accept(client, token, password=NEW_PASSWORD):
    return client.post_form(f"/auth/set-password/{token}", {"new": password, "confirm": password})


def test_a_person_made_without_password_gets_an_invitation(session):
    user = people_service.create_person(session, None, {
        "email": "a@example.com", "name": "A", "role": "trainee", "locale": "zh_CN"})
    assert invitations.open_invitation(session, user.id) is not None
    with_password = people_service.create_person(session, None, {
        "email": "b@example.com", "name": "B", "role": "trainee", "locale": "zh_CN"}, password=PASSWORD)
    assert invitations.open_invitation(session, with_password.id) is None


def test_people_import_invites_each_new_person(session):
    report = people_service.import_people(session, None, "email,name,role\na@example.com,A,trainee\n"
                                                         "b@example.com,B,trainee\n")
    assert report.created == 2
    assert len(session.execute(invitations.not_accepted()).all()) == 2


def test_link_works_once_and_logs_the_person_in(app, client):
    user_id, token = _new_person(app)
    page = client.get(f"/auth/set-password/{token}")
    assert page.status_code == 200 and "李娜" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    response = _accept(client, token)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/me/").status_code == 200  # logged in, on their home
    again = client.get(f"/auth/set-password/{token}")
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    assert _accept(client, token, "other-strong-pass-9921").status_code == 410
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.password_hash and user.password_hash.startswith("pbkdf2")


def test_weak_password_is_refused_and_the_link_stays_usable(app, client):
    _user_id, token = _new_person(app)
    response = _accept(client, token, "12345678")
    assert response.status_code == 400 and "is-invalid" in response.get_data(as_text=True)
    assert client.get(f"/auth/set-password/{token}").status_code == 200


def test_revoked_link_fails_with_a_clear_message(app, client, make_user):
    admin = make_user("admin")
    user_id, token = _new_person(app)
    login(client, admin)
    assert client.post_form(f"/admin/people/{user_id}/invitation/revoke").status_code == 302
    response = client.get(f"/auth/set-password/{token}")
    assert response.status_code == 410
    assert "Ask your program admin for a new link" in response.get_data(as_text=True)


def test_expired_link_fails_with_a_clear_message_in_the_users_language(app, client):
    _user_id, token = _new_person(app)
    with time_machine.travel(datetime.now() + timedelta(days=7, minutes=1)):
        response = client.get(f"/auth/set-password/{token}")
        assert response.status_code == 410  # the program's default language: zh_CN
        assert "此链接已过期。请联系项目管理员获取新链接。" in response.get_data(as_text=True)
        with client.session_transaction() as sess:
            sess["locale"] = "en"
        response = client.get(f"/auth/set-password/{token}")
        assert "This link has expired. Ask your program admin for a new link." in response.get_data(as_text=True)
    with time_machine.travel(datetime.now() + timedelta(days=6)):
        assert client.get(f"/auth/set-password/{token}").status_code == 200


def test_expiry_follows_the_setting(app, client):
    _user_id, token = _new_person(app)
    app.config["INVITATION_DAYS"] = 1
    try:
        with time_machine.travel(datetime.now() + timedelta(days=2)):
            assert client.get(f"/auth/set-password/{token}").status_code == 410
    finally:
        app.config["INVITATION_DAYS"] = 7


def test_expired_links_get_a_new_one_from_the_invitations_page(app, client, make_user):
    login(client, make_user("admin"))
    user_id, old = _new_person(app)
    with app.app_context():  # made 8 days ago
        invitation = invitations.open_invitation(db.session, user_id)
        invitation.created_at -= timedelta(days=8)
        db.session.commit()
    page = client.get("/admin/invitations").get_data(as_text=True)
    assert "Expired" in page and old not in page
    action = re.search(r'action="(/admin/people/\d+/invitation/resend[^"]*)"', page).group(1).replace("&amp;", "&")
    response = client.post_form(action)
    assert response.headers["Location"].startswith("/admin/invitations")
    page = client.get("/admin/invitations").get_data(as_text=True)
    assert "Expired" not in page and 'data-copy="link-' in page


def test_a_forged_or_garbled_link_is_a_friendly_404(client):
    for token in ("nonsense", "WzEsImFiYyJd.forged", "x" * 300):
        response = client.get(f"/auth/set-password/{token}")
        assert response.status_code == 404 and "no longer valid" in response.get_data(as_text=True)


def test_resend_kills_the_old_link_and_the_new_one_works(app, client, make_user):
    admin = make_user("admin")
    user_id, old = _new_person(app)
    login(client, admin)
    page = client.get(f"/admin/people/{user_id}").get_data(as_text=True)
    assert old in page  # the admin can copy the link again later
    assert client.post_form(f"/admin/people/{user_id}/invitation/resend").status_code == 302
    page = client.get(f"/admin/people/{user_id}").get_data(as_text=True)
    new = re.search(r'id="invitation-link" value="[^"]*/auth/set-password/([^"]+)"', page).group(1)
    assert new != old
    assert client.get(f"/auth/set-password/{old}").status_code == 410
    _forget_login(client)
    assert _accept(client, new).status_code == 302


def test_a_deactivated_persons_link_fails(app, client, make_user):
    admin = make_user("admin")
    user_id, token = _new_person(app)
    login(client, admin)
    client.post_form(f"/admin/people/{user_id}/active?to=off")
    assert client.get(f"/auth/set-password/{token}").status_code == 410
    client.post_form(f"/admin/people/{user_id}/active?to=on")
    assert client.get(f"/auth/set-password/{token}").status_code == 410  # a new link is made on purpose


def test_admin_setting_the_password_ends_the_link(app, client, make_user):
    admin = make_user("admin")
    user_id, token = _new_person(app)
    login(client, admin)
    client.post_form(f"/admin/people/{user_id}/password", {"password": NEW_PASSWORD})
    assert client.get(f"/auth/set-password/{token}").status_code == 410


def test_csv_of_links_has_one_row_per_pending_person_and_opens_in_excel(app, client, make_user):
    admin = make_user("admin")
    login(client, admin)
    tokens = [_new_person(app, f"p{i}@example.com", f"人{i}")[1] for i in range(3)]
    make_user("trainee")  # has a password: not in the list
    _accept(client, tokens[0])  # accepted: not in the list (and logs this client in as that person)
    login(client, admin)
    response = client.get("/admin/invitations.csv")
    assert response.mimetype == "text/csv" and response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "Email", "Set-password link"]
    assert sorted(r[1] for r in rows[1:]) == ["p1@example.com", "p2@example.com"]
    assert all(r[2].endswith(t) for r, t in zip(rows[1:], tokens[1:], strict=True))


def test_import_redirects_to_the_links_of_that_import(app, client, make_user):
    _new_person(app, "earlier@example.com", "早")  # an earlier invitation: not part of this import
    login(client, make_user("admin"))
    data = {"file": (io.BytesIO("email,name,role\nx@example.com,小徐,trainee\ny@example.com,小杨,trainee\n"
                                .encode()), "people.csv")}
    response = client.post_form("/admin/people/import", data, content_type="multipart/form-data")
    assert response.status_code == 302 and "/admin/invitations?" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "小徐" in page and "小杨" in page and "早" not in page
    assert 'data-copy="link-' in page  # a copy button per link
    csv_link = re.search(r'id="download-links" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    rows = list(csv.reader(io.StringIO(client.get(csv_link).data.decode("utf-8-sig"))))
    assert sorted(r[1] for r in rows[1:]) == ["x@example.com", "y@example.com"]


def test_enrollment_import_links_by_cohort(app, client, make_user, make_cohort):
    cohort_id, _ = make_cohort(trainees=1)
    login(client, make_user("admin"))
    data = {"file": (io.BytesIO("email,name,target_role\nnew@example.com,新学员,collab_cs\n".encode()),
                     "enroll.csv")}
    response = client.post_form(f"/admin/cohorts/{cohort_id}/import", data, content_type="multipart/form-data")
    assert response.status_code == 302 and "/admin/invitations?" in response.headers["Location"]
    page = client.get(f"/admin/invitations?cohort={cohort_id}").get_data(as_text=True)
    assert "新学员" in page
    rows = list(csv.reader(io.StringIO(client.get(f"/admin/invitations.csv?cohort={cohort_id}")
                                       .data.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["new@example.com"]


def test_people_page_shows_who_has_not_accepted(app, client, make_user):
    login(client, make_user("admin"))
    _new_person(app, "waiting@example.com", "等待中")
    make_user("trainee", name="已设置")
    page = client.get("/admin/people").get_data(as_text=True)
    assert "1 person has not set a password yet." in page and "Invitation not accepted" in page
    filtered = client.get("/admin/people?status=invited").get_data(as_text=True)
    assert "等待中" in filtered and "已设置" not in filtered


def test_every_step_is_audited(app, client, make_user):
    admin = make_user("admin")
    user_id, _token = _new_person(app)
    login(client, admin)
    client.post_form(f"/admin/people/{user_id}/invitation/resend")
    client.post_form(f"/admin/people/{user_id}/invitation/revoke")
    client.post_form(f"/admin/people/{user_id}/invitation/resend")
    page = client.get(f"/admin/people/{user_id}").get_data(as_text=True)
    token = re.search(r'/auth/set-password/([^"]+)"', page).group(1)
    _forget_login(client)
    _accept(client, token)
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.subject_id == user_id, AuditEvent.action.like("invitation.%")).order_by(AuditEvent.id)).all()
        assert actions == ["invitation.create", "invitation.resend", "invitation.revoke", "invitation.resend",
                           "invitation.accept"]
    login(client, admin)
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "revoked the invitation link of" in log and "accepted the invitation" in log


def test_accepting_ends_other_sessions(app, client):
    """Setting a password through a link rotates the session token."""
    user_id, token = _new_person(app)
    with app.app_context():
        before = db.session.get(User, user_id).session_token
    _accept(client, token)
    with app.app_context():
        assert db.session.get(User, user_id).session_token != before
        assert db.session.scalar(sa.select(Invitation.used_at).where(Invitation.user_id == user_id))


def test_import_emails_each_link_in_the_persons_language(mail_app, smtp_sink, make_user):
    client = mail_app.test_client()
    with client.session_transaction() as sess:
        sess["locale"] = "en"
    login(client, make_user("admin"))
    data = {"file": (io.BytesIO("email,name,role,locale\nzh@example.com,张三,trainee,zh_CN\n"
                                "en@example.com,Ann,trainee,en\n".encode()), "people.csv")}
    response = client.post_form("/admin/people/import", data, content_type="multipart/form-data")
    assert response.status_code == 302
    messages = {m["To"]: m for m in smtp_sink.wait(2)}
    assert "请设置密码" in messages["zh@example.com"]["Subject"]
    assert "set your password" in messages["en@example.com"]["Subject"]
    link = re.search(r"http://\S+/auth/set-password/\S+", messages["en@example.com"].get_content()).group(0)
    fresh = mail_app.test_client()
    assert fresh.get(link.split("localhost", 1)[1]).status_code == 200


def test_a_mail_failure_keeps_the_link_and_tells_the_admin(app, make_user):
    from lms import create_app
    from tests.conftest import Client, free_port

    broken = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                    "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(),  # nobody listens
                                    "MAIL_DEFAULT_SENDER": "lms@example.com"})
    broken.test_client_class = Client
    client = broken.test_client()
    with client.session_transaction() as sess:
        sess["locale"] = "en"
    login(client, make_user("admin"))
    response = client.post_form("/admin/people/new", {
        "email": "x@example.com", "name": "小徐", "role": "trainee", "mentor_kind": "", "locale": "zh_CN"},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "could not be e-mailed" in page and "The e-mail could not be sent" in page
    assert re.search(r'id="invitation-link" value="[^"]+/auth/set-password/', page)
    with app.app_context():
        invitation = db.session.scalar(sa.select(Invitation))
        assert invitation.mail_error and invitation.emailed_at is None and invitation.used_at is None


def test_cli_writes_the_open_links_of_a_cohort(app, make_cohort, tmp_path):
    cohort_id, _ = make_cohort(trainees=1, code="C-CLI")
    with app.app_context():
        from lms.models import Cohort
        from lms.services import cohorts as cohort_service

        cohort = db.session.get(Cohort, cohort_id)
        cohort_service.import_enrollments(db.session, None, cohort, "email,name,target_role\n"
                                                                    "cli@example.com,命令行,collab_cs\n")
        db.session.commit()
    _new_person(app, "elsewhere@example.com", "别处")  # not in the cohort
    out = tmp_path / "links.csv"
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["lms", "invitation-links", "--cohort", "C-CLI"])
    assert refused.exit_code != 0 and "PUBLIC_URL" in refused.output
    result = runner.invoke(args=["lms", "invitation-links", "--cohort", "C-CLI", "--base-url",
                                 "https://lms.example.cn/", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r[:2] for r in rows[1:]] == [["命令行", "cli@example.com"]]
    assert rows[1][2].startswith("https://lms.example.cn/auth/set-password/")


def test_production_with_mail_needs_a_public_https_address_and_a_sender():
    from config import production_problems

    env = {"SECRET_KEY": "k3Y-" + "abcdefghij" * 4, "DATABASE_URL": "postgresql+psycopg://u:p@h/db",
           "MAIL_SERVER": "smtp.example.cn"}
    problems = production_problems(env)
    assert any("PUBLIC_URL" in p for p in problems) and any("MAIL_DEFAULT_SENDER" in p for p in problems)
    env.update(PUBLIC_URL="https://lms.example.cn", MAIL_DEFAULT_SENDER="lms@example.cn")
    assert production_problems(env) == []


def test_a_mail_server_that_never_answers_times_out(app, make_user):
    import socket

    from lms import create_app
    from tests.conftest import Client

    with socket.socket() as silent:  # accepts connections (the kernel does), never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        stuck = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                       "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": silent.getsockname()[1],
                                       "MAIL_DEFAULT_SENDER": "lms@example.com", "MAIL_TIMEOUT_SECONDS": 1})
        stuck.test_client_class = Client
        client = stuck.test_client()
        with client.session_transaction() as sess:
            sess["locale"] = "en"
        login(client, make_user("admin"))
        response = client.post_form("/admin/people/new", {
            "email": "y@example.com", "name": "小杨", "role": "trainee", "mentor_kind": "", "locale": "en"},
            follow_redirects=True)
    assert "could not be e-mailed" in response.get_data(as_text=True)
    with app.app_context():
        assert "timed out" in db.session.scalar(sa.select(Invitation.mail_error))
