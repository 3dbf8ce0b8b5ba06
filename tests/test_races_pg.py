"""Twenty at once, on PostgreSQL: grade saves, defect moves, enrollments, award approvals.

Each request runs in its own thread with its own test client (so its own app context,
database session and connection), all released together by a barrier, through the real
pages. What must hold: no lost update (the final state is exactly one winner's, or every
one of the increments), no duplicate row, event or notification, and no 500 — every
loser is told, with a 409 or the page's own message.

PostgreSQL only: SQLite lets one writer in at a time, so these orders cannot happen there.
CI runs the suite on PostgreSQL as well; the two-session tests in tests/test_races.py
replay the losing orders step by step on either database.
"""

import os
import re

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import (
    AgentDefect,
    AuditEvent,
    Contribution,
    ContributionState,
    DefectEvent,
    DefectState,
    Enrollment,
    Grade,
    Notification,
    NotificationKind,
    Payout,
    Submission,
    SubmissionState,
    User,
)
from tests.defect_fixtures import log, placed
from tests.test_assessments import _all, _submitted
from tests.test_contributions import _measured
from tests.test_races import ANSWERS, BOTH_TASK, N, _clients, _count, _enroll_form, _in_parallel

pytestmark = pytest.mark.skipif(
    not os.environ.get("LMS_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="parallel writers need PostgreSQL; SQLite serializes them (CI runs the suite on PostgreSQL too)")

MOVED = "Someone moved this defect meanwhile"


def _client_for(app, user):
    (client,) = _clients(app, user, 1)
    return client


def _status_and_text(response) -> tuple[int, str]:
    return response.status_code, response.get_data(as_text=True)


# --- grades: dual sign-off, two mentors, ten tabs each ---------------------------------


def test_twenty_parallel_grade_saves_of_two_mentors_give_one_grade_each_and_one_final_result(
        app, trainee_with_mentors):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, BOTH_TASK, ANSWERS)
    url = f"/mentor/submissions/{sid}"
    levels = {t.ai.id: 3, t.biz.id: 1}  # each mentor's own scores, so the final result shows whose won
    mentors = [t.ai, t.biz] * (N // 2)
    clients = [_client_for(app, mentor) for mentor in mentors]
    statuses: list[int] = []

    def save(client, mentor) -> str:
        """Save this mentor's grade; on a conflict reload and try again, as the page tells them to."""
        for _ in range(N + 2):
            page = client.get(url).get_data(as_text=True)
            if 'name="reason"' in page:
                return "graded"  # their grade is in (from another tab): the page now offers to amend
            version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
            data = {"version": version, "feedback": f"反馈 from {mentor.id}",
                    **{f"c_{code}": str(level) for code, level in _all(levels[mentor.id], BOTH_TASK).items()}}
            response = client.post_form(url, data)
            statuses.append(response.status_code)
            if response.status_code == 302:
                return "saved"
            assert response.status_code == 409, response.status_code
            assert "while you were grading" in response.get_data(as_text=True)
        return "gave up"

    results = _in_parallel([lambda c=c, m=m: save(c, m) for c, m in zip(clients, mentors, strict=True)])
    assert results.count("saved") == 2 and "gave up" not in results
    assert set(statuses) <= {302, 409}
    with app.app_context():
        submission = db.session.get(Submission, sid)
        grades = db.session.scalars(sa.select(Grade).where(Grade.submission_id == sid)).all()
        assert sorted((g.mentor_id, g.current) for g in grades) == [(t.ai.id, True), (t.biz.id, True)]
        scores = {g.mentor_id: g.score for g in grades}
        assert submission.state == SubmissionState.GRADED
        assert submission.score == round((scores[t.ai.id] + scores[t.biz.id]) / 2, 1)  # no lost update
        assert submission.passed == all(g.passed for g in grades)
        assert _count(AuditEvent.id, AuditEvent.action == "grade.create") == 2
        assert _count(AuditEvent.id, AuditEvent.action == "submission.final") == 1
        assert _count(Notification.id, Notification.kind == NotificationKind.GRADED,
                      Notification.submission_id == sid) == 1


# --- defects: twenty reviewers move one defect -----------------------------------------


def _defects(app, trainee_with_mentors, n: int) -> list[int]:
    from datetime import datetime

    pid = placed(app, trainee_with_mentors)
    with app.app_context():
        made = [log(db.session, pid, datetime(2026, 3, 9, 2 + i), intent=f"活动咨询 {i}") for i in range(n)]
        db.session.commit()
        return [d.id for d in made]


def _moves(defect_id: int) -> list[tuple[str, str]]:
    return [(a.value, b.value) for a, b in db.session.execute(
        sa.select(DefectEvent.from_state, DefectEvent.to_state).where(DefectEvent.defect_id == defect_id)
        .order_by(DefectEvent.id))]


def test_twenty_reviewers_moving_one_defect_at_once_make_one_move_each_step(app, trainee_with_mentors, make_user):
    contested, walked = _defects(app, trainee_with_mentors, 2)
    clients = [_client_for(app, make_user("admin")) for _ in range(N)]

    # Half confirm the first defect, half reject it, all from the page showing `new`: one move wins, whole.
    forms = [{"target": "confirmed", "expected": "new"},
             {"target": "rejected", "expected": "new", "note": "不是缺陷 not a defect"}] * (N // 2)
    results = _in_parallel([lambda c=c, f=f: _status_and_text(c.post_form(f"/triage/defects/{contested}/move", f))
                            for c, f in zip(clients, forms, strict=True)])
    assert sorted(status for status, _ in results) == [302] + [409] * (N - 1)
    assert all(MOVED in text for status, text in results if status == 409)
    winner = forms[[status for status, _ in results].index(302)]["target"]
    with app.app_context():
        defect = db.session.get(AgentDefect, contested)
        assert defect.state == DefectState(winner) and _moves(contested) == [("new", winner)]
        assert (defect.reject_reason is not None) == (winner == "rejected")  # nothing of the losing move
        assert _count(AuditEvent.id, AuditEvent.action == "defect.transition") == 1
        assert _count(Notification.id, Notification.kind == NotificationKind.DEFECT_UPDATE) == 1

    # On the second, each reviewer takes whatever step it is at, reloading after a conflict: every
    # step happens once, in order, and the verified defect becomes exactly one contribution.
    steps = {"new": "confirmed", "confirmed": "in_fix", "in_fix": "fixed", "fixed": "verified"}

    def walk(client) -> list[int]:
        statuses = []
        for _ in range(2 * N):
            page = client.get(f"/triage/defects/{walked}").get_data(as_text=True)
            state = re.search(r'name="expected" value="([a-z_]+)"', page)
            if state is None:
                return statuses  # verified: no move left
            response = client.post_form(f"/triage/defects/{walked}/move",
                                        {"target": steps[state.group(1)], "expected": state.group(1)})
            statuses.append(response.status_code)
        return statuses

    statuses = [s for run in _in_parallel([lambda c=c: walk(c) for c in clients]) for s in run]
    assert statuses.count(302) == 4 and set(statuses) <= {302, 409}
    with app.app_context():
        assert _moves(walked) == list(steps.items())
        assert _count(Contribution.id, Contribution.defect_id == walked) == 1


# --- enrollments: twenty trainees into one cohort, one trainee twenty times ------------


def test_twenty_enrollments_and_twenty_imports_at_once_enroll_each_trainee_once(app, make_cohort, make_user):
    import io

    (one, _), (other, _) = make_cohort(trainees=0), make_cohort(trainees=0)
    trainees = [make_user("trainee") for _ in range(N)]
    admins = [_client_for(app, make_user("admin")) for _ in range(N)]

    # twenty admins each enroll a different trainee into one cohort
    results = _in_parallel([lambda c=c, t=t: _status_and_text(c.post_form(f"/admin/cohorts/{one}/enroll",
                                                                          _enroll_form(t.id)))
                            for c, t in zip(admins, trainees, strict=True)])
    assert [status for status, _ in results] == [302] * N
    with app.app_context():
        assert _count(Enrollment.id, Enrollment.cohort_id == one) == N
        assert _count(AuditEvent.id, AuditEvent.action == "enrollment.create") == N

    # twenty admins import the same intake file, which creates five accounts, into another
    text = "email,name,target_role\n" + "".join(f"new{i}@example.com,新学员{i},collab_cs\n" for i in range(5))

    def upload(client):
        return _status_and_text(client.post_form(f"/admin/cohorts/{other}/import",
                                                 {"file": (io.BytesIO(text.encode()), "intake.csv")},
                                                 content_type="multipart/form-data"))

    results = _in_parallel([lambda c=c: upload(c) for c in admins])
    assert {status for status, _ in results} <= {302, 409} and 302 in {status for status, _ in results}
    with app.app_context():
        assert _count(User.id, User.email.like("new%@example.com")) == 5
        assert _count(Enrollment.id, Enrollment.cohort_id == other) == 5
        assert _count(AuditEvent.id, AuditEvent.action == "enrollment.create") == N + 5


# --- awards: twenty approvers, one award -------------------------------------------------


def test_twenty_approvals_of_one_award_approve_it_once_and_twenty_clicks_pay_it_once(
        app, trainee_with_mentors, make_user):
    with app.test_request_context():
        c, _, _ = _measured(app, trainee_with_mentors, make_user)
        db.session.commit()
        measured_id = c.id
    approvers = [make_user("admin") for _ in range(N)]
    clients = [_client_for(app, a) for a in approvers]
    bands = [500, 1000, 3000, 5000] * (N // 4)
    _in_parallel([lambda c=c, b=b: c.post_form(f"/triage/contributions/{measured_id}/award", {"band_cny": str(b)})
                  for c, b in zip(clients, bands, strict=True)])
    with app.app_context():
        c = db.session.get(Contribution, measured_id)
        (award,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "contribution.award")).all()
        # the award stands as its one approver gave it: no other approval overwrote the band
        assert (c.state, c.payout) == (ContributionState.AWARDED, Payout.APPROVED)
        assert award.actor_id == c.approved_by_id and award.after["band_cny"] == c.band_cny
        assert c.band_cny == bands[[a.id for a in approvers].index(c.approved_by_id)]
        # the contributor heard of it three times: adopted, measured, awarded
        assert _count(Notification.id, Notification.kind == NotificationKind.CONTRIBUTION_UPDATE) == 3

    _in_parallel([lambda c=c: c.post_form(f"/triage/contributions/{measured_id}/paid") for c in clients])
    with app.app_context():
        assert db.session.get(Contribution, measured_id).payout == Payout.PAID
        assert _count(AuditEvent.id, AuditEvent.action == "contribution.paid") == 1
