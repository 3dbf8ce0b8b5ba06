"""Rosters are paged, filtered and sorted in SQL: a page costs the same at 30 and 300 rows."""

import re

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Enrollment, EnrollmentStatus, MentorAssignment, MentorKind, User
from tests.conftest import login

PER_PAGE = 50


def _bulk_roster(app, cohort_id: int, n: int, mentor_id: int, prefix: str) -> None:
    """`n` trainees enrolled in the cohort, every one coached by the AI mentor (plain inserts: fast)."""
    with app.app_context():
        db.session.execute(sa.insert(User), [
            {"email": f"{prefix}{i}@example.com", "name": f"{prefix.title()} {i:04d}", "role": "trainee",
             "locale": "en", "session_token": f"t{prefix}{i}"} for i in range(n)])
        ids = db.session.scalars(sa.select(User.id).where(User.email.like(f"{prefix}%@example.com"))).all()
        db.session.execute(sa.insert(Enrollment), [
            {"cohort_id": cohort_id, "trainee_id": uid, "target_role": "collab_cs",
             "status": EnrollmentStatus.ACTIVE} for uid in ids])
        enrollments = db.session.scalars(sa.select(Enrollment.id).where(Enrollment.trainee_id.in_(ids))).all()
        db.session.execute(sa.insert(MentorAssignment), [
            {"enrollment_id": e, "mentor_id": mentor_id, "kind": MentorKind.AI, "reason": "test"}
            for e in enrollments])
        mentor = db.session.get(User, mentor_id)
        mentor.mentor_load += len(enrollments)
        mentor.capacity = max(mentor.capacity, mentor.mentor_load)  # past the form's limit of 100, on purpose
        db.session.commit()


@pytest.fixture
def sized(app, make_cohort, make_user):
    """sized(n) → (cohort id, mentor, admin) with an n-trainee roster."""
    admin = make_user("admin")
    mentor = make_user("mentor", mentor_kind="ai", capacity=100)

    def make(n: int):
        cohort_id, _ = make_cohort(trainees=0)
        _bulk_roster(app, cohort_id, n, mentor.id, f"r{n}x")
        return cohort_id, mentor, admin

    return make


def _rows(html: str, table_id: str) -> int:
    body = html.split(f'id="{table_id}"', 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr") - 1  # the header row


def _statements(client, count_queries, url: str) -> tuple[int, str]:
    client.get(url)  # warm caches (outline, translations) as a running worker has them
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(counter.statements), response.get_data(as_text=True)


def test_cohort_page_costs_the_same_at_30_and_300_trainees(app, sized, client, count_queries):
    counts = {}
    for n in (30, 300):
        cohort_id, _mentor, admin = sized(n)
        login(client, admin)
        counts[n], html = _statements(client, count_queries, f"/admin/cohorts/{cohort_id}")
        assert _rows(html, "roster") == min(n, PER_PAGE)
        assert f"of {n}" in html  # the count comes from SQL, not from the page's rows
    assert counts[30] == counts[300]


def test_cohort_roster_filters_sorts_and_pages(app, sized, client):
    cohort_id, _mentor, admin = sized(120)
    login(client, admin)
    html = client.get(f"/admin/cohorts/{cohort_id}?sort=name&page=3").get_data(as_text=True)
    names = re.findall(r"R120X (\d{4})", html.split('id="roster"', 1)[1])
    assert names[0] == "0100" and len(set(names)) == 20  # page 3 of 50: rows 101–120
    assert "101–120 of 120" in html
    html = client.get(f"/admin/cohorts/{cohort_id}?find=r120x 0042").get_data(as_text=True)
    assert _rows(html, "roster") == 1 and "1–1 of 1" in html
    # every trainee lacks a business mentor: the alert names a few and links to the full list
    html = client.get(f"/admin/cohorts/{cohort_id}").get_data(as_text=True)
    alert = html.split('id="missing-mentors"', 1)[1].split("</div>", 1)[0]
    assert "120 active trainees lack a mentor" in alert and alert.count("/admin/enrollments/") == 10
    assert "status=lacking_mentor" in alert and "(no Business mentor)" in alert
    html = client.get(f"/admin/cohorts/{cohort_id}?status=lacking_mentor&page=2").get_data(as_text=True)
    assert "51–100 of 120" in html
    html = client.get(f"/admin/cohorts/{cohort_id}?status=withdrawn").get_data(as_text=True)
    assert "No one on the roster matches." in html
    # unknown values fall back to the defaults rather than failing
    assert client.get(f"/admin/cohorts/{cohort_id}?status=x&sort=y&page=zz").status_code == 200


def test_mentor_home_costs_the_same_at_30_and_300_trainees(app, sized, client, count_queries):
    counts = {}
    for n in (30, 300):
        _cohort_id, mentor, _admin = sized(n)
        login(client, mentor)
        counts[n], html = _statements(client, count_queries, "/mentor/")
        assert html.count('<td class="overdue">') == min(n, PER_PAGE)
        assert ("trainee-filter" in html) == (n > PER_PAGE)  # a short list needs no filter
    assert counts[30] == counts[300]


def test_mentor_home_finds_a_trainee(app, sized, client):
    _cohort_id, mentor, _admin = sized(80)
    login(client, mentor)
    html = client.get("/mentor/?find=R80X 0079&sort=name").get_data(as_text=True)
    assert "R80X 0079" in html and "R80X 0001" not in html and "1–1 of 1" in html


def test_people_page_costs_the_same_at_30_and_300_people(app, sized, client, count_queries):
    counts = {}
    for n in (30, 300):
        _cohort_id, _mentor, admin = sized(n)
        login(client, admin)
        counts[n], html = _statements(client, count_queries, "/admin/people?status=all&sort=newest")
    assert counts[30] == counts[300]


def test_percent_and_underscore_are_letters_in_a_search(app, sized, client, make_user):
    cohort_id, _mentor, admin = sized(30)
    make_user("trainee", email="li_na@example.com", name="Li Na")
    make_user("trainee", email="lixna@example.com", name="Li Xna")
    login(client, admin)
    html = client.get("/admin/people?status=all&q=li_na").get_data(as_text=True)
    assert "li_na@example.com" in html and "lixna@example.com" not in html
    html = client.get("/admin/people?status=all&q=%25").get_data(as_text=True)
    assert "No one matches." in html
    html = client.get(f"/admin/cohorts/{cohort_id}?find=r30x_1").get_data(as_text=True)
    assert "No one on the roster matches." in html  # no e-mail holds "r30x_1" as typed


def test_a_page_after_the_last_goes_to_the_last(app, sized, client):
    cohort_id, mentor, admin = sized(60)
    login(client, admin)
    response = client.get(f"/admin/cohorts/{cohort_id}?sort=name&page=99999")
    assert response.status_code == 302 and "page=2" in response.location and "sort=name" in response.location
    assert client.get("/admin/people?status=all&page=99999").status_code == 302
    login(client, mentor)
    assert client.get("/mentor/?page=99999").status_code == 302
