"""CPU ms and SQL statements per page, measured in this process, on a load-bench database.

    .venv/bin/python bench/profile_pages.py --url DATABASE_URL [--pages admin_home,mentor_home]
        [--runs 40] [--blocks 3] [--explain] [--seed --trainees 2000]

The pages and logins are bench/load.py's (the admin, the first AI mentor with ~100 trainees,
a trainee of cohort B0), requested through the test client after the real login form, with
the development settings (no debug, templates not reloaded). Each page is warmed up, then
requested `runs` times in each of `blocks` blocks; the figure is this process's CPU ms per
request (time.process_time, so other jobs on the machine barely move it) in the cheapest
block. On SQLite that includes the database's work; on PostgreSQL it does not: --explain
adds the server's time for the page's statements (EXPLAIN ANALYZE of each, as captured, summed
execution and planning ms; on SQLite, the time to run each in this process), and -v lists them.

To compare two versions of the code, run this script from each checkout in turn, several
times, and take the least figure of each. With --seed, a URL that holds no bench data is
seeded first (a SQLite file is replaced, a PostgreSQL database dropped and created: give a
throw-away name), as bench/load.py seeds, and its planner statistics refreshed.
"""

import argparse
import cProfile
import gc
import io
import os
import pstats
import subprocess  # nosec B404  # git, for the figures' provenance
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402  (its import sets LMS_INSTANCE_DIR: set ours below, before any app)
from bench import seed as bench_seed  # noqa: E402
from lms.extensions import db  # noqa: E402


def version() -> str:
    """The checkout's commit (and "+changes" when its files differ from it), or "" outside git."""
    def git(*args):
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,  # nosec B603 B607
                              check=False).stdout.strip()
    commit = git("rev-parse", "--short", "HEAD")
    return commit + (" +changes" if commit and git("status", "--porcelain", "--untracked-files=no") else "")


def login(app, email: str):
    client = app.test_client()
    token = load.csrf_token(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/login", data={"email": email, "password": bench_seed.PASSWORD,
                                                "csrf_token": token})
    if response.status_code != 302:
        raise load.BenchError(f"login as {email} answered {response.status_code}")
    return client


def capture(engine, client, path: str) -> list[tuple[str, object]]:
    """The statements (and their parameters) of one request."""
    statements = []

    def listener(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    if response.status_code != 200:
        raise load.BenchError(f"{path} answered {response.status_code}")
    return statements


def explain(url: str, statements) -> list[tuple[float, str]]:
    """(database ms, statement) of each statement. PostgreSQL: EXPLAIN ANALYZE's execution plus
    planning time (the server's work, beside this process's). SQLite: this process's CPU ms to
    run it and fetch its rows, the least of five (already part of the page's CPU ms)."""
    engine = sa.create_engine(url)
    timed = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        for statement, parameters in statements:
            if engine.dialect.name == "postgresql":
                for _ in range(2):  # the second, warm
                    with raw.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
                        plan = cursor.fetchone()[0][0]
                timed.append((plan["Execution Time"] + plan["Planning Time"], statement))
            else:
                runs = []
                for _ in range(5):
                    start = time.process_time()
                    raw.execute(statement, parameters).fetchall()
                    runs.append((time.process_time() - start) * 1000)
                timed.append((min(runs), statement))
        raw.rollback()
    engine.dispose()
    return timed


def profile(client, path: str, runs: int, top: int) -> None:
    profiler = cProfile.Profile(time.process_time)  # CPU time: other jobs on the machine do not count
    profiler.enable()
    for _ in range(runs):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("PROFILE_SORT", "tottime"))
    stats.print_stats(top)
    if os.environ.get("PROFILE_CALLEES"):  # a function name pattern: what it calls
        stats.print_callees(os.environ["PROFILE_CALLEES"])
    if os.environ.get("PROFILE_CALLERS"):  # a function name pattern: who calls it
        stats.print_callers(os.environ["PROFILE_CALLERS"])
    print("\n".join("    " + line for line in out.getvalue().splitlines() if line.strip()), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a bench database (sqlite:///… or postgresql+psycopg://…)")
    parser.add_argument("--pages", default=",".join(p for p in load.PAGES if p != "healthz"),
                        help=f"among {','.join(load.PAGES)}")
    parser.add_argument("--runs", type=int, default=40, help="requests per block")
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--explain", action="store_true", help="the database's ms per page too (see explain())")
    parser.add_argument("-v", "--verbose", action="store_true", help="with --explain: each statement's ms")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N",
                        help="also profile each page's requests and print its N costliest functions (own time)")
    parser.add_argument("--seed", action="store_true", help="seed the URL first when it holds no bench data")
    parser.add_argument("--trainees", type=int, default=2000, help="with --seed")
    args = parser.parse_args()
    os.environ["LMS_INSTANCE_DIR"] = str(Path(tempfile.gettempdir()) / "profile_pages")
    kind = sa.make_url(args.url).get_backend_name()
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    if set(pages) - set(load.PAGES) or kind not in ("sqlite", "postgresql"):
        parser.error(f"pages are among {', '.join(load.PAGES)}; the URL is SQLite or PostgreSQL")

    if args.seed:
        data = load.prepare(kind, args.url, args.trainees, reseed=False)
    else:
        app = load.in_process_app(args.url)
        with app.app_context():
            try:
                data = bench_seed.describe(db.session)
            except LookupError:
                sys.exit(f"{args.url} holds no bench data (--seed builds it)")
            finally:
                db.engine.dispose()
    app = load.in_process_app(args.url)
    targets = load.page_targets(data)
    with app.app_context():
        engine = db.engine
        emails = {"admin": bench_seed.email_of(db.session, data.admin_id),
                  "mentor": bench_seed.email_of(db.session, data.mentor_id),
                  "trainee": bench_seed.email_of(db.session, data.trainee_id)}
        db.session.remove()
    clients = {role: login(app, email) for role, email in emails.items()}
    anonymous = app.test_client()
    gc.freeze()  # as gunicorn.conf.py does once a worker has loaded the app

    print(f"{kind}, {data.trainees} trainees; {args.blocks} blocks × {args.runs} requests, least block; "
          f"code {ROOT} {version()}")
    print(f"{'page':18} {'CPU ms/req':>10} {'blocks':>24} {'SQL/req':>8}"
          + (f" {'DB ms/req':>9}" if args.explain else ""))
    for page in pages:
        role, path = targets[page]
        client = clients[role] if role else anonymous
        for _ in range(args.warmup):
            client.get(path)
        statements = capture(engine, client, path)
        blocks = []
        for _ in range(args.blocks):
            start = time.process_time()
            for _ in range(args.runs):
                client.get(path)
            blocks.append((time.process_time() - start) * 1000 / args.runs)
        line = (f"{load.TITLES[page]:18} {min(blocks):10.2f} {' '.join(f'{b:.2f}' for b in blocks):>24} "
                f"{len(statements):8d}")
        if args.explain:
            timed = explain(args.url, statements)
            line += f" {sum(ms for ms, _ in timed):9.2f}"
            if args.verbose:
                line += "".join(f"\n    {ms:7.2f} ms  {' '.join(s.split())[:150]}" for ms, s in timed)
        print(line, flush=True)
        if args.cprofile:
            profile(client, path, args.runs, args.cprofile)
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    try:
        main()
    except load.BenchError as error:
        sys.exit(f"bench/profile_pages.py: {error}")
