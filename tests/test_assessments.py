"""Submissions, grading by the right mentor, dual sign-off, retakes, attainment, tier unlock."""

import io
import re
import threading

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Assessment, AuditEvent, Competency, Grade, Notification, Submission, SubmissionState, Tier, User
from lms.services import DomainError, grading, progress
from lms.services import submissions as submission_service
from lms.services.uploads import store_upload
from tests.conftest import assessment_id, login

AI_TASK = "takeover-and-defect-drill"  # grader: ai; criteria weights 30/40/30
BOTH_TASK = "compliance-review-drill"  # grader: both; weights 25/20/20/35
BIZ_TASK = "after-sales-casework"  # grader: business

GOOD_AI_ANSWERS = {
    "order_id": "T202611110532", "defect_type": "misleading_promo",
    "defect_record": "智能体说参加满300减50，实际不参与。",
    "customer_reply": "非常抱歉，差价50元原路退回，也可以取消订单。",
    "tags": "活动误导",
}


def _submitted(app, trainee, code, answers=None):
    """Create a submitted attempt through the service (as the page does)."""
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.code == code))
        user = db.session.get(User, trainee.id)
        values = answers or {f["name"]: _plausible(f, assessment) for f in assessment.fields}
        files = {f["name"]: store_upload(app.config["UPLOAD_FOLDER"], io.BytesIO(b"a,b\n1,2\n"), "data.csv", [".csv"])
                 for f in assessment.fields if f["type"] == "file" and f.get("required")}
        draft, results = submission_service.save_attempt(db.session, user, assessment, values, files,
                                                         app.config["UPLOAD_FOLDER"], submit=True)
        assert not [r for r in results if r.blocking and not r.passed], results
        db.session.commit()
        return draft.id


def _plausible(spec, assessment):
    if spec["type"] == "choice":
        return spec["choices"][0]["value"]
    for check in assessment.checks:
        if check["field"] == spec["name"] and check["kind"] == "number_range":
            return str(check["min"])
        if check["field"] == spec["name"] and check["kind"] == "regex":
            return "T202611110532"
    # long enough for a blocking minimum length (a Chinese answer: the zh_CN limit applies)
    floor = max((c["value"]["zh_CN"] for c in assessment.checks
                 if c["field"] == spec["name"] and c["kind"] == "min_length"), default=0)
    return "答案 answer" + "答" * floor


def _grade(app, mentor, submission_id, points, feedback="反馈 feedback", version=None):
    with app.app_context():
        submission = db.session.get(Submission, submission_id)
        grade = grading.grade(db.session, db.session.get(User, mentor.id), submission,
                              version or submission.version, points, feedback)
        db.session.commit()
        return grade.id


def _all(level, code):
    return {"takeover-and-defect-drill": dict.fromkeys(["defect-diagnosis", "console-steps", "customer-reply"], level),
            "compliance-review-drill": dict.fromkeys(["violation-identification", "rewrite-promise",
                                                      "privacy-handling", "rule-lookup"], level),
            "after-sales-casework": dict.fromkeys(["rule-application", "refund-calculation",
                                                   "evidence-and-timeline", "customer-reply"], level)}[code]


def _submission(app, submission_id) -> Submission:
    with app.app_context():
        s = db.session.get(Submission, submission_id)
        db.session.expunge(s)
        return s


def test_ai_assessment_is_final_with_the_ai_mentors_grade(app, trainee_with_mentors):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    _grade(app, t.ai, sid, {"defect-diagnosis": 3, "console-steps": 2, "customer-reply": 2})
    s = _submission(app, sid)
    assert s.state == SubmissionState.GRADED and s.passed and s.score == 76.7


def test_mentor_of_the_wrong_kind_or_not_assigned_cannot_grade(app, trainee_with_mentors, make_user, client):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    with pytest.raises(DomainError):
        _grade(app, t.biz, sid, _all(3, AI_TASK))
    stranger = make_user("mentor", mentor_kind="ai")
    with pytest.raises(DomainError):
        _grade(app, stranger, sid, _all(3, AI_TASK))
    login(client, stranger)
    assert client.get(f"/mentor/submissions/{sid}").status_code == 403
    login(client, t.biz)  # the other coaching mentor reads it, without a grading form
    page = client.get(f"/mentor/submissions/{sid}")
    assert page.status_code == 200 and 'id="read-only"' in page.text and 'id="grade-form"' not in page.text
    assert client.post(f"/mentor/submissions/{sid}", data={"csrf_token": client.csrf_token()}).status_code == 403


