"""Report bench: the dashboard and the gradebook at two data sizes, in process and under load.

    .venv/bin/python bench/reports.py [--sizes 50,2000] [--handoffs 100000] [--databases sqlite,postgresql]
        [--runs 15] [--duration 5] [--reseed]

For each size N it seeds (or reuses) a database with bench/seed.py — N trainees in two cohorts,
one started 30 weeks ago (trained, placed, buffer period run or over), one 8 weeks ago (in
training) — and bench/seed_buffer.py: placements, outcomes, check-ins, agent defects through
triage, contributions, and `--handoffs` hand-off events at the largest size (scaled down with N
for the others: 100,000 at 2,000 trainees, 2,500 at 50).

Then per database and size:
- in process (the app's test client, one request at a time after a warm-up): SQL statements per
  request and the median wall and CPU ms of `--runs` requests, for the dashboard of every cohort
  (all N trainees) computed (`?fresh=1`) and served from its snapshot, the older cohort's
  dashboard computed, its gradebook (first page, by name) and its gradebook sorted by one
  assessment's best score;
- under gunicorn (2 sync workers) and wrk (-t2 -c8, `--duration` s per page): req/s and p50 of
  `/healthz`, the dashboard (as served: the snapshot, computed at most once a minute) and the
  gradebook, and the dashboard's req/s over `/healthz`'s.

The targets it reports against: identical statement counts at both sizes; the dashboard at the
largest size within 3× of the smallest (median); the dashboard at ≥ 25 % of `/healthz`
throughput at the smallest size; the gradebook at the largest size under 1 s.
Databases: $TMPDIR/bench_reports/*.sqlite3 and `bench_reports_n<N>_v<version>` on --pg-url's server.
"""

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402  (sets LMS_INSTANCE_DIR; set again below)

WORK = Path(tempfile.gettempdir()) / "bench_reports"
os.environ["LMS_INSTANCE_DIR"] = str(WORK / "instance")
load.WORK = WORK  # gunicorn's logs go here too

from flask_migrate import upgrade  # noqa: E402

from bench import seed as bench_seed  # noqa: E402
from bench.seed_buffer import seed_buffer  # noqa: E402
from lms import create_app  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.models import Assessment, Cohort, User  # noqa: E402

SEED_VERSION = 1
WEEKS_AGO = [30, 8]


