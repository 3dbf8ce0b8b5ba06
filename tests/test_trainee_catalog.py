"""The trainee's catalogue: tiers unlock in order, lessons, progress."""

import re

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Assessment, Lesson, LessonProgress, Submission, SubmissionState, Tier
from lms.services import progress


def _pass(app, trainee_id, tier_code, only=None):
    """Record passed submissions for the required assessments of a tier (as step 4 will)."""
    with app.app_context():
        tier = db.session.scalar(sa.select(Tier).where(Tier.code == tier_code))
        for assessment in progress.required_assessments(tier)[:only]:
            db.session.add(Submission(trainee_id=trainee_id, assessment_id=assessment.id,
                                      state=SubmissionState.GRADED, passed=True))
        db.session.commit()


def _states(app, trainee_id):
    with app.app_context():
        program = progress.current_program(db.session)
        tiers = progress.load_outline(db.session, program)
        states = progress.tier_states(tiers, progress.passed_assessment_ids(db.session, trainee_id), set())
        return [(s.tier.code.value, s.unlocked) for s in states]


def test_only_foundation_is_open_at_first(app, catalog, make_user):
    trainee = make_user("trainee")
    assert _states(app, trainee.id) == [("foundation", True), ("advanced", False), ("expert", False)]


def test_advanced_opens_only_when_every_required_foundation_assessment_is_passed(app, catalog, make_user):
    trainee = make_user("trainee")
    _pass(app, trainee.id, "foundation", only=-1)  # all but one
    assert _states(app, trainee.id)[1] == ("advanced", False)
    with app.app_context():
        db.session.execute(sa.delete(Submission))
        db.session.commit()
    _pass(app, trainee.id, "foundation")
    assert _states(app, trainee.id) == [("foundation", True), ("advanced", True), ("expert", False)]


def test_a_failed_attempt_does_not_count(app, catalog, make_user):
    trainee = make_user("trainee")
    with app.app_context():
        tier = db.session.scalar(sa.select(Tier).where(Tier.code == "foundation"))
        for a in progress.required_assessments(tier):
            db.session.add(Submission(trainee_id=trainee.id, assessment_id=a.id,
                                      state=SubmissionState.GRADED, passed=False))
        db.session.commit()
    assert _states(app, trainee.id)[1] == ("advanced", False)


def test_expert_needs_advanced_even_if_its_own_work_were_passed(app, catalog, make_user):
    trainee = make_user("trainee")
    _pass(app, trainee.id, "advanced")
    assert _states(app, trainee.id)[1:] == [("advanced", False), ("expert", False)]


def test_optional_assessments_do_not_block(app, catalog, make_user):
    trainee = make_user("trainee")
    with app.app_context():
        tier = db.session.scalar(sa.select(Tier).where(Tier.code == "foundation"))
        optional = progress.required_assessments(tier)[0]
        db.session.get(Assessment, optional.id).required = False
        db.session.commit()
    _pass(app, trainee.id, "foundation")
    assert _states(app, trainee.id)[1] == ("advanced", True)


def test_catalogue_page_shows_locks_with_reason_and_progress(app, catalog, login_as):
    client, trainee = login_as("trainee")
    html = client.get("/me/catalog").get_data(as_text=True)
    assert html.count("badge text-bg-secondary align-middle") == 2  # two locked tiers
    assert "Opens when every required assessment of Foundation is passed." in html
    assert "0 of 19 lessons" in html  # the foundation tier's lessons


def test_lesson_page_marks_complete_and_moves_on(app, catalog, login_as):
    client, trainee = login_as("trainee")
    with app.app_context():
        first, second = db.session.scalars(
            sa.select(Lesson).join(Lesson.course).where(Lesson.position < 2)
            .where(Lesson.course.has(code="agent-console-basics")).order_by(Lesson.position)
        ).all()
    page = client.get(f"/me/lessons/{first.id}").get_data(as_text=True)
    assert "Mark complete" in page and f"/me/lessons/{second.id}" in page
    assert re.search(r"About \d+ minutes", page)
    response = client.post_form(f"/me/lessons/{first.id}/done", {"done": "1"})
    assert response.headers["Location"].endswith(f"/me/lessons/{second.id}")
    client.post_form(f"/me/lessons/{first.id}/done", {"done": "1"})  # twice: still one row
    with app.app_context():
        rows = db.session.scalars(sa.select(LessonProgress).where(LessonProgress.trainee_id == trainee.id)).all()
        assert [r.lesson_id for r in rows] == [first.id]
    assert "1 of 4 lessons" in client.get("/me/catalog").get_data(as_text=True)
    client.post_form(f"/me/lessons/{first.id}/done", {"done": "0"})
    with app.app_context():
        assert not db.session.scalars(sa.select(LessonProgress)).all()


def test_locked_lesson_shows_the_locked_message(app, catalog, login_as):
    client, _ = login_as("trainee")
    with app.app_context():
        locked = db.session.scalar(sa.select(Lesson).join(Lesson.course).where(Lesson.course.has(code="intent-review")))
    response = client.get(f"/me/lessons/{locked.id}")
    assert response.status_code == 403 and "This tier is still locked." in response.get_data(as_text=True)
    assert client.post_form(f"/me/lessons/{locked.id}/done", {"done": "1"}).status_code == 403


def test_lesson_page_in_chinese(app, catalog, login_as):
    client, _ = login_as("trainee")
    client.post_form("/locale", {"locale": "zh_CN"})
    with app.app_context():
        lesson = db.session.scalar(sa.select(Lesson).order_by(Lesson.id))
        title = lesson.title["zh_CN"]
    html = client.get(f"/me/lessons/{lesson.id}").get_data(as_text=True)
    assert title in html and "标记为已完成" in html


def test_catalogue_page_queries_do_not_grow_with_progress(app, catalog, login_as, count_queries):
    client, trainee = login_as("trainee")
    client.get("/me/catalog")
    with count_queries() as few:
        client.get("/me/catalog")
    with app.app_context():
        for lesson in db.session.scalars(sa.select(Lesson)):
            db.session.add(LessonProgress(trainee_id=trainee.id, lesson_id=lesson.id))
        db.session.commit()
    _pass(app, trainee.id, "foundation")
    with count_queries() as many:
        client.get("/me/catalog")
    assert len(many.statements) == len(few.statements)


def test_staff_browse_the_catalogue_and_rubrics(app, catalog, login_as):
    client, _ = login_as("mentor")
    html = client.get("/catalog/").get_data(as_text=True)
    assert "Foundation" in html and "Expert" in html
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).order_by(Assessment.id))
    html = client.get(f"/catalog/assessments/{assessment.id}").get_data(as_text=True)
    assert "Rubric" in html and "Weight" in html


def test_tiers_outside_the_target_role_are_marked(app, make_cohort, client):
    from lms.models import Enrollment
    from tests.conftest import login

    _, (enrollment_id,) = make_cohort(trainees=1, role="collab_cs")  # foundation + advanced
    with app.app_context():
        trainee = db.session.get(Enrollment, enrollment_id).trainee
    login(client, trainee)
    html = client.get("/me/catalog").get_data(as_text=True)
    assert html.count("not-needed") == 1
    assert html.index("not-needed") > html.index('id="tier-expert"')
