"""Time the busiest pages on a realistic data set and print the figures.

    .venv/bin/python bench/pages.py [--cohorts 6] [--trainees 30] [--runs 20]

Builds a throw-away SQLite database (or uses LMS_BENCH_DATABASE_URL), loads the
shipped catalogue, enrolls cohorts × trainees with mentors and pending work, then
requests each page `runs` times and prints the median and 95th percentile in ms
and the SQL statements per request. A speed goal lives here, not in a test.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from lms import create_app  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.models import Assessment, Cohort, Submission, SubmissionState, User  # noqa: E402
from lms.services import cohorts, mentoring  # noqa: E402
from lms.services import people as people_service  # noqa: E402
from lms.services.catalog_sync import sync_catalog  # noqa: E402
from lms.services.progress import current_program  # noqa: E402


def seed(app, n_cohorts: int, per_cohort: int) -> dict[str, int]:
    method = app.config["PASSWORD_HASH_METHOD"]
    with app.app_context():
        sync_catalog(db.session, app.config["COURSES_DIR"])
        program = current_program(db.session)
        people = {}
        for role, kind in (("admin", None), ("mentor", "ai"), ("mentor", "business")):
            user = people_service.create_person(db.session, None, {
                "email": f"{role}.{kind or 'x'}@bench.example", "name": f"{role} {kind or ''}", "role": role,
                "mentor_kind": kind, "capacity": 100 if kind else None, "locale": "zh_CN"},
                password="bench-password", hash_method=method)
            people[f"{role}.{kind}"] = user.id
        first = db.session.scalar(sa.select(Assessment).order_by(Assessment.id))
        for c in range(n_cohorts):
            cohort = cohorts.create_cohort(db.session, None, program, {
                "code": f"B{c}", "name": f"Bench {c}", "start_date": date.today() - timedelta(days=7 * (c + 1))})
            for t in range(per_cohort):
                trainee = people_service.create_person(db.session, None, {
                    "email": f"t{c}.{t}@bench.example", "name": f"学员 {c}-{t}", "role": "trainee",
                    "mentor_kind": None, "capacity": None, "locale": "zh_CN"})
                cohorts.enroll(db.session, None, cohort, trainee, "collab_cs")
                db.session.add(Submission(trainee_id=trainee.id, assessment_id=first.id, attempt_no=1,
                                          state=SubmissionState.SUBMITTED, answers={}, checks=[],
                                          submitted_at=sa.func.now()))
            mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort.id))
        db.session.commit()
        return people


def measure(app, user_id: int, path: str, runs: int) -> tuple[float, float, int]:
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = str(user_id), True
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(1)  # noqa: E731
    client.get(path)  # warm up
    times = []
    for _ in range(runs):
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", listener)
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        sa.event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cohorts", type=int, default=6)
    parser.add_argument("--trainees", type=int, default=15, help="per cohort")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = os.environ.get("LMS_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": tmp})
    with app.app_context():
        upgrade()
    people = seed(app, args.cohorts, args.trainees)
    with app.app_context():
        trainee_id = db.session.scalar(sa.select(User.id).where(User.email == "t0.0@bench.example"))
    pages = [
        ("admin home", people["admin.None"], "/admin/"),
        ("cohort page", people["admin.None"], "/admin/cohorts/1"),
        ("mentor home", people["mentor.ai"], "/mentor/"),
        ("grading queue", people["mentor.ai"], "/mentor/queue"),
        ("trainee home", trainee_id, "/me/"),
        ("trainee catalogue", trainee_id, "/me/catalog"),
    ]
    total = args.cohorts * args.trainees
    print(f"{args.cohorts} cohorts × {args.trainees} trainees = {total} trainees, {total} pending submissions; "
          f"{args.runs} runs per page on {url.split(':')[0]}")
    print(f"{'page':20} {'median ms':>10} {'p95 ms':>8} {'SQL/request':>12}")
    for name, user_id, path in pages:
        median, p95, statements = measure(app, user_id, path, args.runs)
        print(f"{name:20} {median:10.1f} {p95:8.1f} {statements:12d}")


if __name__ == "__main__":
    main()