def urls(kind: str, n: int, pg_base: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{WORK / f'reports_n{n}_v{SEED_VERSION}.sqlite3'}"
    url = sa.make_url(pg_base)
    return url.set(database=f"bench_reports_n{n}_v{SEED_VERSION}").render_as_string(hide_password=False)


def prepare(kind: str, url: str, n: int, handoffs: int, reseed: bool) -> None:
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url})
    if not reseed:
        try:
            with app.app_context():
                upgrade()
                if db.session.scalar(sa.select(User.id).where(User.email == bench_seed.ADMIN_EMAIL)) is not None:
                    print(f"{kind} n={n}: reusing {sa.make_url(url).database}", flush=True)
                    db.engine.dispose()
                    load._analyze(kind, url)
                    return
                db.engine.dispose()
        except sa.exc.OperationalError:
            pass
    name = sa.make_url(url).database
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
    else:
        load._pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        load._pg_admin(url, f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        bench_seed.seed(db.session, app.config["COURSES_DIR"], n, cohort_size=-(-n // 2), weeks_ago=WEEKS_AGO)
        counts = seed_buffer(db.session, date.today(), handoffs)
        db.engine.dispose()
    print(f"{kind} n={n}: seeded in {time.perf_counter() - started:.0f} s: {counts}", flush=True)
    load._analyze(kind, url)


def targets(url: str) -> dict[str, str]:
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        cohort = db.session.scalar(sa.select(Cohort.id).where(Cohort.code == "B0"))
        assessment = db.session.scalar(sa.select(Assessment.id).where(Assessment.code == "after-sales-casework"))
        db.engine.dispose()
    return {"dashboard computed": "/admin/reports?fresh=1", "dashboard": "/admin/reports",
            "cohort dashboard computed": f"/admin/cohorts/{cohort}/dashboard?fresh=1",
            "gradebook": f"/admin/cohorts/{cohort}/gradebook",
            "gradebook by score": f"/admin/cohorts/{cohort}/gradebook?sort=score&col={assessment}&dir=desc"}


def in_process(url: str, pages: dict[str, str], runs: int) -> dict[str, dict]:
    """Statements, median wall ms and CPU ms per page, one request at a time."""
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    with app.app_context():
        engine = db.engine
        admin = db.session.scalar(sa.select(User).where(User.email == bench_seed.ADMIN_EMAIL))
        session_id = admin.get_id()
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = session_id, True
    out = {}
    for page, path in pages.items():
        assert client.get(path).status_code == 200, path  # warm up (outline, translations, statement cache)
        statements, times = [], []
        cpu = time.process_time()
        for _ in range(runs):
            statements.clear()
            listener = lambda *args, s=statements: s.append(1)  # noqa: E731
            sa.event.listen(engine, "before_cursor_execute", listener)
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            sa.event.remove(engine, "before_cursor_execute", listener)
            assert response.status_code == 200, (path, response.status_code)
        out[page] = {"statements": len(statements), "median": statistics.median(times),
                     "cpu": (time.process_time() - cpu) * 1000 / runs}
    with app.app_context():
        db.engine.dispose()
    return out


def under_load(kind: str, url: str, pages: dict[str, str], args) -> dict[str, dict]:
    server = load.Server(kind, url)
    try:
        server.start(2)
        server.login("admin", bench_seed.ADMIN_EMAIL)
        wrk_args = SimpleNamespace(threads=2, connections=8, duration=args.duration, timeout=30)
        out = {"healthz": load.run_wrk(server, "/healthz", "", wrk_args)}
        for page in ("dashboard", "gradebook"):
            # one request first, as an admin's first visit: the dashboard's snapshot is computed then
            status = server.get(pages[page], server.cookies["admin"])[0]
            if status != 200:
                raise load.BenchError(f"{kind}: {pages[page]} answered {status}")
            out[page] = load.run_wrk(server, pages[page], server.cookies["admin"], wrk_args)
        return out
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,2000")
    parser.add_argument("--handoffs", type=int, default=100000, help="hand-off events at the largest size")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_reports")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per page")
    parser.add_argument("--no-load", action="store_true", help="in process only (no gunicorn, no wrk)")
    parser.add_argument("--load-only", action="store_true", help="gunicorn and wrk only")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if not args.no_load and not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk (or --no-load)")
    WORK.mkdir(exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))  # Server.stop runs in `finally`
    results: dict[tuple[str, int], dict] = {}
    for kind in databases:
        for n in sizes:
            url = urls(kind, n, args.pg_url)
            prepare(kind, url, n, max(1, args.handoffs * n // sizes[-1]), args.reseed)
            pages = targets(url)
            results[(kind, n)] = {"in": in_process(url, pages, args.runs)} if not args.load_only else {}
            if not args.no_load:
                results[(kind, n)]["load"] = under_load(kind, url, pages, args)
            print(f"{kind} n={n} measured", file=sys.stderr, flush=True)
    small, large = sizes[0], sizes[-1]
    if args.load_only:
        _print_load(results, databases, sizes, args)
        return
    print(f"\nin process, {args.runs} requests each (median wall ms, CPU ms per request, SQL statements)")
    print(f"{'page':20} {'database':10} " + " ".join(f"{'n=' + str(n):>24}" for n in sizes) + f" {'ratio':>7}")
    for page in ("dashboard computed", "dashboard", "cohort dashboard computed", "gradebook", "gradebook by score"):
        for kind in databases:
            cells = [results[(kind, n)]["in"][page] for n in sizes]
            text = " ".join(f"{c['median']:8.1f} ms {c['cpu']:6.1f} cpu {c['statements']:3d}" for c in cells)
            print(f"{page:20} {kind:10} {text} {cells[-1]['median'] / cells[0]['median']:6.2f}×")
    if not args.no_load:
        _print_load(results, databases, sizes, args)
    print("\ntargets")
    for kind in databases:
        a, b = results[(kind, small)]["in"], results[(kind, large)]["in"]
        same = all(a[p]["statements"] == b[p]["statements"] for p in a)
        ratio = b["dashboard computed"]["median"] / a["dashboard computed"]["median"]
        line = (f"{kind}: statements identical at {small} and {large}: {'yes' if same else 'NO'}; "
                f"dashboard computed {large}/{small} = {ratio:.2f}× (target ≤ 3×); "
                f"gradebook at {large}: {b['gradebook']['median']:.0f} ms in process")
        if not args.no_load:
            r, big = results[(kind, small)]["load"], results[(kind, large)]["load"]
            share = r["dashboard"]["rps"] / r["healthz"]["rps"]
            line += (f", {big['gradebook']['p50']:.0f} ms p50 under load (target < 1 s); "
                     f"dashboard at {small}: {share:.3f} × healthz (target ≥ 0.25)")
        print(line)


def _print_load(results, databases, sizes, args) -> None:
    print(f"\nunder gunicorn (2 workers) + wrk -t2 -c8 -d{args.duration}s: req/s, p50 ms")
    for kind in databases:
        for n in sizes:
            r = results[(kind, n)]["load"]
            health = r["healthz"]["rps"]
            print(f"{kind:10} n={n:<5} healthz {health:7.0f}/s  dashboard {r['dashboard']['rps']:6.1f}/s "
                  f"p50 {r['dashboard']['p50']:7.1f} ms ({r['dashboard']['rps'] / health:.3f} × healthz)  "
                  f"gradebook {r['gradebook']['rps']:6.1f}/s p50 {r['gradebook']['p50']:7.1f} ms")


if __name__ == "__main__":
    try:
        main()
    except load.BenchError as error:
        sys.exit(f"bench/reports.py: {error}")
