"""The intake diagnostic: it produces the baseline, is taken once, and a mentor's adjustment
keeps the diagnostic score and the reason (audited)."""

import re

import sqlalchemy as sa

from lms.extensions import db
from lms.models import (
    AuditEvent,
    BaselineRating,
    BaselineSource,
    Diagnostic,
    DiagnosticResult,
    Enrollment,
    User,
)
from lms.permissions import ROLE_ACTIONS, Action, required_action
from lms.services import DomainError, mentoring
from lms.services import diagnostic as diagnostic_service
from lms.services.baselines import rate_baseline
from lms.services.catalog_checks import YamlFile
from lms.services.catalog_diagnostic import read_diagnostic
from lms.services.demo import DEMO_DIAGNOSTIC_ANSWERS
from tests.conftest import login
from tests.test_no_raw_code import codes, english_words, problems, visible_text

# The shipped diagnostic (courses/intake/diagnostic.yaml), answered right on these fields:
# data processing 3 of 5 points, problem solving 2 of 6, tool use 5 of 5, communication 2 of 4.
RIGHT = {"refund_amount", "tracking_number", "first_step", "handoff", "ticket_search", "sum_formula", "reply"}
EXPECTED = {"data_processing": 60, "problem_solving": 33, "tool_use": 100, "communication": 50}


def _answers(right=RIGHT) -> dict[str, str]:
    return {f"f_{name}": pair[0] if name in right else pair[1] for name, pair in DEMO_DIAGNOSTIC_ANSWERS.items()}


def _trainee_with_mentor(app, make_cohort, make_user):
    """(trainee, mentor who coaches them, enrollment id)."""
    _cohort, (enrollment_id,) = make_cohort(trainees=1)
    mentor = make_user("mentor", mentor_kind="business")
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        mentoring.assign(db.session, None, enrollment, db.session.get(User, mentor.id), "intake")
        db.session.commit()
        trainee = db.session.get(User, enrollment.trainee_id)
        db.session.expunge(trainee)
    return trainee, mentor, enrollment_id


def _baselines(app, enrollment_id) -> dict[str, BaselineRating]:
    with app.app_context():
        rows = db.session.scalars(sa.select(BaselineRating).where(BaselineRating.enrollment_id == enrollment_id))
        out = {b.competency.value: b for b in rows}
        for b in out.values():
            db.session.expunge(b)
        return out


def test_the_diagnostic_produces_the_baseline(app, client, make_cohort, make_user):
    trainee, _mentor, enrollment_id = _trainee_with_mentor(app, make_cohort, make_user)
    login(client, trainee)
    home = client.get("/me/").get_data(as_text=True)
    assert 'id="intake-diagnostic"' in home and "/me/diagnostic" in home
    assert home.index('id="intake-diagnostic"') < home.index("AI mentor")  # first on the page
    page = client.get("/me/diagnostic").get_data(as_text=True)
    assert page.count('class="card p-4 mb-3"') == 11 and 'name="csrf_token"' in page  # every item on one page
    response = client.post_form("/me/diagnostic", _answers())
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/diagnostic/result")
    baselines = _baselines(app, enrollment_id)
    assert {c: b.score for c, b in baselines.items()} == EXPECTED
    assert all(b.source == BaselineSource.DIAGNOSTIC and b.diagnostic_score == b.score and b.rated_by_id is None
               for b in baselines.values())
    result = client.get("/me/diagnostic/result").get_data(as_text=True)
    assert "3 of 5" in result and "33%" in result and "attained" in result
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "diagnostic.submit"))
        assert event.actor_id == trainee.id and event.after == EXPECTED
    assert 'id="intake-diagnostic"' in client.get("/me/").get_data(as_text=True)  # now a link to the result


