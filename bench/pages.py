"""Time the busiest pages on a realistic data set and print the figures.

    .venv/bin/python bench/pages.py [--cohorts 6] [--trainees 30] [--runs 20]

Builds a throw-away SQLite database (or uses LMS_BENCH_DATABASE_URL) and seeds it with
bench/seed.py: the shipped catalogue, cohorts × trainees with mentors, lessons done,
submissions (draft, waiting, graded) and grades; then
requests each page `runs` times and prints the median and 95th percentile in ms,
this process's CPU ms per request (steadier than wall time on a shared machine) and
the SQL statements per request. A speed goal lives here, not in a test.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from bench.seed import seed  # noqa: E402
from lms import create_app  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.models import User  # noqa: E402


def measure(app, user_id: int, path: str, runs: int) -> tuple[float, float, float, int]:
    client = app.test_client()
    with app.app_context():
        engine = db.engine
        session_id = db.session.get(User, user_id).get_id()  # "<session token>.<issued>", as a login stores
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = session_id, True
    statements = []
    listener = lambda *args: statements.append(1)  # noqa: E731
    client.get(path)  # warm up
    times = []
    cpu_start = time.process_time()
    for _ in range(runs):
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", listener)
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        sa.event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200, (path, response.status_code)
    cpu = (time.process_time() - cpu_start) * 1000 / runs
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], cpu, len(statements)


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
    with app.app_context():
        data = seed(db.session, app.config["COURSES_DIR"], args.cohorts * args.trainees, cohort_size=args.trainees)
    pages = [
        ("admin home", data.admin_id, "/admin/"),
        ("cohort page", data.admin_id, f"/admin/cohorts/{data.cohort_id}"),
        ("mentor home", data.mentor_id, "/mentor/"),
        ("grading queue", data.mentor_id, "/mentor/queue"),
        ("trainee home", data.trainee_id, "/me/"),
        ("trainee catalogue", data.trainee_id, "/me/catalog"),
        ("lesson page", data.trainee_id, f"/me/lessons/{data.lesson_id}"),
    ]
    total = args.cohorts * args.trainees
    print(f"{args.cohorts} cohorts × {args.trainees} trainees = {total} trainees with lessons, submissions and grades; "
          f"{args.runs} runs per page on {url.split(':')[0]}")
    print(f"{'page':20} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8} {'SQL/request':>12}")
    for name, user_id, path in pages:
        median, p95, cpu, statements = measure(app, user_id, path, args.runs)
        print(f"{name:20} {median:10.1f} {p95:8.1f} {cpu:8.1f} {statements:12d}")


if __name__ == "__main__":
    main()
