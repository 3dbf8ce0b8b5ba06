"""Load bench: every busy page under gunicorn + wrk, SQLite and PostgreSQL side by side.

    .venv/bin/python bench/load.py [--trainees 2000] [--duration 10] [--rounds 3]
        [--databases sqlite,postgresql] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_load]
        [--pages healthz,admin_home,...] [--connections 16] [--threads 2] [--reseed]

Needs `wrk` (Debian: apt-get install wrk) and, for PostgreSQL, a server that lets this
user create databases. For each database it seeds (or reuses: keyed by the trainee count
and the seed version) a bench database with bench/seed.py, serves it with gunicorn (two
sync workers, production config on PostgreSQL; development config without debug on
SQLite, the only one that accepts SQLite), logs in as the admin, the first AI mentor
(~100 trainees) and a trainee through the real login form, checks every page answers 200,
then runs wrk (loopback only) against each page in turn, round after round, alternating
the databases, so machine noise hits all alike.

Columns: req/s (mean over rounds), × healthz (that over /healthz req/s on the same
database), p50 / p99 ms (median over rounds, from wrk --latency), SQL statements per
request (counted in this process with the app's test client on the same database, one
request after a warm-up), CPU ms per request of the gunicorn workers (utime + stime from
/proc/<pid>/stat, before and after, over requests) and, on PostgreSQL, of its server
processes serving the bench database; errors are wrk's socket errors and timeouts (its
--timeout is 30 s here, so slow pages are measured rather than dropped).

SQLite files and the instance folder go under $TMPDIR/bench_load/; PostgreSQL databases are
named after --pg-url's database plus `_n<trainees>`.

    .venv/bin/python bench/load.py --mixed [--duration 60] [--users 16] …

runs the mixed script (log in → home → lesson → submit → grade → dashboards → defect log, with
locust) and the 双11 burst through the API instead; see bench/mixed.py.
"""

import argparse
import atexit
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess  # nosec B404  # runs gunicorn and wrk from this checkout, no shell
import sys
import tempfile
import time
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.gettempdir()) / "bench_load"
os.environ["LMS_INSTANCE_DIR"] = str(WORK / "instance")  # before the app reads it: never ./instance
os.environ.pop("DATABASE_URL", None)

from flask_migrate import upgrade  # noqa: E402

from bench import seed as bench_seed  # noqa: E402
from lms import create_app  # noqa: E402
from lms.extensions import db  # noqa: E402

SEED_VERSION = 1  # bump when bench/seed.py changes what it writes: old databases are not reused
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGES = ["healthz", "admin_home", "cohort", "mentor_home", "queue", "trainee_home", "catalogue", "lesson"]
TITLES = {"healthz": "/healthz", "admin_home": "admin home", "cohort": "cohort page", "mentor_home": "mentor home",
          "queue": "grading queue", "trainee_home": "trainee home", "catalogue": "trainee catalogue",
          "lesson": "lesson page"}


def page_targets(data: bench_seed.BenchData) -> dict[str, tuple[str | None, str]]:
    """Page key → (role whose session it needs, path); paths from the route modules."""
    return {
        "healthz": (None, "/healthz"),
        "admin_home": ("admin", "/admin/"),
        "cohort": ("admin", f"/admin/cohorts/{data.cohort_id}"),
        "mentor_home": ("mentor", "/mentor/"),
        "queue": ("mentor", "/mentor/queue"),
        "trainee_home": ("trainee", "/me/"),
        "catalogue": ("trainee", "/me/catalog"),
        "lesson": ("trainee", f"/me/lessons/{data.lesson_id}"),
    }


class BenchError(RuntimeError):
    pass


# --- databases ------------------------------------------------------------------------


def sqlite_url(trainees: int) -> str:
    return f"sqlite:///{WORK / f'bench_n{trainees}_v{SEED_VERSION}.sqlite3'}"


def pg_url(base: str, trainees: int) -> str:
    url = sa.make_url(base)
    return url.set(database=f"{url.database or 'bench_load'}_n{trainees}_v{SEED_VERSION}").render_as_string(
        hide_password=False)


