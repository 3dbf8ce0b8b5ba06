"""The catalogue outline is cached per worker, rebuilt after a sync, and never reads lesson bodies."""

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.extensions import db
from lms.models import Lesson, User
from lms.services import outline, progress
from lms.services.catalog_sync import sync_catalog
from tests.conftest import COURSES_DIR, login

COURSE = Path("foundation/agent-operations/business-data-and-exports/course.yaml")
OLD_TITLE = "One-click export and checking the export"
NEW_TITLE = "Exporting, then checking every row"


@pytest.fixture
def renamed_courses(tmp_path):
    """A copy of `courses/` in which one lesson has a new English title."""
    root = tmp_path / "courses"
    shutil.copytree(COURSES_DIR, root)
    course = root / COURSE
    text = course.read_text(encoding="utf-8")
    assert OLD_TITLE in text
    course.write_text(text.replace(OLD_TITLE, NEW_TITLE), encoding="utf-8")
    return root


def _titles(session, program) -> set[str]:
    return {lesson.title["en"] for tier in progress.load_outline(session, program)
            for track in tier.tracks for course in track.courses for lesson in course.lessons}


def test_the_outline_is_read_once_until_a_sync_changes_it(app, catalog, renamed_courses):
    with app.app_context():
        program = progress.current_program(db.session)
        cache = outline.cache_for(db.session)
        before = cache.builds
        assert OLD_TITLE in _titles(db.session, program)
        first = progress.load_outline(db.session, program)
        assert progress.load_outline(db.session, program) is first  # served from the cache
        assert cache.builds == before + 1
        assert sync_catalog(db.session, renamed_courses).ok
        db.session.commit()
        titles = _titles(db.session, program)
        assert NEW_TITLE in titles and OLD_TITLE not in titles and cache.builds == before + 2


def test_a_sync_in_one_worker_is_seen_by_another(app, catalog, renamed_courses, make_cohort, client):
    """Two app instances on one database stand for two gunicorn workers, each with its own cache."""
    _cohort_id, (enrollment_id,) = make_cohort(trainees=1)
    other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                   "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"]})
    other_client = other.test_client()
    with app.app_context():
        trainee = db.session.scalar(sa.select(User).where(User.role == "trainee"))
        lesson_id = db.session.scalar(sa.select(Lesson.id).where(Lesson.slug == "exports-and-checks"))
    with other.test_request_context():
        login(other_client, trainee)
        with other_client.session_transaction() as sess:
            sess["locale"] = "en"
    assert OLD_TITLE in other_client.get("/me/catalog").get_data(as_text=True)  # the other worker caches it
    with app.app_context():  # this worker syncs
        assert sync_catalog(db.session, renamed_courses).ok
        db.session.commit()
    page = other_client.get("/me/catalog").get_data(as_text=True)
    assert NEW_TITLE in page and OLD_TITLE not in page
    assert other_client.get(f"/me/lessons/{lesson_id}").status_code == 200
    with other.app_context():
        db.engine.dispose()


def test_building_the_outline_never_reads_bodies_briefs_fields_or_checks(app, catalog, count_queries):
    with app.app_context():
        program = progress.current_program(db.session)
        outline.cache_for(db.session).clear()
        with count_queries() as counter:
            progress.load_outline(db.session, program)
        statements = [s.lower() for s in counter.statements]
        assert len(statements) == 7  # the version, then tiers, tracks, courses, lessons, rubric criteria, assessments
        for column in ("lessons.body", "assessments.brief", "assessments.fields", "assessments.checks"):
            assert not any(column in s for s in statements), column
        with count_queries() as counter:
            progress.load_outline(db.session, program)
        assert len(counter.statements) == 1  # cached: only the version is asked


def test_the_outline_is_read_only(app, catalog):
    with app.app_context():
        tier = progress.load_outline(db.session, progress.current_program(db.session))[0]
        with pytest.raises(AttributeError):
            tier.title = {}
        assert isinstance(tier.tracks, tuple)
