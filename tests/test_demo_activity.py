"""Demo data looks like the work: per-field answers through save_attempt, passing the format checks."""

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Submission, SubmissionState, User


def _demo(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0


def test_demo_answers_pass_the_format_checks_and_differ_between_trainees(app):
    _demo(app)
    with app.app_context():
        submissions = db.session.scalars(sa.select(Submission)).all()
        assert submissions and all(s.state != SubmissionState.DRAFT for s in submissions)
        for s in submissions:
            assert not [c for c in s.checks if c["blocking"] and not c["passed"]], (s.assessment.code, s.checks)
            assert s.check_runs and s.blocked_tries == 0  # checked by the same service as the web form
            assert not any("Demo answer" in str(v) for v in s.answers.values())
        by_task = {}
        for s in submissions:
            by_task.setdefault(s.assessment.code, set()).add(s.answers.get("customer_reply") or str(s.answers))
        assert any(len(replies) > 1 for replies in by_task.values())
        # the retake fixed what the feedback asked: a failed weak attempt, then a better one waiting
        trainee2 = db.session.scalar(sa.select(User).where(User.email == "trainee2@example.com"))
        first, second = sorted((s for s in submissions if s.trainee_id == trainee2.id), key=lambda s: s.attempt_no)
        assert first.passed is False and second.state == SubmissionState.SUBMITTED
        assert first.answers != second.answers


def test_demo_names_carry_no_role_suffix_and_demo_runs_twice_cleanly(app):
    _demo(app)
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count(Submission.id)))
        names = db.session.scalars(sa.select(User.name)).all()
        assert not [n for n in names if "(" in n or "mentor" in n.lower() or "admin" in n.lower()]
    _demo(app)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == count


def test_people_list_shows_roles_as_badges_beside_plain_names(app, client):
    from tests.conftest import login

    _demo(app)
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.com"))
    login(client, admin)
    client.post_form("/locale", {"locale": "en"})
    html = client.get("/admin/people").get_data(as_text=True)
    assert ">李思远</a>" in html and '<span class="badge text-bg-secondary">Mentor</span>' in html