def test_business_assessment_is_graded_by_the_business_mentor(app, trainee_with_mentors):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, BIZ_TASK)
    with pytest.raises(DomainError):
        _grade(app, t.ai, sid, _all(3, BIZ_TASK))
    _grade(app, t.biz, sid, _all(3, BIZ_TASK))
    assert _submission(app, sid).passed is True


def test_dual_signoff_is_final_only_with_both_and_passes_only_if_both_pass(app, trainee_with_mentors):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, BOTH_TASK)
    _grade(app, t.ai, sid, _all(3, BOTH_TASK))
    s = _submission(app, sid)
    assert s.state == SubmissionState.SUBMITTED and s.passed is None
    _grade(app, t.biz, sid, {"violation-identification": 1, "rewrite-promise": 2, "privacy-handling": 1,
                             "rule-lookup": 1})
    s = _submission(app, sid)
    assert s.state == SubmissionState.GRADED and s.passed is False
    # ai 100 %, business (25·1/3 + 20·2/3 + 20·1/3 + 35·1/3)/100 = 40.0 %: the mean 70.0 % is at
    # the pass mark, yet the business mentor failed it, so it does not pass.
    assert s.score == 70.0


def test_second_attempt_after_fail_is_allowed_until_the_limit(app, trainee_with_mentors):
    t = trainee_with_mentors
    for _attempt in range(3):  # max_attempts: 3
        sid = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
        _grade(app, t.ai, sid, _all(0, AI_TASK))
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id(app, AI_TASK))
        state = submission_service.attempts(db.session, t.trainee.id, assessment)
        assert (state.used, state.left, state.can_work) == (3, 0, False)
        assert [s.attempt_no for s in state.submissions] == [1, 2, 3]
        with pytest.raises(DomainError):
            submission_service.open_draft(db.session, db.session.get(User, t.trainee.id), assessment)


def test_no_new_attempt_while_one_waits_or_after_passing(app, trainee_with_mentors):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    with app.app_context(), pytest.raises(DomainError):
        submission_service.open_draft(db.session, db.session.get(User, t.trainee.id),
                                      db.session.get(Assessment, assessment_id(app, AI_TASK)))
    _grade(app, t.ai, sid, _all(3, AI_TASK))
    with app.app_context(), pytest.raises(DomainError):
        submission_service.open_draft(db.session, db.session.get(User, t.trainee.id),
                                      db.session.get(Assessment, assessment_id(app, AI_TASK)))


