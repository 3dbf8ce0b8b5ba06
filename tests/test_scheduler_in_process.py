"""Web processes start a scheduler only with LMS_SCHEDULER_IN_PROCESS=1, and then at their first
request (never while the app is built: commands and the reloader's watcher build it too)."""

import os

from lms import create_app
from lms.jobs import scheduler


def test_no_scheduler_without_the_setting(app):
    assert not app.config["SCHEDULER_IN_PROCESS"]
    app.test_client().get("/healthz")
    assert os.getpid() not in scheduler._started


def test_with_the_setting_the_first_request_starts_one_scheduler(app, monkeypatch):
    monkeypatch.setenv("LMS_SCHEDULER_IN_PROCESS", "1")
    web = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                 "SCHEDULER_TICK_SECONDS": 3600})
    assert web.config["SCHEDULER_IN_PROCESS"] and os.getpid() not in scheduler._started  # built, not started
    try:
        web.test_client().get("/healthz")
        started = scheduler._started[os.getpid()]
        web.test_client().get("/healthz")
        assert scheduler._started[os.getpid()] is started  # once per process
        names = {job.id for job in started.get_jobs()}
        assert {"defect_sla", "weekly_digest", "deliveries", "catch_up"} <= names
    finally:
        running = scheduler._started.pop(os.getpid(), None)
        if running is not None:
            running.shutdown(wait=True)
