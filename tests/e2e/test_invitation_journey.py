"""An invitation in a real browser: the admin adds a person without a password and copies
their link; the trainee opens it, sets a password and lands on their home; the link then
fails, as does an expired one, each with a clear message."""

from datetime import timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Invitation, User
from lms.services import invitations
from lms.services import people as people_service
from tests.conftest import PASSWORD
from tests.e2e.helpers import Person

NEW_PASSWORD = "lantern-river-7731"


def test_invitation_journey(app, live_server, browser, make_user):
    admin = make_user("admin", password=PASSWORD)
    admin_person = Person(browser, live_server, admin.email, "en", permissions=["clipboard-read", "clipboard-write"])
    page = admin_person.page
    page.goto(f"{live_server}/admin/people/new")
    page.fill("input[name=email]", "xiaoxu@example.com")
    page.fill("input[name=name]", "小徐")
    page.select_option("select[name=role]", "trainee")
    page.select_option("select[name=locale]", "zh_CN")
    page.click("input[type=submit]")
    page.wait_for_selector("#invitation-link")
    page.click("#invitation button[data-copy]")
    page.wait_for_selector("#invitation button:has-text('Copied')")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == page.input_value("#invitation-link") and "/auth/set-password/" in link
    assert page.locator("#invitation-link").get_attribute("readonly") is not None

    trainee_person = Person(browser, live_server, None, "zh_CN")
    trainee = trainee_person.page
    trainee.goto(link)
    assert trainee.locator("text=小徐").count() >= 1  # whom the link is for
    trainee.fill("input[name=new]", NEW_PASSWORD)
    trainee.fill("input[name=confirm]", NEW_PASSWORD)
    trainee.click("input[type=submit]")
    trainee.wait_for_url(f"{live_server}/me/")
    assert trainee.locator(".alert-success").count() == 1

    other = browser.new_context().new_page()
    response = other.goto(link)
    assert response.status == 410
    assert "此链接已用于设置密码" in other.locator("#link-problem").inner_text()

    # An expired link: made 8 days ago.
    with app.app_context():
        late = people_service.create_person(db.session, None, {
            "email": "late@example.com", "name": "小李", "role": "trainee", "locale": "zh_CN"})
        invitation = invitations.open_invitation(db.session, late.id)
        invitation.created_at -= timedelta(days=8)
        db.session.commit()
        expired = f"{live_server}/auth/set-password/{invitations.token(invitation, app.config['SECRET_KEY'])}"
    response = other.goto(expired)
    assert response.status == 410
    assert "此链接已过期。请联系项目管理员获取新链接。" in other.locator("#link-problem").inner_text()

    page.goto(f"{live_server}/admin/people?status=invited")
    assert page.locator("text=小李").count() == 1 and page.locator("text=小徐").count() == 0
    with app.app_context():
        assert db.session.scalar(sa.select(User.password_hash).where(User.email == "xiaoxu@example.com"))
        assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 2
    assert admin_person.close() == [] and trainee_person.close() == []
