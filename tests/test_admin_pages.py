"""Page-building queries as services: admin home, cohort page, catalogue sync status."""

from datetime import date

from lms.extensions import db
from lms.models import Cohort, Enrollment, Role
from lms.services import admin_pages
from lms.services.catalog_sync import sync_status


def test_admin_overview_counts_active_people_and_accounts_without_password(app, make_user):
    make_user("mentor")
    make_user("trainee", password=None)
    with app.app_context():
        overview = admin_pages.admin_overview(db.session, date(2026, 11, 10))
        assert overview.counts[Role.MENTOR] == 1 and overview.counts[Role.TRAINEE] == 1
        assert overview.no_password == 1


def test_enrollment_candidates_leave_out_the_roster(app, make_cohort, make_user):
    cohort_id, (enrollment_id,) = make_cohort(trainees=1)
    outsider = make_user("trainee", name="Zed Outsider")
    with app.app_context():
        cohort = db.session.get(Enrollment, enrollment_id).cohort
        assert admin_pages.enrollment_candidates(db.session, cohort, "   ") == []
        found = admin_pages.enrollment_candidates(db.session, cohort, "trainee")
        assert [u.id for u in found] == [outsider.id]
        schedule = admin_pages.cohort_schedule(db.session, db.session.get(Cohort, cohort_id))
        assert schedule and all(start <= end for _tier, _track, start, end in schedule)
        starts = [start for _tier, _track, start, _end in schedule]
        assert starts == sorted(starts)  # the schedule reads by week


def test_sync_status_after_a_sync(app, catalog):
    with app.app_context():
        last_ok, last_failure = sync_status(db.session)
        assert last_ok is not None and last_ok.ok and last_failure is None