def _pg_admin(url: str, statement: str) -> None:
    engine = sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def _seeded(url: str) -> bench_seed.BenchData | None:
    """The bench ids when `url` holds a complete seed, else None."""
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("users"):
                return None
        engine.dispose()
    except sa.exc.OperationalError:
        return None
    app = in_process_app(url)
    with app.app_context():
        upgrade()  # tables and columns added since it was seeded (empty), so every page runs
        try:
            return bench_seed.describe(db.session)
        except LookupError:
            return None
        finally:
            db.engine.dispose()


def in_process_app(url: str):
    return create_app("development", {"SQLALCHEMY_DATABASE_URI": url})


def prepare(kind: str, url: str, trainees: int, reseed: bool) -> bench_seed.BenchData:
    """A seeded database at `url`, its planner statistics fresh (see `_analyze`)."""
    data = _prepare(kind, url, trainees, reseed)
    _analyze(kind, url)
    return data


def _analyze(kind: str, url: str) -> None:
    """PostgreSQL plans from statistics that autovacuum keeps fresh on a live server, but not
    in the minute after a bulk seed or a migration: without this the grading queue was planned
    for one submitted row and took 370 ms. (SQLite keeps no statistics unless asked; left as a
    live SQLite deployment runs.)"""
    if kind == "postgresql":
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE"))
        engine.dispose()