def test_a_competency_score_is_the_share_of_its_points_rounded_down_at_the_threshold():
    def diagnostic(*points):
        items = [{"code": f"i{n}", "competency": "tool_use", "points": p, "question": {}, "fields": [
            {"name": f"a{n}", "type": "text", "required": False}], "checks": [
            {"field": f"a{n}", "kind": "regex", "pattern": "^yes$", "blocking": False, "message": {}}]}
                 for n, p in enumerate(points)]
        return Diagnostic(items=items)

    # 7 of 10 points: exactly the 70 % threshold, attained
    _items, scores = diagnostic_service.score(diagnostic(7, 3), {"a0": "yes", "a1": "no"})
    assert scores == {"tool_use": 70}
    # 9 of 13 points is 69.2 %: rounded down, so it never reads as attained
    _items, scores = diagnostic_service.score(diagnostic(9, 4), {"a0": "yes", "a1": ""})
    assert scores == {"tool_use": 69}
    items, scores = diagnostic_service.score(diagnostic(2, 3), {"a0": "yes", "a1": "yes"})
    assert scores == {"tool_use": 100} and [i["earned"] for i in items] == [2, 3]


def test_a_missing_answer_re_renders_the_form_with_field_messages_and_writes_nothing(
        app, client, make_cohort, make_user):
    trainee, _mentor, enrollment_id = _trainee_with_mentor(app, make_cohort, make_user)
    login(client, trainee)
    answers = {**_answers(), "f_reply": "", "f_refund_amount": "seventy"}
    response = client.post_form("/me/diagnostic", answers)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a number" in html  # the number field, from the form
    assert client.post_form("/me/diagnostic", {**_answers(), "f_reply": ""}).status_code == 400
    assert "This field is required." in client.post_form(
        "/me/diagnostic", {**_answers(), "f_reply": ""}).get_data(as_text=True)
    assert client.post("/me/diagnostic", data=_answers()).status_code == 400  # no CSRF token
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(DiagnosticResult.id))) == 0
    assert _baselines(app, enrollment_id) == {}


def test_the_diagnostic_intro_agrees_with_the_form_marks_required_fields_and_lists_every_error_at_the_top(
        app, client, make_cohort, make_user):
    trainee, _mentor, enrollment_id = _trainee_with_mentor(app, make_cohort, make_user)
    login(client, trainee)
    page = client.get("/me/diagnostic").get_data(as_text=True)
    assert "not sure" not in page and "best guess" in page  # no promise the number fields would refuse
    assert page.count('class="text-danger required-mark"') == 11  # every item's field is marked required
    answers = {k: v for k, v in {**_answers(), "f_reply": "", "f_refund_amount": "not sure"}.items()
               if k != "f_first_step"}
    response = client.post_form("/me/diagnostic", answers)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = html[html.index('id="error-summary"'):html.index('id="brief"')]  # above the questions
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert 'href="#f_refund_amount"' in summary and "Enter a number" in summary  # the form's own check ...
    assert 'href="#f_reply"' in summary and 'href="#f_first_step-0"' in summary  # ... and the missing answers,
    assert summary.count("This field is required.") == 2  # together, not one round after the other
    assert _baselines(app, enrollment_id) == {}


def test_the_diagnostic_is_taken_once(app, client, make_cohort, make_user):
    trainee, _mentor, enrollment_id = _trainee_with_mentor(app, make_cohort, make_user)
    login(client, trainee)
    assert client.post_form("/me/diagnostic", _answers()).status_code == 302
    again = client.post_form("/me/diagnostic", _answers(set(DEMO_DIAGNOSTIC_ANSWERS)))
    assert again.status_code == 302 and again.headers["Location"].endswith("/me/diagnostic/result")
    assert {c: b.score for c, b in _baselines(app, enrollment_id).items()} == EXPECTED  # unchanged
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        diagnostic = diagnostic_service.live_diagnostic(db.session, enrollment.cohort.program_id)
        try:
            diagnostic_service.submit(db.session, db.session.get(User, trainee.id), enrollment, diagnostic, {})
            raise AssertionError("a second diagnostic was accepted")
        except DomainError:
            db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(DiagnosticResult.id))) == 1


