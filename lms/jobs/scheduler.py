"""APScheduler 3 (memory job store: the jobs are defined in code, nothing is pickled): each job
on its own schedule, plus a catch-up tick every SCHEDULER_TICK_SECONDS that runs whatever
period has not finished (missed while stopped, crashed, failed). Every call goes through
lms/jobs/runner.py, which makes a period run once across all processes.

Production runs one `flask --app wsgi lms scheduler` beside the web workers. A web worker
starts one only with LMS_SCHEDULER_IN_PROCESS=1 (the quick start), at its first request:
never in the Werkzeug reloader's watching process, nor in a command (`flask lms demo`).
"""

import logging
import os
import threading
from datetime import datetime
from typing import Optional
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from lms.jobs.context import JobSettings
from lms.jobs.registry import BY_NAME, JOBS
from lms.jobs.runner import run_due, run_job
from lms.models.base import utcnow

log = logging.getLogger("lms.jobs")


def _run_one(app: Flask, name: str) -> None:
    with app.app_context():
        run_job(BY_NAME[name], utcnow(), JobSettings.from_config(app.config))


def _tick(app: Flask, names: Optional[list[str]]) -> None:
    with app.app_context():
        run_due(utcnow(), JobSettings.from_config(app.config), names)


def build(app: Flask, blocking: bool, names: Optional[list[str]] = None) -> BaseScheduler:
    zone = app.config["BABEL_DEFAULT_TIMEZONE"]
    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(jobstores={"default": MemoryJobStore()}, executors={"default": ThreadPoolExecutor(4)},
                     job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
                     timezone=ZoneInfo(zone))
    for job in JOBS:
        if names is None or job.name in names:
            scheduler.add_job(_run_one, job.schedule.trigger(zone), args=[app, job.name], id=job.name, name=job.name)
    # the first tick right away: a scheduler that was down catches up when it starts
    scheduler.add_job(_tick, IntervalTrigger(seconds=app.config["SCHEDULER_TICK_SECONDS"], timezone=ZoneInfo(zone)),
                      args=[app, names], id="catch_up", name="catch_up", next_run_time=datetime.now(ZoneInfo(zone)))
    return scheduler


_started: dict[int, BackgroundScheduler] = {}  # per process id: a forked worker starts its own
_lock = threading.Lock()


def start_in_process(app: Flask) -> None:
    """Start this process's background scheduler once (LMS_SCHEDULER_IN_PROCESS=1; the first request calls it)."""
    pid = os.getpid()
    if pid in _started:
        return
    with _lock:
        if pid in _started:
            return
        scheduler = build(app, blocking=False)
        scheduler.start()
        _started[pid] = scheduler
        log.info("scheduler started in web process %d", pid)


def attach_in_process(app: Flask) -> None:
    """With LMS_SCHEDULER_IN_PROCESS=1: start the scheduler at the process's first request. A
    request proves this process serves: the reloader's watcher and the CLI never get one."""

    @app.before_request
    def _start_scheduler():
        if not _started.get(os.getpid()):
            start_in_process(app)
