"""locust's side of `bench/load.py --mixed`: each virtual user plays one `Cast` of the plan
file (LOADMIX_PLAN, written by bench/mixed.py) and runs the parts of bench/journey.py's mixed
script in turn (trainee, mentor, admin, defect; each user starting with another part), without
think time, through FastHttpUser (cookies kept, redirects not followed by the client: the script
follows them, so every request has its own line in the figures).

Run by bench/mixed.py in a process of its own (locust patches the standard library with
gevent); every status per request name, the parts done and what stopped a part short are
written to the plan's `results` file when the run stops.
"""

import itertools
import json
import os
import re
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

from bench.journey import Cast, JourneyError, Page, part_of, step

PLAN = json.loads(Path(os.environ["LOADMIX_PLAN"]).read_text())
CASTS = [Cast(**{**cast, "dashboards": [tuple(d) for d in cast["dashboards"]]}) for cast in PLAN["casts"]]
_next_cast = itertools.count()  # one process, greenlets: no lock needed
STATUSES: dict[str, Counter] = defaultdict(Counter)
STOPPED: Counter = Counter()  # why a part of the script stopped short
DONE: Counter = Counter()  # parts of the script done, by name


class LocustBrowser:
    """bench/journey.py's Browser over locust's FastHttpSession: each request is one line of the
    figures under its name; 4xx and 5xx count as failures."""

    def __init__(self, client):
        self.client = client

    def new_person(self) -> None:
        self.client.cookiejar.clear()

    def _page(self, name: str, response) -> Page:
        STATUSES[name][response.status_code] += 1
        if response.status_code == 0 or response.status_code >= 400:
            response.failure(f"HTTP {response.status_code}")
        else:
            response.success()
        location = urlsplit(response.headers.get("Location", "") if response.headers else "")
        path = location.path + (f"?{location.query}" if location.query else "")
        return Page(response.status_code, response.text or "", path)

    def get(self, path: str, name: str) -> Page:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            return self._page(name, response)

    def post(self, path: str, data: dict[str, str], name: str) -> Page:
        with self.client.post(path, data=data, name=name, allow_redirects=False, catch_response=True) as response:
            return self._page(name, response)


class Person(FastHttpUser):
    wait_time = constant(0)  # 16 users with no pause: like wrk's -c16, the server is never idle

    def on_start(self):
        self.cast = CASTS[next(_next_cast) % len(CASTS)]
        self.browser = LocustBrowser(self.client)
        self.round = 0

    @task
    def mixed_script(self):
        """One part of the script (trainee, mentor, admin, defect), the next one next time."""
        try:
            DONE[step(self.browser, self.cast, self.round)] += 1
        except JourneyError as error:
            what = re.sub(r"\S+@\S+", "<person>", str(error))  # one line per kind of problem, not per person
            STOPPED[f"{part_of(self.cast, self.round)}: {what}"] += 1
            if "no fresh trainee" in str(error):
                raise StopUser() from error
        self.round += 1


@events.test_stop.add_listener
def _write_results(**_kwargs):
    Path(PLAN["results"]).write_text(json.dumps({
        "statuses": {name: dict(counts) for name, counts in STATUSES.items()},
        "stopped": dict(STOPPED), "parts": dict(DONE)}, ensure_ascii=False, indent=1))