def test_a_mentor_rating_confirms_the_baseline_and_closes_the_diagnostic(app, client, make_cohort, make_user):
    trainee, mentor, enrollment_id = _trainee_with_mentor(app, make_cohort, make_user)
    login(client, mentor)
    scores = {"data_processing": "20", "problem_solving": "30", "tool_use": "25", "communication": "45",
              "reason": "入营面谈观察"}
    page = client.get(f"/mentor/trainees/{enrollment_id}/baseline").get_data(as_text=True)
    assert "has not taken the intake diagnostic yet" in page
    assert client.post_form(f"/mentor/trainees/{enrollment_id}/baseline", scores).status_code == 302
    baselines = _baselines(app, enrollment_id)
    assert all(b.source == BaselineSource.MENTOR and b.reason == "入营面谈观察" and b.diagnostic_score is None
               for b in baselines.values())
    login(client, trainee)
    assert "/me/diagnostic" not in client.get("/me/").get_data(as_text=True)  # no link to a closed page
    assert client.get("/me/diagnostic").status_code == 302
    assert client.post_form("/me/diagnostic", _answers()).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(DiagnosticResult.id))) == 0


def test_a_mentor_adjustment_keeps_the_original_and_the_reason_and_is_audited(
        app, client, make_cohort, make_user):
    trainee, mentor, enrollment_id = _trainee_with_mentor(app, make_cohort, make_user)
    login(client, trainee)
    client.post_form("/me/diagnostic", _answers())
    login(client, mentor)
    url = f"/mentor/trainees/{enrollment_id}/baseline"
    form = {**{c: str(s) for c, s in EXPECTED.items()}, "communication": "65", "reason": ""}
    refused = client.post_form(url, form)
    assert refused.status_code == 400 and "Give a reason" in refused.get_data(as_text=True)
    assert _baselines(app, enrollment_id)["communication"].score == 50
    reason = "面谈中安抚情绪到位，写作题低估了沟通能力"
    assert client.post_form(url, {**form, "reason": reason}).status_code == 302
    communication = _baselines(app, enrollment_id)["communication"]
    assert (communication.score, communication.diagnostic_score, communication.reason) == (65, 50, reason)
    assert communication.source == BaselineSource.DIAGNOSTIC and communication.rated_by_id == mentor.id
    assert _baselines(app, enrollment_id)["tool_use"].rated_by_id is None  # the others stay untouched
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "baseline.adjust"))
        assert event.actor_id == mentor.id and event.before == {"communication": 50}
        assert event.after == {"communication": 65, "reason": reason}
    record = client.get(f"/mentor/trainees/{enrollment_id}").get_data(as_text=True)
    baseline = record.split('id="baseline"')[1].split("</ul>")[0]
    assert f"diagnostic 50% → adjusted 65% by {mentor.name}: {reason}" in baseline
    assert "60% from the intake diagnostic" in baseline
    assert 'id="like-with-like"' in record
    login(client, trainee)
    assert f"adjusted by {mentor.name}" in client.get("/me/diagnostic/result").get_data(as_text=True)


def test_the_baseline_form_says_the_trainee_reads_the_reason(app, client, make_cohort, make_user):
    trainee, mentor, enrollment_id = _trainee_with_mentor(app, make_cohort, make_user)
    login(client, mentor)
    url = f"/mentor/trainees/{enrollment_id}/baseline"
    assert "The trainee sees this reason" in client.get(url).get_data(as_text=True)
    with app.app_context():
        db.session.get(User, mentor.id).locale = "zh_CN"
        db.session.commit()
    assert "学员会在" in client.get(url).get_data(as_text=True)


