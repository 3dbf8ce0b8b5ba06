"""Races: parallel requests that used to duplicate or lose data, or answer 500.

The parallel tests send real requests from threads (one test client each, so
one app context, session and connection each), released together by a barrier,
on whichever database the suite runs. The two-session tests replay one losing
order step by step, so they fail the same way every time on code without the guard.
"""

import threading

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.extensions import db
from lms.models import (
    AgentDefect,
    Assessment,
    AuditEvent,
    Cohort,
    Contribution,
    DefectEvent,
    DefectState,
    Enrollment,
    EnrollmentStatus,
    MentorAssignment,
    MentorKind,
    Notification,
    NotificationKind,
    Payout,
    Submission,
    SubmissionState,
    User,
)
from lms.services import Conflict, mentoring
from lms.services import cohorts as cohort_service
from lms.services import submissions as submission_service
from tests.conftest import Client, assessment_id, login

N = 20
BOTH_TASK = "compliance-review-drill"  # graded by the ai and the business mentor
ANSWERS = {"compliant_draft": "draft_4", "violations": "绝对化用语 absolute promises",
           "rewrite_draft_1": "可以申请价保 price protection", "rewrite_draft_2": "保护其他客户隐私 privacy"}
FORM = {f"f_{name}": value for name, value in ANSWERS.items()}
SAME_MOMENT = "at the same moment"  # every race message says so


def _clients(app, user, n: int = N) -> list[Client]:
    """n browser-like clients logged in as `user`, each already holding its CSRF token."""
    app.test_client_class = Client
    clients = []
    for _ in range(n):
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["locale"] = "en"
        login(client, user)
        client.csrf_token()
        clients.append(client)
    return clients


def _in_parallel(calls) -> list:
    """Run each call in its own thread, all released at once; their results in order."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # a 500 in testing mode surfaces here; reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def _post_all(clients, urls, data) -> list[tuple[int, str]]:
    def post(client, url):
        response = client.post_form(url, data)
        return response.status_code, response.get_data(as_text=True)

    return _in_parallel([lambda c=c, u=u: post(c, u) for c, u in zip(clients, urls, strict=True)])


def _assert_conflicts_explained(results) -> None:
    for status, body in results:
        assert status in (302, 409), status
        if status == 409:
            assert SAME_MOMENT in body or "already in cohort" in body, body[:500]


def _count(model_column, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count(model_column)).where(*where))


# --- submissions ---------------------------------------------------------------


def _draft(app, trainee) -> int:
    """A saved draft of BOTH_TASK, as the page's Save button leaves it."""
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.code == BOTH_TASK))
        draft = submission_service.open_draft(db.session, db.session.get(User, trainee.id), assessment)
        submission_service.save_draft(db.session, draft, {"violations": "草稿 draft"}, {},
                                      app.config["UPLOAD_FOLDER"])
        db.session.commit()
        return draft.id


def _submit_elsewhere(app, trainee_id: int, draft_id: int, answers: dict) -> None:
    """Another request (own session and connection) saves and submits the draft, and commits."""
    with Session(db.engine) as other:
        draft = other.get(Submission, draft_id)
        submission_service.save_draft(other, draft, answers, {}, app.config["UPLOAD_FOLDER"])
        submission_service.submit(other, other.get(User, trainee_id), draft)
        other.commit()


def _submission_effects(submission_id: int) -> tuple[int, list[int]]:
    events = _count(AuditEvent.id, AuditEvent.action == "submission.submit")
    notified = db.session.scalars(
        sa.select(Notification.user_id).where(Notification.kind == NotificationKind.SUBMISSION_WAITING,
                                              Notification.submission_id == submission_id)
        .order_by(Notification.user_id)).all()
    return events, list(notified)


def test_twenty_parallel_submits_make_one_submission_one_event_one_notification_per_mentor(
        app, trainee_with_mentors):
    t = trainee_with_mentors
    url = f"/me/assessments/{assessment_id(app, BOTH_TASK)}"
    clients = _clients(app, t.trainee)
    assert clients[0].post_form(url, {**FORM, "action": "save"}).status_code == 302  # the draft exists
    results = _post_all(clients, [url] * N, {**FORM, "action": "submit"})
    _assert_conflicts_explained(results)
    with app.app_context():
        (submission,) = db.session.scalars(sa.select(Submission)).all()
        assert (submission.state, submission.attempt_no) == (SubmissionState.SUBMITTED, 1)
        assert _submission_effects(submission.id) == (1, sorted([t.ai.id, t.biz.id]))


