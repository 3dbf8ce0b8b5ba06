"""The mixed load script (bench/journey.py) and the 双11 burst's requests, run once through the
test client on a tiny bench seed, with the seeding code of `bench/load.py --mixed`: so the
script cannot rot between load runs. Every request must answer as a person expects, and the
journey must leave its rows behind (a lesson done, work submitted, a grade, a defect)."""

from datetime import date

import sqlalchemy as sa

from bench import mixed_seed
from bench import seed as bench_seed
from bench.journey import Cast, Page, journey, part_of
from lms.extensions import db
from lms.models import AgentDefect, Grade, HandoffEvent, LessonProgress, Submission, SubmissionState, User


class ClientBrowser:
    """bench/journey.py's Browser over Flask's test client; notes each request's name and status."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.requests: list[tuple[str, int]] = []

    def new_person(self) -> None:
        self.client = self.app.test_client()

    def _page(self, name: str, response) -> Page:
        self.requests.append((name, response.status_code))
        return Page(response.status_code, response.get_data(as_text=True), response.headers.get("Location", ""))

    def get(self, path: str, name: str) -> Page:
        return self._page(name, self.client.get(path))

    def post(self, path: str, data: dict[str, str], name: str) -> Page:
        return self._page(name, self.client.post(path, data=data))


def _user_id(email: str) -> int:
    return db.session.scalar(sa.select(User.id).where(User.email == email))


def test_the_mixed_script_and_the_burst_run_end_to_end(app):
    today = date.today()
    with app.app_context():
        data = bench_seed.seed(db.session, app.config["COURSES_DIR"], 4, cohort_size=4, mentor_trainees=2)
        (cast,) = mixed_seed.casts(db.session, data, 1, 2, "T", today,
                                   mixed_seed.dashboard_pages(app.url_map, data.cohort_id))
        admin_token, (person_token,) = mixed_seed.burst_tokens(db.session, 1)
        people = mixed_seed.placed_people(db.session, 1)
    browser = ClientBrowser(app)
    journey(browser, cast, 0)

    names = [name for name, _ in browser.requests]
    for step in ("login form", "login", "trainee home", "lesson", "lesson done", "assessment", "submit",
                 "grading queue", "submission", "grade", "admin home", "buffer home", "defect form", "log defect",
                 "defect page"):
        assert step in names, (step, names)
    assert all(status in (200, 302) for _, status in browser.requests), browser.requests
    with app.app_context():
        trainee = _user_id(cast.trainees[0])
        assert db.session.scalar(sa.select(LessonProgress.id).where(LessonProgress.trainee_id == trainee,
                                                                    LessonProgress.lesson_id == cast.lesson_id))
        work = db.session.scalar(sa.select(Submission).where(Submission.trainee_id == trainee))
        assert work.assessment_id == cast.assessment_id and work.state == SubmissionState.SUBMITTED
        graded_now = sa.select(sa.func.count(Grade.id)).where(Grade.mentor_id == _user_id(cast.mentor),
                                                              Grade.feedback == "结构清晰，数据核对到位。",
                                                              Grade.created_at >= work.submitted_at)
        assert db.session.scalar(graded_now) == 1
        assert db.session.scalar(sa.select(sa.func.count(AgentDefect.id))
                                 .where(AgentDefect.reporter_id == _user_id(cast.placed))) == 1

    # under locust each user plays the parts in turn, starting at its own
    assert [part_of(Cast(**{**cast.__dict__, "offset": 2}), n) for n in range(5)] == [
        "admin", "defect", "trainee", "mentor", "admin"]

    client = app.test_client()
    defect = client.post("/api/v1/defects", json=mixed_seed.defect_body(7),
                         headers={"Authorization": f"Bearer {person_token}"})
    assert defect.status_code == 201, defect.get_json()
    assert "139-0000-0007" not in defect.get_json()["excerpt"]  # masked like the form
    batch = client.post("/api/v1/handoff-events", json=mixed_seed.handoff_batch(people, 0, 40, "T"),
                        headers={"Authorization": f"Bearer {admin_token}"})
    assert batch.status_code == 200, batch.get_json()
    assert batch.get_json() == {"created": 40, "updated": 0, "unchanged": 0}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(HandoffEvent.id))) == 40


def test_the_admin_part_opens_every_cohort_dashboard_route_there_is():
    """A dashboard route merged later joins the script by itself (a GET under /admin/ with
    "dashboard" in it and no argument but the cohort's id)."""
    from werkzeug.routing import Map, Rule

    url_map = Map([Rule("/admin/", endpoint="admin.home"),
                   Rule("/admin/cohorts/<int:cohort_id>/dashboard", endpoint="admin.cohort_dashboard"),
                   Rule("/admin/cohorts/<int:cohort_id>/dashboard", endpoint="admin.dashboard_save", methods=["POST"]),
                   Rule("/admin/cohorts/<int:cohort_id>/people/<int:user_id>/dashboard", endpoint="admin.person"),
                   Rule("/mentor/dashboard", endpoint="mentor.dashboard")])
    assert mixed_seed.dashboard_pages(url_map, 5) == [("admin home", "/admin/"),
                                                      ("cohort dashboard", "/admin/cohorts/5/dashboard")]