def test_another_mentors_trainee_is_refused(app, client, make_cohort, make_user):
    trainee, _mentor, enrollment_id = _trainee_with_mentor(app, make_cohort, make_user)
    other = make_user("mentor", mentor_kind="ai")
    login(client, other)
    form = {"data_processing": "20", "problem_solving": "30", "tool_use": "25", "communication": "45",
            "reason": "x"}
    assert client.get(f"/mentor/trainees/{enrollment_id}/baseline").status_code == 403
    assert client.post_form(f"/mentor/trainees/{enrollment_id}/baseline", form).status_code == 403
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        try:
            rate_baseline(db.session, db.session.get(User, other.id), enrollment, {"tool_use": 20}, "x")
            raise AssertionError("another mentor's rating was accepted")
        except DomainError:
            db.session.rollback()
    assert _baselines(app, enrollment_id) == {}


def test_only_trainees_take_the_diagnostic(app):
    with app.test_request_context():
        assert required_action("trainee.diagnostic") == Action.TAKE_DIAGNOSTIC
        assert required_action("trainee.diagnostic_result") == Action.TAKE_DIAGNOSTIC
    assert [role.value for role, actions in ROLE_ACTIONS.items() if Action.TAKE_DIAGNOSTIC in actions] == ["trainee"]


def test_a_trainee_without_a_cohort_is_sent_home_not_refused(login_as):
    client, _trainee = login_as("trainee")
    assert client.get("/me/diagnostic").status_code == 302
    assert client.get("/me/diagnostic/result").status_code == 302


def _check(data: dict) -> list[str]:
    found: list = []
    read_diagnostic(YamlFile("courses/intake/diagnostic.yaml", data, found))
    return [str(p) for p in found]


def _item(code, competency, **extra):
    return {"code": code, "competency": competency, "points": 1,
            "question": {"zh_CN": "问题", "en": "Question"},
            "fields": [{"name": code.replace("-", "_"), "type": "text", "label": {"zh_CN": "答案", "en": "Answer"}}],
            "checks": [{"field": code.replace("-", "_"), "kind": "keywords", "keywords": ["退款|refund"],
                        "message": {"zh_CN": "不对", "en": "Not right"}}], **extra}


def _file(*competencies):
    items = [_item(f"{c[:2]}-{n}", c) for c in competencies for n in (1, 2)]
    return {"code": "intake", "title": {"zh_CN": "诊断", "en": "Diagnostic"},
            "brief": {"zh_CN": "说明", "en": "About it"}, "items": items}


def test_courses_check_rejects_a_diagnostic_missing_a_competency():
    assert _check(_file("data_processing", "problem_solving", "tool_use", "communication")) == []
    assert _check(_file("data_processing", "problem_solving", "tool_use")) == [
        "courses/intake/diagnostic.yaml: items: communication has 0 items; every competency needs at least 2"]


def test_courses_check_rejects_an_item_that_cannot_be_auto_scored_or_shows_its_answer():
    data = _file("data_processing", "problem_solving", "tool_use", "communication")
    data["items"][0]["checks"] = [{"field": "da_1", "kind": "required", "message": {"zh_CN": "必填", "en": "Required"}}]
    data["items"][1]["fields"][0].update(type="file", accept=[".csv"])
    data["items"][2]["checks"] = [{"field": "pr_1", "kind": "number_range", "min": 78.5, "max": 79.5,
                                   "message": {"zh_CN": "应为 79 元", "en": "Should be 79"}}]
    found = _check(data)
    assert any("items[0].checks: needs an answer check" in p for p in found)
    assert any("items[1].fields[0].type: a diagnostic is scored automatically" in p for p in found)
    assert any(p.startswith("courses/intake/diagnostic.yaml: items[2].checks[0].message.zh_CN: shows 79")
               for p in found)


