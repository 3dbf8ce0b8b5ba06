"""The mixed load script and the 双11 burst against gunicorn, on SQLite (WAL) and PostgreSQL.

`bench/load.py --mixed`: one database after the other, loopback only, bounded in time.

    .venv/bin/python bench/load.py --mixed [--duration 60] [--users 16] [--trainees 2000]
        [--databases sqlite,postgresql] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/loadmix]
        [--burst-defects 200] [--burst-events 5000] [--burst-batch 100] [--burst-seconds 60] [--no-burst]

For each database: a bench database (bench/seed.py's program, reused across runs: the SQLite
file `loadmix_n<trainees>_v<version>.sqlite3` under $TMPDIR/bench_load/, the PostgreSQL database
named after --pg-url's plus `_n<trainees>_v<version>`), this run's people added to it
(bench/mixed_seed.py: a fresh cohort whose trainees each submit once, placed people, API tokens),
gunicorn with two sync workers, then for --duration seconds at once:

- locust, headless (bench/locustfile.py): --users virtual users without think time, each running
  bench/journey.py's script as its own trainees, their AI mentor, the admin and a placed person
  (log in → home → lesson → submit → grade → dashboards → defect log);
- the 双11 burst: --burst-defects defects through POST /api/v1/defects (each placed person's
  own token) and --burst-events hand-off events through POST /api/v1/handoff-events in batches of
  --burst-batch (the admin's token), sent at an even pace over --burst-seconds by 8 clients.

Prints per request name: count, 5xx, other failures, req/s, p50 / p95 / p99 ms (locust's
figures; the burst's from this process), the journeys done, and the gunicorn log's "database is
locked" lines and tracebacks. Exits 1 on any 5xx, lock error, traceback or request that did not
answer as the script expects.
"""

import argparse
import csv
import json
import math
import os
import re
import sqlite3
import statistics
import subprocess  # nosec B404  # runs locust from this checkout, no shell
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from http.client import HTTPConnection
from pathlib import Path

import sqlalchemy as sa

from bench import load, mixed_seed
from lms.extensions import db
from lms.models import User

MIX_VERSION = 1  # bump when bench/mixed_seed.py's one-off rows change: old databases are not reused
BURST_CLIENTS = 8


def urls(args) -> dict[str, str]:
    base = sa.make_url(args.pg_url)
    return {"sqlite": f"sqlite:///{load.WORK / f'loadmix_n{args.trainees}_v{MIX_VERSION}.sqlite3'}",
            "postgresql": base.set(database=f"{base.database or 'loadmix'}_n{args.trainees}_v{MIX_VERSION}")
            .render_as_string(hide_password=False)}


def prepare(kind: str, url: str, args, tag: str) -> dict:
    """The seeded database (built when missing, incomplete or --reseed) with this run's people;
    the plan locust reads and what the burst needs."""
    data = None if args.reseed else load._seeded(url)
    if data is not None:
        app = load.in_process_app(url)
        with app.app_context():
            seeded = db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email.like("trainee.%")))
            db.engine.dispose()
        if seeded != args.trainees:
            data = None
        else:
            print(f"{kind}: reusing {sa.make_url(url).database} ({args.trainees} trainees), upgraded", flush=True)
    if data is None:
        data = load._prepare(kind, url, args.trainees, reseed=True)
    app = load.in_process_app(url)
    per_user = args.per_user or 10 + math.ceil(args.duration / 2)  # journeys a user may finish
    with app.app_context():
        casts = mixed_seed.casts(db.session, data, args.users, per_user, tag, date.today(),
                                 mixed_seed.dashboard_pages(app.url_map, data.cohort_id))
        admin_token, person_tokens = mixed_seed.burst_tokens(db.session, args.users)
        people = mixed_seed.placed_people(db.session, args.users)
        db.engine.dispose()
    load._analyze(kind, url)  # PostgreSQL: statistics that include this run's rows, as autovacuum would
    mentors = len({c.mentor for c in casts})
    if mentors < args.users:
        print(f"{kind}: only {mentors} AI mentors for {args.users} users: users share a grading queue and may "
              "answer each other's grade with a 409 (seed more trainees: 100 per mentor)", flush=True)
    print(f"{kind}: {args.users} virtual users, {per_user} fresh trainees each, {mentors} AI mentors; "
          f"pages of the admin: {', '.join(name for name, _ in casts[0].dashboards)}", flush=True)
    return {"casts": [mixed_seed.cast_json(c) for c in casts], "admin_token": admin_token,
            "person_tokens": person_tokens, "people": people}


# --- the 双11 burst --------------------------------------------------------------------