def test_blocking_autocheck_failure_can_be_fixed_without_using_an_attempt(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    login(client, t.trainee)
    aid = assessment_id(app, AI_TASK)
    # Too long (a format check: blocks) and a wrong order id (an answer check: never blocks, never shown early).
    bad = {f"f_{k}": v for k, v in {**GOOD_AI_ANSWERS, "order_id": "202611110532",
                                     "customer_reply": "太长" * 250}.items()}
    response = client.post_form(f"/me/assessments/{aid}", {**bad, "action": "submit"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "did not use an attempt" in html and 'id="auto-checks"' in html
    assert "attempts used: 0 of 3" in html
    checks_html = html[html.index('id="auto-checks"'):html.index('id="answer-form"')]
    # the field's label links to the field, which is marked inline; no code, no answer check
    assert 'href="#f_customer_reply"' in checks_html and "customer_reply<" not in checks_html
    assert "order_id" not in checks_html.replace('href="#f_order_id"', "")
    field_tag = re.search(r'<textarea[^>]*id="f_customer_reply"[^>]*>', html).group(0)
    assert "is-invalid" in field_tag and 'id="count-customer_reply"' in html
    with app.app_context():
        draft = db.session.scalar(sa.select(Submission))
        assert draft.state == SubmissionState.DRAFT and draft.blocked_tries == 1
        assert [c["passed"] for c in draft.checks if c["field"] == "order_id" and c["kind"] == "regex"] == [False]
    good = {f"f_{k}": v for k, v in {**GOOD_AI_ANSWERS, "order_id": "202611110532"}.items()}
    html = client.post_form(f"/me/assessments/{aid}", {**good, "action": "submit"},
                            follow_redirects=True).get_data(as_text=True)
    assert "Submitted" in html and "attempts used: 1 of 3" in html
    with app.app_context():
        s = db.session.scalar(sa.select(Submission))
        assert s.state == SubmissionState.SUBMITTED and s.attempt_no == 1 and s.checks
        assert s.blocked_tries == 1 and [run["submitted"] for run in s.check_runs] == [False, True]
        first_try = {(r["field"], r["kind"]): r["passed"] for r in s.check_runs[0]["results"]}
        assert first_try[("order_id", "regex")] is False and first_try[("customer_reply", "max_length")] is False
        assert s.check_runs[0]["at"] <= s.check_runs[1]["at"]
        # the wrong order id went in, for the mentor to judge
        assert [c["blocking"] for c in s.checks if c["field"] == "order_id" and c["kind"] == "regex"] == [False]
        # the mentor is told, and sees it in the queue
        assert db.session.scalar(sa.select(Notification.user_id)) == t.ai.id
    login(client, t.ai)
    html = client.get(f"/mentor/submissions/{s.id}").get_data(as_text=True)
    assert 'id="check-history"' in html and "Sent back 1 time by a format check" in html
    tries = html[html.index('id="check-tries"'):html.index("</ol>", html.index('id="check-tries"'))]
    assert tries.count("<li>") == 2 and "Order number (format)" in tries and "order_id" not in tries


def test_trainee_sees_what_they_handed_in(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    login(client, t.trainee)
    html = client.get(f"/me/assessments/{assessment_id(app, AI_TASK)}").get_data(as_text=True)
    history = html[html.index('id="history"'):]
    assert GOOD_AI_ANSWERS["customer_reply"] in history and "T202611110532" in history
    assert "misleading_promo" not in history  # the choice by its label, not its value
    assert "Misleading" in history or "误导" in history
    # passed checks say what passed in words, not the failure text or the field code
    assert "✓ Order" in history and "order_id" not in history


def test_retake_opens_with_the_last_answers_and_keeps_the_file(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    login(client, t.trainee)
    aid = assessment_id(app, BOTH_TASK)
    with app.app_context():
        assessment = db.session.get(Assessment, aid)
        answers = {f"f_{f['name']}": _plausible(f, assessment) for f in assessment.fields if f["type"] != "file"}
    answers["f_violations"] = "草稿A用了绝对化用语。Absolute claims in draft A."
    pdf = b"%PDF-1.4\n%retake\n"
    client.post_form(f"/me/assessments/{aid}", {**answers, "f_rule_evidence": (io.BytesIO(pdf), "证据.pdf"),
                                                "action": "submit"}, content_type="multipart/form-data")
    with app.app_context():
        first = db.session.scalar(sa.select(Submission))
        first_id, first_file = first.id, first.files[0].stored_name
    _grade(app, t.ai, first_id, _all(0, BOTH_TASK))
    _grade(app, t.biz, first_id, _all(0, BOTH_TASK))
    html = client.get(f"/me/assessments/{aid}").get_data(as_text=True)
    form_html = html[html.index('id="answer-form"'):html.index('id="history"')]
    assert "Your answer (attempt 2)" in html
    assert "草稿A用了绝对化用语。Absolute claims in draft A." in form_html and "证据.pdf" in form_html
    client.post_form(f"/me/assessments/{aid}", {**answers, "action": "submit"})  # no new upload
    with app.app_context():
        second = db.session.scalar(sa.select(Submission).where(Submission.attempt_no == 2))
        assert second.state == SubmissionState.SUBMITTED
        assert [f.original_name for f in second.files] == ["证据.pdf"]
        assert second.files[0].stored_name != first_file  # its own copy: each attempt keeps its file
        second_file = second.files[0].id
    assert client.get(f"/files/{second_file}").data == pdf


def test_draft_save_keeps_answers_and_number_fields_are_checked(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    login(client, t.trainee)
    aid = assessment_id(app, BIZ_TASK)
    response = client.post_form(f"/me/assessments/{aid}", {"f_case_b_refund": "seventy", "action": "save"})
    assert response.status_code == 400 and "Enter a number" in response.get_data(as_text=True)
    client.post_form(f"/me/assessments/{aid}", {"f_case_b_refund": "75,43", "f_case_a_evidence": "照片",
                                                "action": "save"})
    html = client.get(f"/me/assessments/{aid}").get_data(as_text=True)
    assert "75,43" in html and "照片" in html


def test_locked_tier_assessment_is_refused(app, trainee_with_mentors, client):
    login(client, trainee_with_mentors.trainee)
    assert client.get(f"/me/assessments/{assessment_id(app, 'intent-review-drill')}").status_code in (403, 404)
    with app.app_context():
        advanced = db.session.scalar(sa.select(Tier).where(Tier.code == "advanced"))
        locked_id = progress.required_assessments(advanced)[0].id
    assert client.get(f"/me/assessments/{locked_id}").status_code == 403


def test_passing_every_foundation_assessment_unlocks_advanced(app, trainee_with_mentors):
    t = trainee_with_mentors
    with app.app_context():
        foundation = db.session.scalar(sa.select(Tier).where(Tier.code == "foundation"))
        codes = [a.code for a in progress.required_assessments(foundation)]
    for code in codes:
        sid = _submitted(app, t.trainee, code)
        with app.app_context():
            kinds = submission_service.grader_kinds(db.session.get(Submission, sid).assessment.grader)
            criteria = [c.code for c in db.session.get(Submission, sid).assessment.criteria]
        for kind in kinds:
            _grade(app, t.ai if kind == "ai" else t.biz, sid, dict.fromkeys(criteria, 3))
    with app.app_context():
        program = progress.current_program(db.session)
        states = progress.tier_states(progress.load_outline(db.session, program),
                                      progress.passed_assessment_ids(db.session, t.trainee.id), set())
        assert [(s.tier.code.value, s.unlocked) for s in states] == [
            ("foundation", True), ("advanced", True), ("expert", False)]


def test_attainment_on_a_worked_example(app, trainee_with_mentors):
    """AI task: diagnosis 3/3 (w30, problem solving), steps 1/3 (w40, tool use), reply 2/3 (w30,
    communication). Dual task, points averaged over both mentors: violations (2+3)/2 (w25, problem
    solving), rewrite (3+2)/2 (w20, communication), privacy 1 (w20, communication), rules (3+1)/2
    (w35, tool use).

    problem solving = (30·1 + 25·2.5/3) / 55 = 92.4 %
    tool use        = (40·1/3 + 35·2/3) / 75 = 48.9 %
    communication   = (30·2/3 + 20·2.5/3 + 20·1/3) / 70 = 61.9 %
    data processing: nothing graded yet.
    """
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    _grade(app, t.ai, sid, {"defect-diagnosis": 3, "console-steps": 1, "customer-reply": 2})
    sid = _submitted(app, t.trainee, BOTH_TASK)
    _grade(app, t.ai, sid, {"violation-identification": 2, "rewrite-promise": 3, "privacy-handling": 1,
                            "rule-lookup": 3})
    _grade(app, t.biz, sid, {"violation-identification": 3, "rewrite-promise": 2, "privacy-handling": 1,
                             "rule-lookup": 1})
    with app.app_context():
        scores = grading.attainment(db.session, [t.trainee.id])[t.trainee.id]
    assert scores == {Competency.PROBLEM_SOLVING: 92.4, Competency.TOOL_USE: 48.9,
                      Competency.COMMUNICATION: 61.9, Competency.DATA_PROCESSING: None}


def test_attainment_uses_the_latest_graded_attempt(app, trainee_with_mentors):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    _grade(app, t.ai, sid, _all(0, AI_TASK))
    sid = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    _grade(app, t.ai, sid, _all(3, AI_TASK))
    with app.app_context():
        assert grading.attainment(db.session, [t.trainee.id])[t.trainee.id][Competency.TOOL_USE] == 100.0


def test_amending_a_grade_needs_a_reason_keeps_history_and_updates_the_result(app, trainee_with_mentors):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    grade_id = _grade(app, t.ai, sid, _all(3, AI_TASK))
    with app.app_context():
        old = db.session.get(Grade, grade_id)
        mentor = db.session.get(User, t.ai.id)
        with pytest.raises(DomainError):
            grading.amend(db.session, mentor, old, old.submission.version, _all(0, AI_TASK), "x", " ")
        grading.amend(db.session, mentor, old, old.submission.version, _all(0, AI_TASK), "重评", "misread the reply")
        db.session.commit()
        grades = db.session.scalars(sa.select(Grade).order_by(Grade.id)).all()
        assert [(g.current, g.amended_from_id) for g in grades] == [(False, None), (True, grade_id)]
        assert db.session.get(Submission, sid).passed is False
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("grade.%"))
                                     .order_by(AuditEvent.id)).all()
        assert actions == ["grade.create", "grade.amend"]


def test_two_tabs_grading_the_same_submission_second_save_is_refused(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    login(client, t.ai)
    page = client.get(f"/mentor/submissions/{sid}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    form = {"version": version, "c_defect-diagnosis": "3", "c_console-steps": "3", "c_customer-reply": "3"}
    first = client.post_form(f"/mentor/submissions/{sid}", {**form, "feedback": "第一个标签页 tab one"})
    assert first.status_code == 302
    second = client.post_form(f"/mentor/submissions/{sid}", {**form, "feedback": "第二个标签页 tab two"})
    html = second.get_data(as_text=True)
    assert second.status_code == 409 and "Someone else saved a grade" in html
    assert "第二个标签页 tab two" in html  # their work is still in the form
    with app.app_context():
        assert [g.feedback for g in db.session.scalars(sa.select(Grade))] == ["第一个标签页 tab one"]


def test_concurrent_grading_one_wins_the_other_gets_a_conflict(app, trainee_with_mentors):
    """Two sessions on two connections save against the same version at the same moment."""
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, BOTH_TASK)
    with app.app_context():
        version = db.session.get(Submission, sid).version
    barrier, outcomes = threading.Barrier(2), []

    def save(mentor):
        with app.app_context():
            submission = db.session.get(Submission, sid)
            user = db.session.get(User, mentor.id)
            barrier.wait()
            try:
                grading.grade(db.session, user, submission, version, _all(3, BOTH_TASK), f"by {mentor.id}")
                db.session.commit()
                outcomes.append("saved")
            except grading.GradeConflict:
                db.session.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(m,)) for m in (t.ai, t.biz)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["conflict", "saved"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Grade.id))) == 1
        assert db.session.get(Submission, sid).version == version + 1


def test_grading_queue_lists_oldest_first_waiting_since(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    first = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    _submitted(app, t.trainee, BIZ_TASK)
    login(client, t.ai)
    html = client.get("/mentor/queue").get_data(as_text=True)
    # the cohort started in September, yet handed-in work is waiting, not overdue
    assert f"/mentor/submissions/{first}" in html and "Waiting since" in html and "overdue" not in html
    login(client, t.biz)
    html = client.get("/mentor/queue").get_data(as_text=True)
    assert f"/mentor/submissions/{first}" not in html


def _many_pending(app, make_user, make_cohort, ai, biz, n):
    from lms.models import Cohort
    from lms.services import mentoring

    cohort_id, enrollment_ids = make_cohort(trainees=n)
    with app.app_context():
        mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        aid = assessment_id(app, AI_TASK)
        from lms.models import Enrollment
        for enrollment_id in enrollment_ids:
            trainee_id = db.session.get(Enrollment, enrollment_id).trainee_id
            db.session.add(Submission(trainee_id=trainee_id, assessment_id=aid, attempt_no=1,
                                      state=SubmissionState.SUBMITTED, answers={}, checks=[],
                                      submitted_at=sa.func.now()))
        db.session.commit()


def test_grading_queue_query_count_does_not_grow(app, make_user, make_cohort, login_as, count_queries):
    client, ai = login_as("mentor", mentor_kind="ai", capacity=100)
    biz = make_user("mentor", mentor_kind="business", capacity=100)
    _many_pending(app, make_user, make_cohort, ai, biz, 5)
    client.get("/mentor/queue")
    with count_queries() as five:
        assert client.get("/mentor/queue").get_data(as_text=True).count("btn btn-sm btn-primary") == 5
    _many_pending(app, make_user, make_cohort, ai, biz, 95)
    with count_queries() as hundred:
        assert client.get("/mentor/queue").get_data(as_text=True).count("btn btn-sm btn-primary") == 100
    assert len(hundred.statements) == len(five.statements)


def test_notifications_reach_trainee_and_count_in_the_navbar(app, trainee_with_mentors, client):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    login(client, t.ai)
    assert 'id="unread-count">1<' in client.get("/mentor/").get_data(as_text=True)
    _grade(app, t.ai, sid, _all(3, AI_TASK))
    login(client, t.trainee)
    html = client.get("/notifications").get_data(as_text=True)
    assert 'id="unread-count">1<' in html and "passed with 100.0%" in html
    with app.app_context():
        note_id = db.session.scalar(sa.select(Notification.id).where(Notification.user_id == t.trainee.id))
    response = client.get(f"/notifications/{note_id}")
    assert response.headers["Location"].endswith(f"/me/assessments/{assessment_id(app, AI_TASK)}")
    assert 'id="unread-count"' not in client.get("/me/").get_data(as_text=True)


def test_mentor_sees_trainee_attainment_page(app, trainee_with_mentors, client, make_user):
    t = trainee_with_mentors
    login(client, t.ai)
    assert 'id="attainment"' in client.get(f"/mentor/trainees/{t.enrollment_id}").get_data(as_text=True)
    login(client, make_user("mentor"))
    assert client.get(f"/mentor/trainees/{t.enrollment_id}").status_code == 403


def test_upload_file_kept_and_pdf_served_to_allowed_people_only(app, trainee_with_mentors, client, make_user):
    t = trainee_with_mentors
    login(client, t.trainee)
    aid = assessment_id(app, BOTH_TASK)
    with app.app_context():
        assessment = db.session.get(Assessment, aid)
        answers = {f"f_{f['name']}": _plausible(f, assessment) for f in assessment.fields if f["type"] != "file"}
    pdf = b"%PDF-1.4\n%demo\n"
    response = client.post_form(f"/me/assessments/{aid}", {
        **answers, "f_rule_evidence": (io.BytesIO(pdf), "规则截图.pdf"), "action": "submit"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalar(sa.select(Submission)).files[0]
        assert stored.original_name == "规则截图.pdf" and stored.stored_name != stored.original_name
        file_id = stored.id
    url = f"/files/{file_id}"
    assert client.get(url).data == pdf  # the trainee
    for allowed in (t.ai, t.biz, make_user("admin")):
        login(client, allowed)
        response = client.get(url)
        assert response.status_code == 200 and response.headers["X-Content-Type-Options"] == "nosniff"
    for refused in (make_user("trainee"), make_user("mentor")):  # another trainee; an unassigned mentor
        login(client, refused)
        assert client.get(url).status_code == 404


def test_upload_of_a_wrong_type_is_a_form_error(app, trainee_with_mentors, client):
    login(client, trainee_with_mentors.trainee)
    aid = assessment_id(app, BOTH_TASK)
    response = client.post_form(f"/me/assessments/{aid}", {
        "f_rule_evidence": (io.BytesIO(b"MZ\x90\x00"), "evil.exe"), "action": "save"},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "Allowed file types" in response.get_data(as_text=True)
    response = client.post_form(f"/me/assessments/{aid}", {
        "f_rule_evidence": (io.BytesIO(b"<script>alert(1)</script>"), "fake.png"), "action": "save"},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "not a real .png file" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 0


def test_oversized_upload_gets_the_413_page(app, trainee_with_mentors, client):
    login(client, trainee_with_mentors.trainee)
    aid = assessment_id(app, BOTH_TASK)
    big = io.BytesIO(b"%PDF" + b"0" * app.config["MAX_CONTENT_LENGTH"])
    response = client.post_form(f"/me/assessments/{aid}", {"f_rule_evidence": (big, "big.pdf"), "action": "save"},
                                content_type="multipart/form-data")
    assert response.status_code == 413 and "File too large" in response.get_data(as_text=True)


def test_a_long_upload_name_keeps_its_extension(app):
    name = "A" * 300 + ".csv"
    stored = store_upload(app.config["UPLOAD_FOLDER"], io.BytesIO(b"a,b\n1,2\n"), name, [".csv"])
    assert len(stored.original_name) == 255 and stored.original_name.endswith(".csv")