def test_the_shipped_diagnostic_is_valid_and_syncs_idempotently(app, parsed_courses):
    from lms.services.catalog_sync import sync_spec

    spec, problems_found = parsed_courses
    assert problems_found == [] and spec.diagnostic is not None
    assert {item["competency"] for item in spec.diagnostic.items} == {
        "data_processing", "problem_solving", "tool_use", "communication"}
    with app.app_context():
        assert sync_spec(db.session, spec, []).ok
        db.session.commit()
        again = sync_spec(db.session, spec, [])
        assert not again.changed
        assert db.session.scalar(sa.select(sa.func.count(Diagnostic.id))) == 1


def test_the_record_and_the_result_page_cost_the_same_with_one_or_four_raters(app, client, make_cohort, make_user,
                                                                              count_queries):
    trainee, mentor, enrollment_id = _trainee_with_mentor(app, make_cohort, make_user)
    login(client, trainee)
    client.post_form("/me/diagnostic", _answers())
    admins = [make_user("admin") for _ in range(4)]
    url = f"/mentor/trainees/{enrollment_id}"
    counts = []
    for raters in (admins[:1], admins):
        with app.app_context():
            enrollment = db.session.get(Enrollment, enrollment_id)
            for n, competency in enumerate(EXPECTED):
                rater = db.session.get(User, raters[n % len(raters)].id)
                rate_baseline(db.session, rater, enrollment, {competency: 10 + n + len(raters)}, "复核")
            db.session.commit()
        for who, page in ((mentor, url), (trainee, "/me/diagnostic/result")):
            login(client, who)
            client.get(page)  # the first page fills the outline cache
            with count_queries() as counter:
                assert client.get(page).status_code == 200
            counts.append(len(counter.statements))
    assert counts[0] == counts[2] and counts[1] == counts[3]


def test_the_diagnostic_pages_in_zh_cn_show_no_code_or_english(app, client, make_cohort, make_user):
    trainee, _mentor, _enrollment_id = _trainee_with_mentor(app, make_cohort, make_user)
    with app.app_context():
        db.session.get(User, trainee.id).locale = "zh_CN"
        db.session.commit()
    login(client, trainee)
    words, domain_codes = english_words(), frozenset(codes())
    pages = [client.get("/me/").get_data(as_text=True), client.get("/me/diagnostic").get_data(as_text=True),
             client.post_form("/me/diagnostic", {**_answers(), "f_reply": ""}).get_data(as_text=True)]
    client.post_form("/me/diagnostic", _answers())
    pages.append(client.get("/me/diagnostic/result").get_data(as_text=True))
    for html in pages:  # the factories' names ("Trainee 3", "Cohort 1") are people's data, not interface
        text = re.sub(r"\b(?:Trainee|Mentor|Cohort) \d+", " ", visible_text(html))
        assert problems(text, words, domain_codes) == []


def test_demo_trainees_have_diagnostic_baselines_and_one_is_adjusted(app):
    from tests.demo_data import load_demo

    load_demo(app)
    load_demo(app)  # idempotent
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(DiagnosticResult.id))) == 6
        rows = db.session.scalars(sa.select(BaselineRating)).all()
        assert len(rows) == 24 and all(b.source == BaselineSource.DIAGNOSTIC for b in rows)
        adjusted = [b for b in rows if b.adjusted]
        assert len(adjusted) == 1 and adjusted[0].reason and adjusted[0].diagnostic_score != adjusted[0].score


def test_the_record_says_intake_comes_from_the_diagnostic_only_when_it_does(app, client, make_cohort, make_user):
    trainee, mentor, enrollment_id = _trainee_with_mentor(app, make_cohort, make_user)
    login(client, mentor)
    scores = {c: "50" for c in EXPECTED}
    assert client.post_form(f"/mentor/trainees/{enrollment_id}/baseline",
                            {**scores, "reason": "入营面谈"}).status_code == 302
    html = client.get(f"/mentor/trainees/{enrollment_id}").get_data(as_text=True)
    assert "auto-checked intake diagnostic" not in html and "rated by a mentor" in html