def test_a_second_submit_of_a_draft_already_submitted_elsewhere_is_a_conflict(app, trainee_with_mentors):
    t = trainee_with_mentors
    draft_id = _draft(app, t.trainee)
    with app.app_context():
        seen = db.session.get(Submission, draft_id)  # this request read the draft ...
        trainee = db.session.get(User, t.trainee.id)
        _submit_elsewhere(app, t.trainee.id, draft_id, ANSWERS)  # ... another submitted it meanwhile
        with pytest.raises(Conflict):
            submission_service.submit(db.session, trainee, seen)
        db.session.rollback()
        assert _submission_effects(draft_id) == (1, sorted([t.ai.id, t.biz.id]))


def test_a_save_racing_a_submit_does_not_overwrite_the_submitted_answers(app, trainee_with_mentors):
    t = trainee_with_mentors
    draft_id = _draft(app, t.trainee)
    with app.app_context():
        seen = db.session.get(Submission, draft_id)
        _ = seen.files  # loaded, as the save's own request would have
        _submit_elsewhere(app, t.trainee.id, draft_id, ANSWERS)
        with pytest.raises(Conflict):
            submission_service.save_draft(db.session, seen, {"violations": "late draft text"}, {},
                                          app.config["UPLOAD_FOLDER"])
        db.session.rollback()
        submitted = db.session.get(Submission, draft_id)
        assert submitted.state == SubmissionState.SUBMITTED and submitted.answers == ANSWERS


def test_a_new_attempt_opened_twice_at_once_is_a_conflict_not_an_error(app, trainee_with_mentors, monkeypatch):
    t = trainee_with_mentors
    _draft(app, t.trainee)  # the first request's new attempt, committed
    # The second request looked a moment earlier, when there was no attempt yet.
    monkeypatch.setattr(submission_service, "attempts",
                        lambda session, trainee_id, assessment: submission_service.Attempts(assessment))
    with app.app_context(), pytest.raises(Conflict):
        submission_service.open_draft(db.session, db.session.get(User, t.trainee.id),
                                      db.session.get(Assessment, assessment_id(app, BOTH_TASK)))


def test_twenty_parallel_first_saves_open_one_attempt(app, trainee_with_mentors):
    t = trainee_with_mentors
    url = f"/me/assessments/{assessment_id(app, BOTH_TASK)}"
    results = _post_all(_clients(app, t.trainee), [url] * N, {**FORM, "action": "save"})
    _assert_conflicts_explained(results)
    with app.app_context():
        (draft,) = db.session.scalars(sa.select(Submission)).all()
        assert (draft.state, draft.attempt_no, draft.answers) == (SubmissionState.DRAFT, 1, ANSWERS)


# --- enrollment ----------------------------------------------------------------


def _enroll_form(trainee_id: int) -> dict:
    return {"trainee_id": trainee_id, "target_role": "collab_cs", "source_role": ""}


def test_twenty_parallel_enrollments_into_different_cohorts_leave_one_active(app, make_cohort, make_user):
    cohort_ids = [make_cohort(trainees=0)[0] for _ in range(N)]
    trainee, admin = make_user("trainee"), make_user("admin")
    results = _post_all(_clients(app, admin), [f"/admin/cohorts/{c}/enroll" for c in cohort_ids],
                        _enroll_form(trainee.id))
    _assert_conflicts_explained(results)
    assert sorted(status for status, _ in results) == [302] + [409] * (N - 1)
    with app.app_context():
        assert _count(Enrollment.id, Enrollment.trainee_id == trainee.id) == 1