def _prepare(kind: str, url: str, trainees: int, reseed: bool) -> bench_seed.BenchData:
    """Reused when complete (and not --reseed), else built anew."""
    if not reseed:
        data = _seeded(url)
        if data is not None and data.trainees == trainees:
            print(f"{kind}: reusing {sa.make_url(url).database} ({trainees} trainees), upgraded", flush=True)
            return data
    name = sa.make_url(url).database
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
    else:
        _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(url, f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    app = in_process_app(url)
    with app.app_context():
        upgrade()
        migrated = time.perf_counter()
        data = bench_seed.seed(db.session, app.config["COURSES_DIR"], trainees)
        db.engine.dispose()
    done = time.perf_counter()
    print(f"{kind}: seeded {name}: {trainees} trainees in {done - migrated:.1f} s "
          f"(+ {migrated - started:.1f} s migrations)", flush=True)
    return data


# --- statement counts (in this process) ------------------------------------------------


CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise BenchError("no csrf_token field on the login page")
    return match.group(1) or match.group(2)


def count_statements(url: str, emails: dict[str, str], targets: dict) -> dict[str, int]:
    """SQL statements of one request per page (after one warm-up), with the real login."""
    app = in_process_app(url)
    counts = {}
    with app.app_context():
        engine = db.engine
    clients = {}
    for role, email in emails.items():
        client = clients[role] = app.test_client()
        token = csrf_token(client.get("/auth/login").get_data(as_text=True))
        response = client.post("/auth/login", data={"email": email, "password": bench_seed.PASSWORD,
                                                    "csrf_token": token})
        if response.status_code != 302:
            raise BenchError(f"in-process login as {role} answered {response.status_code}")
    for page, (role, path) in targets.items():
        client = clients[role] if role else app.test_client()
        client.get(path)
        statements = []

        def listener(*_args, statements=statements):
            statements.append(1)

        sa.event.listen(engine, "before_cursor_execute", listener)
        response = client.get(path)
        sa.event.remove(engine, "before_cursor_execute", listener)
        if response.status_code != 200:
            raise BenchError(f"in-process {path} as {role} answered {response.status_code}")
        counts[page] = len(statements)
    with app.app_context():
        db.engine.dispose()
    return counts


# --- gunicorn --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    kind: str
    url: str
    port: int = 0
    process: subprocess.Popen | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    log_name: str = ""  # under WORK; default gunicorn_<kind>.log

    def start(self, workers: int) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "LMS_CONFIG")}
        env.update(DATABASE_URL=self.url, SECRET_KEY=secrets.token_hex(32), LMS_INSECURE_COOKIES="1",
                   LMS_CONFIG="production" if self.kind == "postgresql" else "development")
        self.port = free_port()
        log = open(WORK / (self.log_name or f"gunicorn_{self.kind}.log"), "w")  # noqa: SIM115  # gunicorn keeps it
        self.process = subprocess.Popen(  # nosec B603
            [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn ({self.kind}) exited; see {log.name}")
            try:
                if self.get("/healthz")[0] == 200 and len(self.workers()) == workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn ({self.kind}) did not answer /healthz within 30 s; see {log.name}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # the master and its workers: our own group
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass

    def request(self, method: str, path: str, body: str | None = None, cookie: str = ""):
        conn = HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        result = (response.status, response.getheader("Location") or "", response.read().decode(),
                  response.headers.get_all("Set-Cookie") or [])
        conn.close()
        return result

    def get(self, path: str, cookie: str = ""):
        return self.request("GET", path, cookie=cookie)

    def login(self, role: str, email: str) -> None:
        """POST the real login form (with its CSRF token) and keep the session cookie."""
        _status, _location, html, set_cookies = self.get("/auth/login")
        cookie = _session_cookie(set_cookies)
        body = urlencode({"email": email, "password": bench_seed.PASSWORD, "csrf_token": csrf_token(html)})
        status, location, _html, set_cookies = self.request("POST", "/auth/login", body, cookie)
        if status != 302 or "/auth/login" in location:
            raise BenchError(f"{self.kind}: login as {role} ({email}) answered {status} {location}")
        self.cookies[role] = _session_cookie(set_cookies)

    def workers(self) -> list[int]:
        return [pid for pid, ppid in _processes() if ppid == self.process.pid]


def _session_cookie(set_cookies: list[str]) -> str:
    for header in set_cookies:
        name_value = header.split(";", 1)[0]
        if name_value.split("=", 1)[0] in ("session", "__Host-session"):
            return name_value
    raise BenchError(f"no session cookie in {set_cookies}")


def _processes():
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            yield int(entry.name), int(stat.rsplit(")", 1)[1].split()[1])


def cpu_ticks(pids) -> dict[int, int]:
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime (fields 14, 15 of stat)
    return ticks


def postgres_backends(database: str) -> list[int]:
    """Server processes of `database` (their title reads `postgres: user database host …`)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres: ") and f" {database} " in title:
                pids.append(int(entry.name))
    return pids


# --- wrk -------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output: str) -> dict[str, float]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+[a-z]+)", output, re.MULTILINE))
    if not rps or not total or set(percentiles) != {"50", "99"}:
        raise BenchError(f"cannot read wrk's output:\n{output}")

    def ms(text: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
        return float(number) * UNITS[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {"rps": float(rps.group(1)), "requests": int(total.group(1)), "p50": ms(percentiles["50"]),
            "p99": ms(percentiles["99"]), "non2xx": int(bad.group(1)) if bad else 0,
            "errors": sum(map(int, socket_errors.groups())) if socket_errors else 0}


def settle(server: Server, limit: float = 30.0) -> None:
    """Wait until the workers are idle: requests wrk left queued when it stopped are still
    served after it, and their time must not count against the next page."""
    deadline = time.time() + limit
    last = cpu_ticks(server.workers())
    while time.time() < deadline:
        time.sleep(0.3)
        now = cpu_ticks(server.workers())
        if now == last:
            return
        last = now


def run_wrk(server: Server, path: str, cookie: str, args) -> dict[str, float]:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
               f"--timeout={args.timeout}s",
               f"http://127.0.0.1:{server.port}{path}"]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    settle(server)
    workers = server.workers()
    backends = postgres_backends(sa.make_url(server.url).database) if server.kind == "postgresql" else []
    before, db_before = cpu_ticks(workers), cpu_ticks(backends)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # nosec B603
    after = cpu_ticks(workers)
    db_after = cpu_ticks(postgres_backends(sa.make_url(server.url).database) if backends or
                         server.kind == "postgresql" else [])
    result = parse_wrk(output)
    if result["non2xx"]:
        raise BenchError(f"{server.kind} {path}: {result['non2xx']} answers were not 2xx/3xx")
    if set(server.workers()) != set(workers):
        raise BenchError(f"{server.kind}: gunicorn workers changed during {path} (a worker died?)")
    requests = max(result["requests"], 1)
    result["cpu_ms"] = sum(after[p] - before.get(p, 0) for p in after) * 1000 / CLK_TCK / requests
    result["db_cpu_ms"] = (sum(db_after[p] - db_before.get(p, 0) for p in db_after) * 1000 / CLK_TCK / requests
                           if server.kind == "postgresql" else None)
    return result


# --- main ------------------------------------------------------------------------------


def main() -> None:
    if "--mixed" in sys.argv[1:]:  # the mixed script and the 双11 burst: bench/mixed.py
        from bench import mixed

        sys.exit(mixed.main([a for a in sys.argv[1:] if a != "--mixed"]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page, database and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_load",
                        help="server and database name prefix (the database gets _n<trainees>_v<version>)")
    parser.add_argument("--reseed", action="store_true", help="build the databases anew")
    parser.add_argument("--pages", default=",".join(PAGES), help=f"subset of {','.join(PAGES)}")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=30, help="wrk's request timeout, s (its default 2 s drops "
                        "slow requests from the latency figures)")
    args = parser.parse_args()
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = set(pages) - set(PAGES)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if unknown or not pages or set(databases) - {"sqlite", "postgresql"} or not databases:
        parser.error(f"pages are among {', '.join(PAGES)}; databases among sqlite, postgresql")
    if "healthz" not in pages:
        pages.insert(0, "healthz")  # the ratio column needs it
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    WORK.mkdir(exist_ok=True)

    servers: list[Server] = []

    def stop_all(*_args):
        for server in servers:
            server.stop()
        if _args:  # a signal
            sys.exit(130)

    atexit.register(stop_all)
    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)

    urls = {"sqlite": sqlite_url(args.trainees), "postgresql": pg_url(args.pg_url, args.trainees)}
    statements, targets = {}, {}
    for kind in databases:
        data = prepare(kind, urls[kind], args.trainees, args.reseed)
        targets[kind] = {p: t for p, t in page_targets(data).items() if p in pages}
        app = in_process_app(urls[kind])
        with app.app_context():
            emails = {"admin": bench_seed.email_of(db.session, data.admin_id),
                      "mentor": bench_seed.email_of(db.session, data.mentor_id),
                      "trainee": bench_seed.email_of(db.session, data.trainee_id)}
            db.engine.dispose()
        print(f"{kind}: mentor {emails['mentor']} has {data.mentor_trainees} trainees; "
              f"trainee {emails['trainee']}; cohort {data.cohort_id}, lesson {data.lesson_id}", flush=True)
        statements[kind] = count_statements(urls[kind], emails, targets[kind])
        server = Server(kind, urls[kind])
        servers.append(server)
        server.start(args.workers)
        for role, email in emails.items():
            server.login(role, email)
        for role, path in targets[kind].values():
            status, location, _body, _cookies = server.get(path, server.cookies.get(role, ""))
            if status != 200:
                raise BenchError(f"{kind}: {path} as {role} answered {status} {location}")

    results: dict[tuple[str, str], list[dict]] = {}
    started = time.time()
    for r in range(args.rounds):
        order = servers if r % 2 == 0 else servers[::-1]
        for page in pages:
            for server in order:
                role, path = targets[server.kind][page]
                results.setdefault((page, server.kind), []).append(
                    run_wrk(server, path, server.cookies.get(role, ""), args))
        print(f"round {r + 1}/{args.rounds} done ({time.time() - started:.0f} s)", file=sys.stderr, flush=True)
    stop_all()

    print(f"\n{args.trainees} trainees; gunicorn {args.workers} sync workers; wrk -t{args.threads} "
          f"-c{args.connections} -d{args.duration}s × {args.rounds} rounds")
    print(f"{'page':18} {'database':10} {'req/s':>8} {'×healthz':>9} {'p50 ms':>8} {'p99 ms':>8} {'SQL/req':>8} "
          f"{'CPU ms/req':>10} {'PG CPU ms/req':>13} {'errors':>6}")
    for page in pages:
        for kind in databases:
            runs = results[(page, kind)]
            rps = statistics.mean(x["rps"] for x in runs)
            health = statistics.mean(x["rps"] for x in results[("healthz", kind)])
            db_cpu = runs[0]["db_cpu_ms"]
            db_cpu = "" if db_cpu is None else f"{statistics.mean(x['db_cpu_ms'] for x in runs):.2f}"
            print(f"{TITLES[page]:18} {kind:10} {rps:8.1f} {rps / health:9.3f} "
                  f"{statistics.median(x['p50'] for x in runs):8.1f} {statistics.median(x['p99'] for x in runs):8.1f} "
                  f"{statements[kind][page]:8d} {statistics.mean(x['cpu_ms'] for x in runs):10.2f} {db_cpu:>13} "
                  f"{sum(x['errors'] for x in runs):6d}")


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(f"bench/load.py: {error}")
