"""The retention purge (PIPL): RETENTION_DAYS after their last activity, defects lose their
excerpts, texts and screenshots, and assessment attempts their uploaded files; the records
stay and say so. Idempotent; audited; the CLI at a frozen time."""

import io
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from lms.extensions import db
from lms.models import (
    AgentDefect,
    Assessment,
    AuditEvent,
    DefectFile,
    DefectReport,
    Placement,
    Submission,
    SubmissionFile,
    User,
)
from lms.services import defects
from lms.services import submissions as submission_service
from lms.services.defect_rules import DefectSettings
from lms.services.retention import RetentionSettings, purge_expired
from lms.services.uploads import store_upload
from lms.storage import storage_for
from tests.conftest import login
from tests.defect_fixtures import placed, scale, values
from tests.test_assessments import BOTH_TASK, _plausible

NOW = datetime(2026, 11, 27, 2, 0)  # naive UTC, as stored
SETTINGS = RetentionSettings(days=180)
CUTOFF = NOW - timedelta(days=180)  # 2026-05-31 02:00
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
PDF = b"%PDF-1.4\n%work\n"


@pytest.fixture(params=["local", "database"])
def store_kind(request):
    return request.param


def _storage(app, kind):
    return storage_for({"UPLOAD_STORAGE": kind, "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"]}, db.session)


def _defect(app, kind, pid, at, shots=1):
    with app.app_context():
        storage = _storage(app, kind)
        placement = db.session.get(Placement, pid)
        files = [store_upload(storage, io.BytesIO(PNG), f"客户王小明截图{i}.png", [".png"]) for i in range(shots)]
        defect = defects.log_defect(db.session, placement.trainee, placement, values(), scale(db.session),
                                    DefectSettings(), now=at, files=files)
        db.session.commit()
        return defect.id, [f.stored_name for f in files]


def _attempt(app, kind, trainee_id, last_change):
    """A submitted attempt with an uploaded PDF, last changed at `last_change`."""
    with app.app_context():
        storage = _storage(app, kind)
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.code == BOTH_TASK))
        answers = {f["name"]: _plausible(f, assessment) for f in assessment.fields if f["type"] != "file"}
        files = {"rule_evidence": store_upload(storage, io.BytesIO(PDF), "我的证据.pdf", [".pdf"])}
        draft, _ = submission_service.save_attempt(db.session, db.session.get(User, trainee_id), assessment,
                                                   answers, files, storage, submit=True)
        db.session.execute(sa.update(Submission).where(Submission.id == draft.id).values(updated_at=last_change))
        db.session.commit()
        return draft.id, files["rule_evidence"].stored_name


def _purge(app, kind, now=NOW, settings=SETTINGS, dry_run=False):
    with app.app_context():
        report = purge_expired(db.session, _storage(app, kind), now, settings, dry_run=dry_run)
        db.session.commit()
        return report


def _exists(app, kind, key):
    with app.app_context():
        return _storage(app, kind).exists(key)