def test_twenty_parallel_enrollments_into_one_cohort_make_one_enrollment(app, make_cohort, make_user):
    cohort_id, _ = make_cohort(trainees=0)
    trainee, admin = make_user("trainee"), make_user("admin")
    results = _post_all(_clients(app, admin), [f"/admin/cohorts/{cohort_id}/enroll"] * N, _enroll_form(trainee.id))
    _assert_conflicts_explained(results)  # later ones find them enrolled: nothing to change, 302
    with app.app_context():
        assert _count(Enrollment.id, Enrollment.trainee_id == trainee.id) == 1
        assert _count(AuditEvent.id, AuditEvent.action == "enrollment.create") == 1


def test_an_enrollment_that_loses_the_race_at_the_database_is_a_conflict(app, make_cohort, monkeypatch):
    first, (enrollment_id,) = make_cohort(trainees=1)
    second, _ = make_cohort(trainees=0)
    # This request checked "active elsewhere?" before the other enrollment was committed.
    monkeypatch.setattr(cohort_service, "_active_elsewhere", lambda session, trainee_id, cohort: None)
    with app.app_context():
        trainee = db.session.get(Enrollment, enrollment_id).trainee
        with pytest.raises(Conflict) as error:
            cohort_service.enroll(db.session, None, db.session.get(Cohort, second), trainee, "collab_cs")
        with force_locale("en"):
            assert SAME_MOMENT in str(error.value.message)


def test_the_database_holds_one_active_enrollment_in_an_open_cohort(app, make_cohort):
    _, (enrollment_id,) = make_cohort(trainees=1)
    second, _ = make_cohort(trainees=0)
    with app.app_context():
        trainee_id = db.session.get(Enrollment, enrollment_id).trainee_id
        db.session.add(Enrollment(cohort_id=second, trainee_id=trainee_id, target_role="collab_cs"))
        with pytest.raises(IntegrityError):
            db.session.flush()


def test_a_trainee_of_a_closed_cohort_can_join_a_new_one(app, make_cohort, make_user):
    """The rule is one active enrollment in an *open* cohort: closing keeps rows active."""
    first, (enrollment_id,) = make_cohort(trainees=1)
    second, _ = make_cohort(trainees=0)
    with app.app_context():
        cohort_service.close_cohort(db.session, None, db.session.get(Cohort, first))
        db.session.commit()
        trainee = db.session.get(Enrollment, enrollment_id).trainee
        cohort_service.enroll(db.session, None, db.session.get(Cohort, second), trainee, "collab_cs")
        db.session.commit()
        assert _count(Enrollment.id, Enrollment.trainee_id == trainee.id,
                      Enrollment.status == EnrollmentStatus.ACTIVE) == 2


# --- mentor reassignment -------------------------------------------------------


def _assert_one_open_mentor_per_kind_and_loads_match(enrollment_id: int) -> None:
    kinds = db.session.scalars(sa.select(MentorAssignment.kind).where(
        MentorAssignment.enrollment_id == enrollment_id, MentorAssignment.ended_at.is_(None))).all()
    assert sorted(kinds) == sorted([MentorKind.AI, MentorKind.BUSINESS])
    for mentor in db.session.scalars(sa.select(User).where(User.role == "mentor")):
        assert mentor.mentor_load == _count(MentorAssignment.id, MentorAssignment.mentor_id == mentor.id,
                                            MentorAssignment.ended_at.is_(None))


def test_a_reassignment_after_a_parallel_one_is_a_conflict(app, trainee_with_mentors, make_user):
    t = trainee_with_mentors
    first, second = (make_user("mentor", mentor_kind="ai") for _ in range(2))
    with app.app_context():
        seen = db.session.get(Enrollment, t.enrollment_id)  # this request read the current mentor ...
        _ = seen.assignments
        with Session(db.engine) as other:  # ... another admin reassigned meanwhile
            mentoring.assign(other, None, other.get(Enrollment, t.enrollment_id), other.get(User, first.id), "one")
            other.commit()
        with pytest.raises(Conflict):
            mentoring.assign(db.session, None, seen, db.session.get(User, second.id), "two")
        db.session.rollback()
        _assert_one_open_mentor_per_kind_and_loads_match(t.enrollment_id)
        assert db.session.get(User, first.id).mentor_load == 1