def _post(port: int, path: str, token: str, body: dict) -> tuple[int, float]:
    start = time.perf_counter()
    conn = HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", path, body=json.dumps(body, ensure_ascii=False).encode(),
                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        conn.close()
    return status, (time.perf_counter() - start) * 1000


def burst(port: int, plan: dict, args, tag: str) -> dict:
    """Every defect and event batch at its time on an even schedule over --burst-seconds."""
    jobs = []
    for n in range(args.burst_defects):
        token = plan["person_tokens"][n % len(plan["person_tokens"])]
        jobs.append((n * args.burst_seconds / args.burst_defects, "POST /api/v1/defects", "/api/v1/defects", token,
                     mixed_seed.defect_body(n)))
    batches = math.ceil(args.burst_events / args.burst_batch)
    for b in range(batches):
        size = min(args.burst_batch, args.burst_events - b * args.burst_batch)
        jobs.append((b * args.burst_seconds / batches, f"POST /api/v1/handoff-events ({args.burst_batch})",
                     "/api/v1/handoff-events", plan["admin_token"],
                     mixed_seed.handoff_batch(plan["people"], b * args.burst_batch, size, tag)))
    jobs.sort(key=lambda job: job[0])
    results: dict[str, list[tuple[int, float]]] = {}
    lock = threading.Lock()

    def send(name, path, token, body):
        outcome = _post(port, path, token, body)
        with lock:
            results.setdefault(name, []).append(outcome)

    start = time.perf_counter()
    with ThreadPoolExecutor(BURST_CLIENTS) as pool:
        for at, name, path, token, body in jobs:
            time.sleep(max(0.0, start + at - time.perf_counter()))
            pool.submit(send, name, path, token, body)
    return {"results": results, "seconds": time.perf_counter() - start}


# --- one database ----------------------------------------------------------------------