def test_defects_past_retention_lose_excerpts_texts_and_screenshots(app, trainee_with_mentors, make_user,
                                                                      store_kind):
    pid = placed(app, trainee_with_mentors)
    reviewer = make_user("mentor", reviewer=True)
    old, old_keys = _defect(app, store_kind, pid, datetime(2026, 3, 9, 1, 0), shots=2)
    triaged, triaged_keys = _defect(app, store_kind, pid, datetime(2026, 3, 10, 1, 0))
    joined, _ = _defect(app, store_kind, pid, datetime(2026, 3, 11, 1, 0))
    colleague = make_user("trainee")
    with app.app_context():
        actor = db.session.get(User, reviewer.id)
        defects.transition(db.session, actor, db.session.get(AgentDefect, old), "confirmed",
                           now=datetime(2026, 3, 9, 2, 0))
        # the last triage step exactly at the cutoff: still in use on that day, kept
        defects.transition(db.session, actor, db.session.get(AgentDefect, triaged), "confirmed", now=CUTOFF)
        report = defects.co_report(db.session, db.session.get(User, colleague.id),
                                   db.session.get(AgentDefect, old), "我也看到了，顾客电话 139 0000 0000")
        report.added_at = datetime(2026, 3, 12)
        later = defects.co_report(db.session, db.session.get(User, colleague.id),
                                  db.session.get(AgentDefect, joined), "后来又有顾客问")
        later.added_at = CUTOFF + timedelta(days=1)
        db.session.commit()

    assert _purge(app, store_kind, dry_run=True).defects == 1  # counted, not changed
    with app.app_context():
        assert db.session.get(AgentDefect, old).excerpt

    result = _purge(app, store_kind)
    assert (result.defects, result.screenshots, result.submission_files) == (1, 2, 0)
    with app.app_context():
        gone = db.session.get(AgentDefect, old)
        assert (gone.excerpt, gone.agent_said, gone.should_say, gone.purged_at) == ("", "", "", NOW)
        assert [r.excerpt for r in gone.reports] == [""]
        assert gone.intent and gone.severity == "high" and gone.state.value == "confirmed"  # the record stays
        assert len(gone.events) == 1
        assert db.session.scalar(sa.select(sa.func.count(DefectFile.id)).where(DefectFile.defect_id == old)) == 0
        for kept in (triaged, joined):
            row = db.session.get(AgentDefect, kept)
            assert row.purged_at is None and "王小明" not in row.excerpt and row.excerpt and row.files
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "retention.purge"))
        assert event.actor_id is None and event.after["defects"] == 1 and event.after["screenshots"] == 2
        assert db.session.scalar(sa.select(sa.func.count(DefectReport.id)).where(DefectReport.excerpt == "")) == 1
    assert not any(_exists(app, store_kind, key) for key in old_keys)
    assert all(_exists(app, store_kind, key) for key in triaged_keys)

    # idempotent: nothing left to do, nothing audited again
    assert _purge(app, store_kind).total == 0
    # one day later the defect triaged at the cutoff is past retention too
    assert _purge(app, store_kind, now=NOW + timedelta(days=1)).defects == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))
                                 .where(AuditEvent.action == "retention.purge")) == 2


def test_uploaded_work_is_deleted_retention_days_after_the_attempt_last_changed(
        app, trainee_with_mentors, client, store_kind):
    t = trainee_with_mentors
    old, old_key = _attempt(app, store_kind, t.trainee.id, CUTOFF - timedelta(seconds=1))
    with app.app_context():
        db.session.execute(sa.update(Submission).where(Submission.id == old).values(
            state="graded", passed=False, score=40.0, updated_at=CUTOFF - timedelta(seconds=1)))
        db.session.commit()
    recent, recent_key = _attempt(app, store_kind, t.trainee.id, CUTOFF)
    result = _purge(app, store_kind)
    assert (result.defects, result.screenshots, result.submission_files) == (0, 0, 1)
    assert not _exists(app, store_kind, old_key) and _exists(app, store_kind, recent_key)
    with app.app_context():
        purged = db.session.scalar(sa.select(SubmissionFile).where(SubmissionFile.submission_id == old))
        assert purged.purged_at == NOW and purged.original_name == "我的证据.pdf"
        assert db.session.scalar(sa.select(SubmissionFile.purged_at)
                                 .where(SubmissionFile.submission_id == recent)) is None
        file_id = purged.id
    if store_kind == "local":  # the session's app serves from its folder
        login(client, t.trainee)
        assert client.get(f"/files/{file_id}").status_code == 404
        login(client, t.ai)
        page = client.get(f"/mentor/submissions/{old}").get_data(as_text=True)
        assert "我的证据.pdf" in page and "deleted at the end of the retention period" in page
        assert f"/files/{file_id}" not in page  # no link that would answer 404
    assert _purge(app, store_kind).total == 0


def test_retention_zero_keeps_everything(app, trainee_with_mentors):
    pid = placed(app, trainee_with_mentors)
    defect_id, keys = _defect(app, "local", pid, datetime(2026, 3, 9, 1, 0))
    report = _purge(app, "local", now=datetime(2036, 1, 1), settings=RetentionSettings(days=0))
    assert report.cutoff is None and report.total == 0
    with app.app_context():
        assert db.session.get(AgentDefect, defect_id).purged_at is None
    assert _exists(app, "local", keys[0])