def test_parallel_reassignments_answer_with_a_message_not_500(app, trainee_with_mentors, make_user):
    t = trainee_with_mentors
    n = 10
    mentors = [make_user("mentor", mentor_kind="ai") for _ in range(n)]
    admin = make_user("admin")
    clients = _clients(app, admin, n)

    def post(client, mentor):
        response = client.post_form(f"/admin/enrollments/{t.enrollment_id}",
                                    {"mentor_id": mentor.id, "reason": f"to {mentor.id}"})
        return response.status_code, response.get_data(as_text=True)

    results = _in_parallel([lambda c=c, m=m: post(c, m) for c, m in zip(clients, mentors, strict=True)])
    _assert_conflicts_explained(results)
    assert 302 in [status for status, _ in results]
    with app.app_context():
        _assert_one_open_mentor_per_kind_and_loads_match(t.enrollment_id)


# --- defect triage and awards ------------------------------------------------------


def test_a_defect_move_after_a_parallel_one_is_a_conflict_and_writes_nothing(app, trainee_with_mentors, make_user):
    from datetime import datetime

    from lms.services import defects
    from tests.defect_fixtures import log, placed

    first, second = make_user("admin"), make_user("admin")
    pid = placed(app, trainee_with_mentors)
    with app.app_context():
        defect_id = log(db.session, pid, datetime(2026, 3, 9, 2)).id
        db.session.commit()
        seen = db.session.get(AgentDefect, defect_id)  # this reviewer's page showed it `new` ...
        with Session(db.engine) as other:  # ... another rejected it meanwhile
            defects.transition(other, other.get(User, first.id), other.get(AgentDefect, defect_id), "rejected",
                               "不是缺陷 not a defect", expected="new")
            other.commit()
        with pytest.raises(Conflict):
            defects.transition(db.session, db.session.get(User, second.id), seen, "confirmed", expected="new")
        db.session.rollback()
        assert db.session.get(AgentDefect, defect_id).state == DefectState.REJECTED
        assert _count(DefectEvent.id, DefectEvent.defect_id == defect_id) == 1


def test_an_award_approved_after_a_parallel_approval_is_a_conflict_and_paid_once(app, trainee_with_mentors,
                                                                                   make_user):
    from lms.services import contributions
    from tests.test_contributions import _measured

    with app.test_request_context():
        c, _, boss = _measured(app, trainee_with_mentors, make_user)
        db.session.commit()
        contribution_id, boss_id, late_id = c.id, boss.id, make_user("admin").id
    with app.app_context():
        seen = db.session.get(Contribution, contribution_id)  # the late approver's page: measured ...
        with Session(db.engine) as other:  # ... the first approver gave 5,000 CNY meanwhile
            contributions.approve_award(other, other.get(User, boss_id), other.get(Contribution, contribution_id),
                                        5000)
            other.commit()
        with pytest.raises(Conflict):
            contributions.approve_award(db.session, db.session.get(User, late_id), seen, 500)
        db.session.rollback()
        assert (seen.band_cny, seen.approved_by_id) == (5000, boss_id)  # not overwritten with 500
        assert seen.payout == Payout.APPROVED  # the late admin's page: approved ...
        with Session(db.engine) as other:  # ... and the first admin marked it paid meanwhile
            contributions.mark_paid(other, other.get(User, boss_id), other.get(Contribution, contribution_id))
            other.commit()
        with pytest.raises(Conflict):
            contributions.mark_paid(db.session, db.session.get(User, late_id), seen)
        db.session.rollback()
        assert _count(AuditEvent.id, AuditEvent.action == "contribution.paid") == 1


# --- anything else -------------------------------------------------------------


def test_an_integrity_error_no_view_expected_is_a_409_page(app, catalog, login_as, monkeypatch):
    """Two admins create cohort X at once: both pass the code check, the second insert fails."""
    client, _ = login_as("admin")
    data = {"code": "RACE-1", "name": "Race", "start_date": "2026-09-07"}
    assert client.post_form("/admin/cohorts/new", data).status_code == 302
    monkeypatch.setattr(cohort_service, "_check_cohort", lambda session, values, cohort=None: None)
    response = client.post_form("/admin/cohorts/new", data)
    assert response.status_code == 409
    assert "Someone else changed this at the same moment" in response.get_data(as_text=True)
    assert client.get("/admin/cohorts").status_code == 200  # the session was rolled back
