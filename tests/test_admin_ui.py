"""Admin pages: unique element ids, a destructive withdraw that asks first."""

from collections import Counter
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Cohort, Enrollment, User
from lms.services import mentoring
from tests.conftest import login


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = Counter()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] += 1
        if tag == "form":
            self.forms.append(attrs)


def _parse(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


@pytest.fixture
def admin_site(app, make_cohort, make_user, client):
    make_user("mentor", mentor_kind="ai", capacity=10)
    make_user("mentor", mentor_kind="business", capacity=10)
    cohort_id, (enrollment_id, _) = make_cohort(trainees=2)
    admin = make_user("admin")
    with app.app_context():
        mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        db.session.commit()
        trainee_id = db.session.get(Enrollment, enrollment_id).trainee_id
        mentor_id = db.session.scalar(sa.select(User.id).where(User.role == "mentor"))
    login(client, admin)
    return {"cohort": cohort_id, "enrollment": enrollment_id, "trainee": trainee_id, "mentor": mentor_id,
            "admin": admin.id}


def test_every_admin_page_has_unique_element_ids(client, admin_site):
    s = admin_site
    pages = ["/admin/", "/admin/audit", "/admin/people", "/admin/people/new", "/admin/people/import",
             f"/admin/people/{s['trainee']}", f"/admin/people/{s['mentor']}", f"/admin/people/{s['admin']}",
             "/admin/cohorts", "/admin/cohorts/new", f"/admin/cohorts/{s['cohort']}",
             f"/admin/cohorts/{s['cohort']}/edit", f"/admin/enrollments/{s['enrollment']}"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        duplicates = [i for i, n in _parse(response.get_data(as_text=True)).ids.items() if n > 1]
        assert duplicates == [], (url, duplicates)


def test_withdraw_asks_for_confirmation_and_looks_destructive(client, admin_site):
    html = client.get(f"/admin/enrollments/{admin_site['enrollment']}").get_data(as_text=True)
    (withdraw,) = [f for f in _parse(html).forms if f.get("action", "").endswith("/withdraw")]
    assert withdraw.get("data-confirm", "").startswith("Withdraw ")
    form_html = html[html.index('/withdraw"'):]
    form_html = form_html[:form_html.index("</form>")]
    assert "btn-outline-danger" in form_html and "btn-primary" not in form_html
