"""Syncing course files into the database: idempotent, archiving, all or nothing."""

import shutil

import pytest
import sqlalchemy as sa
import yaml

from lms.extensions import db
from lms.models import (
    Assessment,
    CatalogSync,
    Competency,
    Course,
    Lesson,
    LessonProgress,
    RubricCriterion,
    Tier,
    Track,
)
from lms.services.catalog_sync import sync_catalog
from lms.services.markdown import render_markdown
from tests.conftest import COURSES_DIR

COURSE = "foundation/agent-operations/agent-console-basics"


@pytest.fixture
def courses(tmp_path):
    target = tmp_path / "courses"
    shutil.copytree(COURSES_DIR, target)
    return target


def _sync(app, root):
    with app.app_context():
        report = sync_catalog(db.session, root)
        db.session.commit()
        return report


def test_second_sync_is_all_unchanged_and_writes_nothing(app, count_queries):
    first = _sync(app, COURSES_DIR)
    assert first.ok and first.created > 100 and first.updated == first.archived == 0
    with count_queries() as counter:
        second = _sync(app, COURSES_DIR)
    assert (second.created, second.updated, second.archived) == (0, 0, 0)
    assert second.unchanged == first.created
    assert counter.writes == []


def test_cli_sync_twice(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["lms", "courses", "sync"])
    assert first.exit_code == 0 and "archived 0" in first.output
    second = runner.invoke(args=["lms", "courses", "sync"])
    assert second.output.startswith("created 0, updated 0, unchanged ") and "archived 0" in second.output


def test_edit_updates_only_the_changed_row(app, courses):
    _sync(app, courses)
    path = courses / COURSE / "course.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["lessons"][0]["minutes"] = 99
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = _sync(app, courses)
    assert (report.created, report.updated, report.archived) == (0, 1, 0)


def test_removed_course_is_archived_not_deleted_and_comes_back(app, courses, make_user):
    _sync(app, courses)
    trainee = make_user("trainee")
    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.code == "agent-console-basics"))
        lesson_id = course.lessons[0].id
        db.session.add(LessonProgress(trainee_id=trainee.id, lesson_id=lesson_id))
        db.session.commit()
    track = courses / "foundation" / "agent-operations"
    moved = courses.parent / "parked"
    shutil.move(str(track / "agent-console-basics"), moved)
    data = yaml.safe_load((track / "track.yaml").read_text(encoding="utf-8"))
    data["courses"].remove("agent-console-basics")
    (track / "track.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    report = _sync(app, courses)
    assert report.ok and report.archived > 1  # the course and its lessons, assessment, criteria
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        assert lesson is not None and lesson.archived_at is not None
        assert lesson.course.archived_at is not None

    shutil.move(str(moved), track / "agent-console-basics")
    data["courses"].insert(0, "agent-console-basics")
    (track / "track.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = _sync(app, courses)
    assert report.created == 0 and report.updated > 1
    with app.app_context():
        assert db.session.get(Lesson, lesson_id).archived_at is None


def test_failed_sync_changes_nothing_and_records_the_errors(app, courses, login_as):
    _sync(app, courses)
    path = courses / COURSE / "course.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("grader: ai", "grader: robot", 1), encoding="utf-8")
    before = _fingerprint(app)
    report = _sync(app, courses)
    assert not report.ok and any("grader" in e for e in report.errors)
    with app.app_context():
        failed = db.session.scalars(sa.select(CatalogSync).order_by(CatalogSync.id.desc())).first()
        assert failed.ok is False and failed.errors == report.errors
    assert _fingerprint(app) == before
    client, _ = login_as("admin")
    html = client.get("/catalog/").get_data(as_text=True)
    assert 'id="sync-errors"' in html and "assessments[0].grader" in html


def _fingerprint(app):
    with app.app_context():
        return sorted(db.session.execute(sa.select(Assessment.id, Assessment.grader, Assessment.content_hash)))


def test_admin_syncs_from_the_page(app, login_as):
    client, admin = login_as("admin")
    response = client.post_form("/catalog/sync")
    assert response.status_code == 302
    html = client.get("/catalog/").get_data(as_text=True)
    assert "Catalogue synced" in html and admin.name in html
    assert "already matches" in client.post_form("/catalog/sync", follow_redirects=True).get_data(as_text=True)


def test_shipped_catalogue_meets_the_program_minimums(app, catalog):
    with app.app_context():
        tiers = db.session.scalars(sa.select(Tier)).all()
        assert [t.code.value for t in sorted(tiers, key=lambda t: t.position)] == ["foundation", "advanced", "expert"]
        for tier in tiers:
            assert len(tier.tracks) >= 2
            for track in tier.tracks:
                if any(a.group_work for c in track.courses for a in c.assessments):
                    continue  # the capstone is a group project, not a course track (FORMAT.md)
                assert len(track.courses) >= 2
                for course in track.courses:
                    assert len(course.lessons) >= 3 and len(course.assessments) >= 1
                    for lesson in course.lessons:
                        assert all(lesson.body[loc].strip() and lesson.title[loc].strip() for loc in ("zh_CN", "en"))
        competencies = set(db.session.scalars(sa.select(RubricCriterion.competency)))
        assert competencies == set(Competency)
        graders = set(db.session.scalars(sa.select(Assessment.grader)))
        assert {g.value for g in graders} == {"ai", "business", "both"}
        assert db.session.scalar(sa.select(sa.func.count(Track.id))) >= 6


def test_script_in_markdown_is_dropped():
    source = "Hello <script>alert(1)</script> **there** <a href='javascript:x()' onclick='y()'>l</a>"
    html = str(render_markdown(source))
    assert "<script" not in html and "alert(1)" not in html
    assert "onclick" not in html and "javascript:" not in html
    assert "<strong>there</strong>" in html


def test_markdown_tables_render():
    assert "<table>" in str(render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n"))


def test_lesson_page_drops_a_script_from_the_markdown(app, courses, login_as):
    lesson_file = sorted((courses / COURSE / "lessons").glob("*.en.md"))[0]
    lesson_file.write_text(lesson_file.read_text(encoding="utf-8") + "\n<script>alert('owned')</script>\n",
                           encoding="utf-8")
    assert _sync(app, courses).ok
    client, _ = login_as("admin")
    with app.app_context():
        lesson = db.session.scalar(sa.select(Lesson).where(Lesson.slug == lesson_file.name.split(".")[0]))
    html = client.get(f"/catalog/lessons/{lesson.id}").get_data(as_text=True)
    assert "alert('owned')" not in html and lesson.title["en"] in html


def test_judged_text_is_stored_and_an_edit_updates_only_its_criterion(app, courses):
    _sync(app, courses)
    with app.app_context():
        criterion = db.session.scalar(sa.select(RubricCriterion).join(Assessment).where(
            RubricCriterion.code == "customer-reply", Assessment.code == "takeover-and-defect-drill"))
        assert criterion.judged["en"].startswith("Whether the reply apologises")
    path = courses / COURSE / "course.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["assessments"][0]["rubric"][2]["judged"]["en"] = "Whether the reply is kind and clear."
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = _sync(app, courses)
    assert (report.created, report.updated, report.archived) == (0, 1, 0)
    with app.app_context():
        assert db.session.get(RubricCriterion, criterion.id).judged["en"] == "Whether the reply is kind and clear."