def test_the_purged_defect_page_says_what_was_deleted_and_when(app, client, trainee_with_mentors, make_user):
    pid = placed(app, trainee_with_mentors)
    defect_id, _ = _defect(app, "local", pid, datetime(2026, 3, 9, 1, 0))
    _purge(app, "local")
    login(client, make_user("admin"))
    page = client.get(f"/triage/defects/{defect_id}").get_data(as_text=True)
    assert 'id="defect-purged"' in page and "end of the retention period" in page
    assert "2026-11-27 10:00" in page  # the purge time in the program's zone
    assert "满300" not in page and "截图" not in page


def test_the_cli_purges_at_the_current_time(app, trainee_with_mentors):
    pid = placed(app, trainee_with_mentors)
    defect_id, keys = _defect(app, "local", pid, datetime(2026, 3, 9, 1, 0))
    runner = app.test_cli_runner()
    with time_machine.travel(datetime(2026, 9, 4, 2, 0), tick=False):  # 179 days after the report
        early = runner.invoke(args=["lms", "retention", "purge", "--lang", "en"])
    assert early.exit_code == 0 and "defects: 0" in early.output
    with time_machine.travel(datetime(2026, 9, 6, 2, 0), tick=False):
        dry = runner.invoke(args=["lms", "retention", "purge", "--dry-run", "--lang", "en"])
        assert dry.exit_code == 0 and "Would delete" in dry.output and "defects: 1" in dry.output
        assert "2026-03-10 10:00" in dry.output  # the cutoff, in the program's zone
        with app.app_context():
            assert db.session.get(AgentDefect, defect_id).purged_at is None
        done = runner.invoke(args=["lms", "retention", "purge"])  # default language: Chinese
    assert done.exit_code == 0 and "截图：1 张" in done.output
    with app.app_context():
        assert db.session.get(AgentDefect, defect_id).purged_at == datetime(2026, 9, 6, 2, 0)
    assert not _exists(app, "local", keys[0])


def test_the_daily_job_reads_the_installation_settings(app, trainee_with_mentors):
    from lms.services.retention import purge_job

    pid = placed(app, trainee_with_mentors)
    old, (old_key,) = _defect(app, "database", pid, datetime(2026, 3, 9, 1, 0))
    recent, _ = _defect(app, "database", pid, datetime(2026, 3, 20, 1, 0))
    config = {"RETENTION_DAYS": 30, "UPLOAD_STORAGE": "database", "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"]}
    with time_machine.travel(datetime(2026, 4, 10, 2, 0), tick=False), app.app_context():
        report = purge_job(db.session, config)
        db.session.commit()
        assert report.counts == {"defects": 1, "screenshots": 1, "submission_files": 0}
        assert db.session.get(AgentDefect, old).purged_at == datetime(2026, 4, 10, 2, 0)
        assert db.session.get(AgentDefect, recent).purged_at is None
    assert not _exists(app, "database", old_key)


def test_the_scheduled_job_purges_once_per_day(app, trainee_with_mentors):
    from lms.services.retention import RetentionSettings
    from tests.job_helpers import job_settings, run

    pid = placed(app, trainee_with_mentors)
    old, (old_key,) = _defect(app, "database", pid, datetime(2026, 3, 9, 1, 0))
    recent, _ = _defect(app, "database", pid, datetime(2026, 3, 20, 1, 0))
    settings = {"retention": RetentionSettings(days=30), "storage": {"UPLOAD_STORAGE": "database"}}
    assert job_settings(app).retention == RetentionSettings.from_config(app.config)
    first = run(app, "retention_purge", datetime(2026, 4, 10, 2, 0), **settings)
    assert first.status == "ok" and first.counts == {"defects": 1, "screenshots": 1}
    assert run(app, "retention_purge", datetime(2026, 4, 10, 5, 0), **settings).status == "done"
    with app.app_context():
        assert db.session.get(AgentDefect, old).purged_at == datetime(2026, 4, 10, 2, 0)
        assert db.session.get(AgentDefect, recent).purged_at is None
    assert not _exists(app, "database", old_key)