def run_locust(port: int, plan_path: Path, prefix: Path, args) -> subprocess.Popen:
    env = {**os.environ, "LOADMIX_PLAN": str(plan_path), "PYTHONPATH": str(load.ROOT)}
    log = open(f"{prefix}_locust.log", "w")  # noqa: SIM115  # locust keeps it
    return subprocess.Popen(  # nosec B603
        [str(Path(sys.executable).with_name("locust")), "-f", str(load.ROOT / "bench" / "locustfile.py"),
         "--headless", "--users", str(args.users), "--spawn-rate", str(args.users), "--run-time",
         f"{args.duration}s", "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
         "--exit-code-on-error", "0",
         "--loglevel", "WARNING"],
        cwd=load.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def run_database(kind: str, url: str, args, tag: str) -> dict:
    plan = prepare(kind, url, args, tag)
    prefix = load.WORK / f"loadmix_{kind}"
    plan_path = Path(f"{prefix}_plan.json")
    results_path = Path(f"{prefix}_results.json")
    results_path.unlink(missing_ok=True)
    plan_path.write_text(json.dumps({"casts": plan["casts"], "results": str(results_path)}, ensure_ascii=False))
    server = load.Server(kind, url, log_name=f"loadmix_gunicorn_{kind}.log")
    server.start(args.workers)
    machine = [os.getloadavg()[0]]
    workers = server.workers()
    cpu_before = _cpu(kind, url, workers)
    try:
        started = time.perf_counter()
        locust = run_locust(server.port, plan_path, prefix, args)
        burst_figures = burst(server.port, plan, args, tag) if args.burst else None
        if locust.wait(args.duration + 120) != 0 or not results_path.exists():
            raise load.BenchError(f"locust failed; see {prefix}_locust.log")
        elapsed = time.perf_counter() - started
        machine.append(os.getloadavg()[0])
        cpu_after = _cpu(kind, url, workers)
    finally:
        server.stop()
    log = (load.WORK / f"loadmix_gunicorn_{kind}.log").read_text(errors="replace")
    journal = None
    if kind == "sqlite":
        with sqlite3.connect(sa.make_url(url).database) as conn:
            journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    return {"kind": kind, "stats": _locust_stats(Path(f"{prefix}_stats.csv")),
            "script": json.loads(results_path.read_text()), "burst": burst_figures, "elapsed": elapsed,
            "locked": len(re.findall(r"database is locked", log)), "tracebacks": log.count("Traceback"),
            "journal": journal, "load_average": machine,
            "cpu_seconds": [sum(after[p] - before.get(p, 0) for p in after) / load.CLK_TCK
                            for before, after in zip(cpu_before, cpu_after, strict=True)]}


def _cpu(kind: str, url: str, workers: list[int]) -> tuple[dict, dict]:
    """CPU ticks so far of the gunicorn workers and, on PostgreSQL, of the bench database's backends."""
    backends = load.postgres_backends(sa.make_url(url).database) if kind == "postgresql" else []
    return load.cpu_ticks(workers), load.cpu_ticks(backends)


def _locust_stats(path: Path) -> dict[str, dict]:
    with path.open(newline="") as file:
        return {row["Name"]: row for row in csv.DictReader(file)}


# --- report ----------------------------------------------------------------------------


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def report(run: dict, args) -> int:
    """Print one database's figures; return how many problems (5xx, locks, tracebacks, surprises)."""
    stats, script = run["stats"], run["script"]
    problems = run["locked"] + run["tracebacks"]
    title = {"sqlite": f"SQLite (journal_mode={run['journal']})", "postgresql": "PostgreSQL"}[run["kind"]]
    print(f"\n== {title}: mixed script, {args.users} users × {args.duration} s, gunicorn {args.workers} sync workers "
          f"(load average {' → '.join(f'{x:.1f}' for x in run['load_average'])} on {os.cpu_count()} cores)")
    print(f"{'request':30} {'count':>7} {'5xx':>5} {'other':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}  ms")
    fives = {name: sum(v for k, v in counts.items() if int(k) >= 500) for name, counts in script["statuses"].items()}
    for name, row in stats.items():
        errors = sum(fives.values()) if name == "Aggregated" else fives.get(name, 0)
        other = int(row["Failure Count"]) - errors  # 4xx, and requests that got no answer
        if name != "Aggregated":
            problems += errors + other
        print(f"{'all requests' if name == 'Aggregated' else name:30} {int(row['Request Count']):7d} {errors:5d} "
              f"{other:6d} {float(row['Requests/s']):7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}")
    stopped = script["stopped"]
    problems += sum(v for k, v in stopped.items() if "no fresh trainee" not in k)
    print(f"parts of the script done: {script['parts']}; stopped short: {stopped or 'none'}")
    if run["burst"]:
        b = run["burst"]
        print(f"双11 burst, during the script: sent at an even pace over {args.burst_seconds} s by {BURST_CLIENTS} "
              f"clients, the last answer at {b['seconds']:.1f} s:")
        for name, outcomes in b["results"].items():
            statuses = Counter(s for s, _ in outcomes)
            times = [t for _, t in outcomes]
            bad = sum(v for s, v in statuses.items() if not 200 <= s < 300)
            problems += bad
            print(f"  {name:42} {len(outcomes):5d} requests, statuses {dict(statuses)}, "
                  f"p50 {statistics.median(times):.0f} p95 {_ms(times, 0.95):.0f} max {max(times):.0f} ms")
    burst_requests = sum(len(o) for o in (run["burst"] or {}).get("results", {}).values())
    served = int(stats["Aggregated"]["Request Count"]) + burst_requests
    workers, backends = run["cpu_seconds"]
    print(f"CPU of the gunicorn workers: {workers:.1f} s, {workers * 1000 / max(served, 1):.1f} ms per request served"
          + (f"; PostgreSQL's: {backends:.1f} s" if run["kind"] == "postgresql" else ""))
    print(f'gunicorn log: {run["locked"]} "database is locked", {run["tracebacks"]} tracebacks')
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/load.py --mixed", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load per database")
    parser.add_argument("--users", type=int, default=16, help="virtual users (locust), no think time")
    parser.add_argument("--trainees", type=int, default=2000, help="bench/seed.py's program size")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/loadmix",
                        help="server and database name prefix (the database gets _n<trainees>_v<version>)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-user", type=int, default=0, help="fresh trainees per virtual user (default: "
                        "enough for --duration)")
    parser.add_argument("--reseed", action="store_true", help="build the databases anew")
    parser.add_argument("--no-burst", dest="burst", action="store_false")
    parser.add_argument("--burst-defects", type=int, default=200)
    parser.add_argument("--burst-events", type=int, default=5000)
    parser.add_argument("--burst-batch", type=int, default=100)
    parser.add_argument("--burst-seconds", type=int, default=60)
    args = parser.parse_args(argv)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if not databases or set(databases) - {"sqlite", "postgresql"}:
        parser.error("databases among sqlite, postgresql")
    load.WORK.mkdir(exist_ok=True)
    tag = time.strftime("%m%d%H%M%S")
    problems = 0
    runs = []
    for kind in databases:
        runs.append(run_database(kind, urls(args)[kind], args, tag))
    for run in runs:
        problems += report(run, args)
    (load.WORK / "loadmix_summary.json").write_text(json.dumps(runs, ensure_ascii=False, indent=1, default=str))
    print(f"\n{'FAILED' if problems else 'OK'}: {problems} problem(s); figures in {load.WORK / 'loadmix_summary.json'}")
    return 1 if problems else 0
