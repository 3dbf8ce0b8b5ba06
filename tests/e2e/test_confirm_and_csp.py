"""Destructive actions ask first, through our own script (the CSP allows no inline
handler), and a logged-in page raises no CSP violation in the browser."""

from lms.extensions import db
from lms.models import Cohort
from tests.conftest import PASSWORD
from tests.e2e.helpers import Person


def test_closing_a_cohort_asks_first(app, live_server, browser, make_cohort, make_user):
    admin = make_user("admin", password=PASSWORD)
    cohort_id, _ = make_cohort(trainees=1)
    person = Person(browser, live_server, admin.email, "en")
    page = person.page
    page.goto(f"{live_server}/admin/cohorts/{cohort_id}")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.click("text=Close cohort")
    with app.app_context():
        assert db.session.get(Cohort, cohort_id).closed_at is None
    page.once("dialog", lambda d: answer(d, True))
    page.click("text=Close cohort")
    page.wait_for_selector(".alert-success")
    with app.app_context():
        assert db.session.get(Cohort, cohort_id).closed_at is not None
    assert asked == ["Close this cohort?", "Close this cohort?"]
    assert person.close() == []
