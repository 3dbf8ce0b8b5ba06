"""The expert capstone: groups per cohort, one group submission graded once and
credited to every member, contribution statements, dual sign-off."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import (
    AuditEvent,
    CapstoneGroup,
    Cohort,
    Competency,
    Enrollment,
    Submission,
    SubmissionState,
    Tier,
    User,
)
from lms.services import DomainError, capstone, grading, mentoring, progress
from lms.services import capstone_work as work

ANSWERS = {"problem_framing": "价保意图分错率数据", "model_rule_choice": "规则优先", "collaboration_flow": "交接",
           "risk_boundaries": "智能体不得承诺赔付金额，审批人：售后主管，每季度复核；不得修改订单地址，"
                              "审批人：运营经理，每月复核；不得在大促期间承诺额外赠品，审批人：活动负责人，活动前复核。",
           "launch_plan": "试点两周"}


def _unlock_expert(trainee_ids):
    """Passed grades for every required foundation and advanced assessment."""
    for code in ("foundation", "advanced"):
        tier = db.session.scalar(sa.select(Tier).where(Tier.code == code))
        for trainee_id in trainee_ids:
            for assessment in progress.required_assessments(tier):
                db.session.add(Submission(trainee_id=trainee_id, assessment_id=assessment.id,
                                          state=SubmissionState.GRADED, passed=True, score=90.0))
    db.session.commit()


@pytest.fixture
def team(app, make_cohort, make_user):
    """A cohort of three ai_trainer trainees, mentored, expert tier open, and an admin."""
    ai = make_user("mentor", mentor_kind="ai", capacity=50)
    biz = make_user("mentor", mentor_kind="business", capacity=50)
    admin = make_user("admin")
    cohort_id, enrollment_ids = make_cohort(trainees=3, role="ai_trainer")
    with app.app_context():
        mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        db.session.commit()
        ids = [db.session.get(Enrollment, e).trainee_id for e in enrollment_ids]
        _unlock_expert(ids)
    return SimpleNamespace(ai=ai, biz=biz, admin=admin, cohort_id=cohort_id, trainee_ids=ids)


def _group(t, members=2, name="Team A"):
    cohort = db.session.get(Cohort, t.cohort_id)
    admin = db.session.get(User, t.admin.id)
    group = capstone.create_group(db.session, admin, cohort,
                                  capstone.GroupInput(name, "handoff-threshold", t.trainee_ids[:members]))
    db.session.commit()
    return group


def _submit(t, group):
    for trainee_id in group.member_ids:
        work.save_group_work(db.session, db.session.get(User, trainee_id), group, ANSWERS,
                             f"我负责第{trainee_id}部分", submit=False)
    submission, _ = work.save_group_work(db.session, db.session.get(User, group.member_ids[0]), group, ANSWERS,
                                         "我负责问题界定", submit=True)
    db.session.commit()
    assert submission.state == SubmissionState.SUBMITTED
    return submission


def _full_marks(submission):
    return {c.code: c.max_points for c in submission.assessment.criteria}


def test_a_capstone_group_submission_is_graded_once_and_credited_to_each_member(app_ctx, team):
    group = _group(team)
    submission = _submit(team, group)
    ai, biz = db.session.get(User, team.ai.id), db.session.get(User, team.biz.id)
    assert [i.submission_id for i in grading.queue(db.session, ai)] == [submission.id]  # listed once
    grading.grade(db.session, ai, submission, submission.version, _full_marks(submission), "好")
    grading.grade(db.session, biz, submission, submission.version, _full_marks(submission), "好")
    db.session.commit()
    assert submission.state == SubmissionState.GRADED and submission.passed
    assert db.session.scalar(sa.select(sa.func.count(Submission.id)).where(Submission.group_id == group.id)) == 1
    scores = grading.attainment(db.session, team.trainee_ids)
    for member in group.member_ids:
        assert submission.assessment_id in progress.passed_assessment_ids(db.session, member)
        assert scores[member][Competency.COMMUNICATION] is not None
        states = progress.tier_states(progress.role_outline(db.session, group.cohort.program, "ai_trainer"),
                                      progress.passed_assessment_ids(db.session, member), set())
        assert states[-1].required_passed >= 1
    outsider = team.trainee_ids[2]
    assert submission.assessment_id not in progress.passed_assessment_ids(db.session, outsider)
    assert grading.queue(db.session, ai) == []


def test_submission_refused_while_a_members_contribution_statement_is_missing(app_ctx, team):
    group = _group(team)
    first = db.session.get(User, group.member_ids[0])
    with pytest.raises(DomainError) as refused:
        work.save_group_work(db.session, first, group, ANSWERS, "我负责问题界定", submit=True)
    db.session.rollback()
    missing = db.session.get(User, group.member_ids[1]).name
    assert missing in str(refused.value.message)
    assert db.session.scalar(sa.select(Submission.state).where(Submission.group_id == group.id)) in (
        None, SubmissionState.DRAFT)


def test_a_trainee_cannot_be_in_two_groups_of_one_cohort(app_ctx, team):
    _group(team)
    cohort, admin = db.session.get(Cohort, team.cohort_id), db.session.get(User, team.admin.id)
    with pytest.raises(DomainError, match="Team A"):  # names the group the trainee is in
        capstone.create_group(db.session, admin, cohort,
                              capstone.GroupInput("Team B", "intent-classification", team.trainee_ids[1:3]))


def test_a_group_needs_two_to_six_expert_tier_trainees(app_ctx, team, make_cohort):
    cohort, admin = db.session.get(Cohort, team.cohort_id), db.session.get(User, team.admin.id)
    with pytest.raises(DomainError, match="2.*6"):
        capstone.create_group(db.session, admin, cohort, capstone.GroupInput("Solo", "intent-classification",
                                                                               team.trainee_ids[:1]))
    _, (collab,) = make_cohort(trainees=1, role="collab_cs")
    other = db.session.get(Enrollment, collab).trainee_id
    with pytest.raises(DomainError) as refused:  # a collab_cs trainee does not take the expert tier
        capstone.create_group(db.session, admin, cohort, capstone.GroupInput("Mixed", "intent-classification",
                                                                               [team.trainee_ids[0], other]))
    assert refused.value.field == "trainee_ids"


def test_dual_sign_off_needs_both_kinds(app_ctx, team):
    group = _group(team)
    submission = _submit(team, group)
    ai = db.session.get(User, team.ai.id)
    grading.grade(db.session, ai, submission, submission.version, _full_marks(submission), "好")
    db.session.commit()
    assert submission.state == SubmissionState.SUBMITTED and submission.passed is None
    with pytest.raises(DomainError):  # a second ai grade is an amendment, not a sign-off
        grading.grade(db.session, ai, submission, submission.version, _full_marks(submission), "再评")


def test_members_are_fixed_once_the_group_handed_in(app_ctx, team):
    group = _group(team)
    _submit(team, group)
    with pytest.raises(DomainError) as refused:
        capstone.set_members(db.session, db.session.get(User, team.admin.id), group, team.trainee_ids)
    assert refused.value.field == "trainee_ids" and len(group.member_ids) == 2


def test_milestones_keep_history_and_show_due_dates(app_ctx, team):
    group = _group(team)
    a, b = (db.session.get(User, i) for i in group.member_ids)
    work.record_milestone(db.session, a, group, "framing", "第一版")
    work.record_milestone(db.session, b, group, "framing", "第二版")
    db.session.commit()
    framing = work.milestones(db.session, group)[0]
    assert [n.text for n in framing.notes] == ["第二版", "第一版"]
    assert [m.due.week for m in work.milestones(db.session, group)] == [11, 12, 13]


# --- pages ----------------------------------------------------------------------------


def _login(client, user):
    from tests.conftest import login

    login(client, user)


def test_a_non_member_trainee_cannot_read_the_groups_work(app, client, team):
    with app.app_context():
        group = _group(team)
        group_id = group.id
        outsider = db.session.get(User, team.trainee_ids[2])
        member = db.session.get(User, team.trainee_ids[0])
        db.session.expunge_all()
    _login(client, outsider)
    assert client.get(f"/me/capstone/groups/{group_id}").status_code == 404
    assert client.post_form(f"/me/capstone/groups/{group_id}/work", {"save": "1"}).status_code == 404
    _login(client, member)
    page = client.get(f"/me/capstone/groups/{group_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Team A" in html
    with app.app_context():  # what is judged is shown; level descriptors wait for a grade
        criteria = db.session.get(CapstoneGroup, group_id).assessment.criteria
        assert all(c.judged["en"] in html for c in criteria)
        assert not any(lv["descriptor"]["en"] in html for c in criteria for lv in c.levels)
    assert client.get("/me/capstone").status_code == 302


def test_the_grading_page_shows_each_members_statement(app, client, team):
    with app.app_context():
        group = _group(team)
        submission_id = _submit(team, group).id
        names = [db.session.get(User, i).name for i in group.member_ids]
    _login(client, team.ai)
    html = client.get(f"/mentor/submissions/{submission_id}").get_data(as_text=True)
    assert "我负责问题界定" in html and all(n in html for n in names)
    _login(client, team.admin)
    assert "我负责问题界定" in client.get(f"/admin/submissions/{submission_id}").get_data(as_text=True)


def test_admin_forms_a_group_and_bad_input_re_renders(app, client, team):
    _login(client, team.admin)
    url = f"/admin/cohorts/{team.cohort_id}/capstone"
    assert client.get(url).status_code == 200
    bad = client.post_form(url, {"name": "Solo", "problem": "intent-classification",
                                 "trainee_ids": [str(team.trainee_ids[0])]})
    assert bad.status_code == 400 and "2 to 6" in bad.get_data(as_text=True)
    ok = client.post_form(url, {"name": "Team C", "problem": "intent-classification",
                                "trainee_ids": [str(i) for i in team.trainee_ids[:2]]})
    assert ok.status_code == 302
    with app.app_context():
        group_id = db.session.scalar(sa.select(CapstoneGroup.id).where(CapstoneGroup.name == "Team C"))
    moved = client.post_form(f"{url}/{group_id}/members", {f"g{group_id}-trainee_ids": [str(team.trainee_ids[0])]})
    assert moved.status_code == 400 and "2 to 6" in moved.get_data(as_text=True)  # re-rendered with the message
    moved = client.post_form(f"{url}/{group_id}/members",
                             {f"g{group_id}-trainee_ids": [str(i) for i in team.trainee_ids[1:3]]})
    assert moved.status_code == 302
    with app.app_context():
        assert sorted(db.session.get(CapstoneGroup, group_id).member_ids) == sorted(team.trainee_ids[1:3])
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.subject_type == "capstone_group"))
        assert sorted(actions) == ["capstone.group_create", "capstone.group_members"]
    assert "changed the members of capstone group Team C" in client.get("/admin/audit").get_data(as_text=True)


@pytest.mark.parametrize("page", ["group", "admin"])
def test_capstone_pages_run_a_fixed_number_of_statements(app, client, make_cohort, make_user, count_queries, page):
    """The group page at 2 and 6 members; the admin groups page at 1 and 3 groups (each handed in)."""
    counts = []
    admin = make_user("admin")
    for size in (2, 6):
        cohort_id, enrollment_ids = make_cohort(trainees=size, role="ops_specialist")
        with app.app_context():
            ids = [db.session.get(Enrollment, e).trainee_id for e in enrollment_ids]
            _unlock_expert(ids)
            teams = [ids] if page == "group" else [ids[i:i + 2] for i in range(0, size, 2)]
            for n, members in enumerate(teams):
                group = capstone.create_group(db.session, db.session.get(User, admin.id),
                                              db.session.get(Cohort, cohort_id),
                                              capstone.GroupInput(f"G{size}-{n}", "ticket-attribution", members))
                for trainee_id in members:
                    user = db.session.get(User, trainee_id)
                    work.record_milestone(db.session, user, group, "framing", "进展")
                    work.save_group_work(db.session, user, group, ANSWERS, "我的部分", submit=False)
                work.save_group_work(db.session, db.session.get(User, members[0]), group, ANSWERS, "我的部分",
                                     submit=page == "admin")
            db.session.commit()
            member = db.session.get(User, ids[0])
            group_id = group.id
            db.session.expunge_all()
        if page == "group":
            _login(client, member)
            url = f"/me/capstone/groups/{group_id}"
        else:
            _login(client, admin)
            url = f"/admin/cohorts/{cohort_id}/capstone"
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts.append(len(counter.statements))
    assert counts[0] == counts[1], counts


# --- course files -----------------------------------------------------------------------

CAPSTONE_FILE = "courses/expert/capstone/capstone-project/course.yaml"


def test_course_check_names_a_bad_group_block(app, tmp_path):
    import shutil

    import yaml
    from flask_babel import force_locale

    from lms.services.catalog_files import load_catalog
    from tests.conftest import COURSES_DIR

    root = tmp_path / "courses"
    shutil.copytree(COURSES_DIR, root)
    path = root.parent / CAPSTONE_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    group = data["assessments"][0]["group"]
    group["max_members"] = 9
    group["milestones"][2]["week"] = 14
    del group["problems"][0]["deliver"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with app.app_context(), force_locale("en"):
        _, problems = load_catalog(root)
    text = [str(p) for p in problems]
    assert f"{CAPSTONE_FILE}: assessments[0].group.max_members: must be a whole number from 2 to 6" in text
    assert f"{CAPSTONE_FILE}: assessments[0].group.problems[0].deliver: is missing" in text
    late = "courses/program.yaml: schedule: expert/capstone: milestone final in week 14"
    assert any(t.startswith(late) for t in text), text


def test_the_capstone_runs_alongside_the_expert_tracks_without_an_overlap(parsed_courses):
    spec, problems = parsed_courses
    assert problems == []
    track = dict(spec.tracks())["expert/capstone"]
    assert track.alongside and (track.start_week, track.end_week) == (11, 13)
    for role in ("ai_trainer", "ops_specialist", "ux_architect"):
        assert "expert/capstone" in [ref for ref, _ in spec.tracks_for_role(role)]
    assert "expert/capstone" not in [ref for ref, _ in spec.tracks_for_role("collab_cs")]


def test_milestone_status_is_late_or_overdue_by_the_cohort_calendar():
    from datetime import date, datetime

    from lms.services.clock import Due

    m = work.Milestone("framing", {}, {}, Due(11, date(2026, 11, 22)))
    assert m.status(date(2026, 11, 20), "Asia/Shanghai") == "open"
    assert m.status(date(2026, 11, 23), "Asia/Shanghai") == "overdue"
    m.notes = [SimpleNamespace(created_at=datetime(2026, 11, 22, 15, 0))]  # 23:00 in Shanghai: on time
    assert m.status(date(2026, 11, 30), "Asia/Shanghai") == "done"
    m.notes = [SimpleNamespace(created_at=datetime(2026, 11, 22, 17, 0))]  # 01:00 the next day there
    assert m.status(date(2026, 11, 30), "Asia/Shanghai") == "late"


def test_only_a_members_mentor_grades_the_group_work(app, client, team, make_user):
    stranger = make_user("mentor", mentor_kind="ai", capacity=5)
    with app.app_context():
        submission_id = _submit(team, _group(team)).id
    _login(client, stranger)
    assert client.get(f"/mentor/submissions/{submission_id}").status_code == 403
    _login(client, team.admin)
    assert client.post_form(f"/mentor/submissions/{submission_id}", {}).status_code == 403


def test_group_policies_need_no_http(app_ctx, team):
    from lms.permissions import authors, may_read_submission, may_work_in_group, submission_coaches

    group = _group(team)
    member, outsider = (db.session.get(User, i) for i in (team.trainee_ids[0], team.trainee_ids[2]))
    assert may_work_in_group(member, group) and not may_work_in_group(outsider, group)
    assert not may_work_in_group(db.session.get(User, team.admin.id), group)
    submission = _submit(team, group)
    assert authors(submission) == set(group.member_ids)
    coaches = submission_coaches(db.session, submission)
    assert {a.mentor_id for a in coaches} == {team.ai.id, team.biz.id}
    assert may_read_submission(db.session.get(User, group.member_ids[1]), submission, coaches)
    assert not may_read_submission(outsider, submission, coaches)


def test_demo_capstone_is_idempotent(app):
    from lms.services.demo_capstone import ensure_demo_capstone
    from tests.demo_data import load_demo

    cohort_id = load_demo(app)
    with app.app_context():
        ensure_demo_capstone(db.session, db.session.get(Cohort, cohort_id))
        db.session.commit()
        groups = db.session.scalars(sa.select(CapstoneGroup)).all()
        assert len(groups) == 1 and len(groups[0].members) == 3
        notes = work.milestones(db.session, groups[0])[0].notes  # only a member past the locked tiers writes one
        assert all(progress.tier_open(progress.tier_states(
            progress.role_outline(db.session, groups[0].cohort.program, "ai_trainer"),
            progress.passed_assessment_ids(db.session, n.author_id), set()), groups[0].assessment.course.track.tier_id)
            for n in notes)


def test_a_withdrawn_members_statement_is_not_waited_for(app_ctx, team):
    from datetime import date

    from lms.services import cohorts

    group = _group(team, members=3)
    gone = db.session.scalar(sa.select(Enrollment).where(Enrollment.trainee_id == group.member_ids[2]))
    cohorts.withdraw(db.session, db.session.get(User, team.admin.id), gone, "调岗", date(2026, 11, 1))
    for trainee_id in group.member_ids[:2]:
        work.save_group_work(db.session, db.session.get(User, trainee_id), group, ANSWERS, "我的部分", submit=False)
    submission, _ = work.save_group_work(db.session, db.session.get(User, group.member_ids[0]), group, ANSWERS,
                                         "我的部分", submit=True)
    assert submission.state == SubmissionState.SUBMITTED


# --- the shared draft: concurrency, refusals at the top, the locked tier ---------------------------

def _hidden(html, name):
    import re

    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _work_post(client, group_id, page_html, statement, submit=False, **answers):
    data = {f"f_{k}": v for k, v in {**ANSWERS, **answers}.items()}
    data.update(statement=statement, draft_id=_hidden(page_html, "draft_id"), version=_hidden(page_html, "version"))
    data["submit_work" if submit else "save"] = "1"
    return client.post_form(f"/me/capstone/groups/{group_id}/work", data)


def test_a_stale_group_draft_is_refused_with_409_and_keeps_what_the_member_typed(app, client, team):
    with app.app_context():
        group = _group(team)
        group_id = group.id
        a, b = (db.session.get(User, i) for i in group.member_ids)
        db.session.expunge_all()
    _login(client, a)
    page_a = client.get(f"/me/capstone/groups/{group_id}").get_data(as_text=True)
    _login(client, b)
    page_b = client.get(f"/me/capstone/groups/{group_id}").get_data(as_text=True)  # loaded before A saves
    _login(client, a)
    assert _work_post(client, group_id, page_a, "A 的陈述", launch_plan="A 写的上线计划").status_code == 302
    _login(client, b)
    stale = _work_post(client, group_id, page_b, "B 的陈述", problem_framing="B 改的问题界定")
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "B 改的问题界定" in html and "B 的陈述" in html  # what B typed is kept
    assert 'id="conflict"' in html and 'role="alert"' in html and "A 写的上线计划" in html  # the saved version
    with app.app_context():
        draft = work.group_attempts(db.session, db.session.get(CapstoneGroup, group_id)).draft
        assert draft.answers["launch_plan"] == "A 写的上线计划"  # A's text survives
        assert draft.answers["problem_framing"] == ANSWERS["problem_framing"]
        assert set(work.statements(db.session, draft)) == {a.id}
    # the re-rendered page carries the new version: saving again is deliberate and lands
    again = _work_post(client, group_id, html, "B 的陈述", problem_framing="B 改的问题界定",
                       launch_plan="A 写的上线计划")
    assert again.status_code == 302
    with app.app_context():
        draft = work.group_attempts(db.session, db.session.get(CapstoneGroup, group_id)).draft
        texts = {i: s.text for i, s in work.statements(db.session, draft).items()}
        assert texts == {a.id: "A 的陈述", b.id: "B 的陈述"}  # B's save left A's statement alone
    _login(client, a)  # a submit from A's stale page does not hand in old content for the group
    refused = _work_post(client, group_id, page_a, "A 的陈述", submit=True)
    assert refused.status_code == 409
    with app.app_context():
        assert work.group_attempts(db.session, db.session.get(CapstoneGroup, group_id)).draft is not None


def test_a_refused_capstone_submit_lists_what_blocks_it_in_an_alert_at_the_top_and_keeps_the_draft(
        app, client, team):
    with app.app_context():
        group = _group(team)
        group_id = group.id
        a, b = (db.session.get(User, i) for i in group.member_ids)
        db.session.expunge_all()
    _login(client, a)
    page = client.get(f"/me/capstone/groups/{group_id}").get_data(as_text=True)
    missing = _work_post(client, group_id, page, "A 的陈述", submit=True, launch_plan="新的上线计划")
    html = missing.get_data(as_text=True)
    assert missing.status_code == 400
    top = html.index('id="blockers"')
    assert top < html.index('id="problem"') and 'role="alert"' in html[top - 80:top + 80]
    assert 'tabindex="-1"' in html[top - 80:top + 80] and 'href="#statements"' in html and b.name in html
    with app.app_context():  # saved as a draft, not submitted
        draft = work.group_attempts(db.session, db.session.get(CapstoneGroup, group_id)).draft
        assert draft.answers["launch_plan"] == "新的上线计划"
    _login(client, b)
    page = client.get(f"/me/capstone/groups/{group_id}").get_data(as_text=True)
    assert _work_post(client, group_id, page, "B 的陈述").status_code == 302
    page = client.get(f"/me/capstone/groups/{group_id}").get_data(as_text=True)
    short = _work_post(client, group_id, page, "B 的陈述", submit=True, risk_boundaries="太短")
    html = short.get_data(as_text=True)
    assert short.status_code == 400 and 'id="blockers"' in html and 'href="#f_risk_boundaries"' in html
    assert "太短" in html


def test_the_capstone_page_shows_the_locked_tier_and_refuses_work_and_milestones_while_locked(
        app, client, make_cohort, make_user):
    admin = make_user("admin")
    cohort_id, enrollment_ids = make_cohort(trainees=2, role="ai_trainer")
    with app.app_context():
        ids = [db.session.get(Enrollment, e).trainee_id for e in enrollment_ids]
        group = capstone.create_group(db.session, db.session.get(User, admin.id), db.session.get(Cohort, cohort_id),
                                      capstone.GroupInput("Locked", "handoff-threshold", ids))
        db.session.commit()
        group_id, member = group.id, db.session.get(User, ids[0])
        db.session.expunge_all()
    _login(client, member)
    page = client.get(f"/me/capstone/groups/{group_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="locked"' in html
    assert 'name="submit_work"' not in html and "/milestones/" not in html and 'id="answer-form"' not in html
    note = client.post_form(f"/me/capstone/groups/{group_id}/milestones/framing", {"framing-text": "进展"})
    assert note.status_code == 403 and 'id="locked"' in note.get_data(as_text=True)
    saved = client.post_form(f"/me/capstone/groups/{group_id}/work", {"save": "1", "statement": "x"})
    assert saved.status_code == 403
    with app.app_context():
        assert work.milestones(db.session, db.session.get(CapstoneGroup, group_id))[0].notes == []
        with pytest.raises(DomainError):
            work.record_milestone(db.session, db.session.get(User, member.id),
                                  db.session.get(CapstoneGroup, group_id), "framing", "进展")
        assert db.session.scalar(sa.select(Submission.id).where(Submission.group_id == group_id)) is None


def test_group_work_is_named_as_the_groups_on_grading_review_audit_and_notifications(app, client, team):
    from lms.models import Notification

    with app.app_context():
        group = _group(team)
        submission = _submit(team, group)
        submission_id = submission.id
        names = [db.session.get(User, i).name for i in group.member_ids]
        grading.grade(db.session, db.session.get(User, team.ai.id), submission, submission.version,
                      _full_marks(submission), "好")
        db.session.commit()
        waiting = db.session.scalars(sa.select(Notification).where(Notification.submission_id == submission_id,
                                                                   Notification.kind == "submission_waiting")).all()
        assert waiting and all(n.params["trainee"] == "Team A" and n.params["members"] == names for n in waiting)
    group_label = f"Group Team A ({', '.join(names)})"
    _login(client, team.ai)  # users speak English unless told otherwise
    html = client.get(f"/mentor/submissions/{submission_id}").get_data(as_text=True)
    assert group_label in html
    assert group_label in client.get("/notifications").get_data(as_text=True)
    _login(client, team.admin)
    html = client.get(f"/admin/submissions/{submission_id}").get_data(as_text=True)
    crumbs = html[html.index('class="breadcrumb"'):html.index("</ol>")]
    assert group_label in crumbs and "#group-" in crumbs
    assert group_label in html[html.index('id="author"'):]
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert f"of {group_label}" in audit


def test_a_trainee_whose_role_has_no_expert_tier_is_not_told_to_wait_for_a_group(app, client, make_cohort):
    _, (collab,) = make_cohort(trainees=1, role="collab_cs")
    _, (expert,) = make_cohort(trainees=1, role="ai_trainer")
    with app.app_context():
        users = [db.session.get(Enrollment, e).trainee for e in (collab, expert)]
        db.session.expunge_all()
    _login(client, users[0])
    html = client.get("/me/capstone").get_data(as_text=True)
    assert 'id="not-in-role"' in html and "not in a capstone group yet" not in html
    _login(client, users[1])
    assert "not in a capstone group yet" in client.get("/me/capstone").get_data(as_text=True)


def test_capstone_and_baseline_lines_use_the_locales_separators(app, client, team):
    with app.app_context():
        group = _group(team)
        names = [db.session.get(User, i).name for i in group.member_ids]
        member = db.session.get(User, group.member_ids[0])
        member_id, group_id = member.id, group.id
    _login(client, member)
    html = client.get(f"/me/capstone/groups/{group_id}").get_data(as_text=True)
    assert f"Members: {', '.join(names)}" in html and "、" not in html
    with app.app_context():
        db.session.get(User, member_id).locale = "zh_CN"
        db.session.commit()
    html = client.get(f"/me/capstone/groups/{group_id}").get_data(as_text=True)
    assert f"成员：{'、'.join(names)}" in html and "课题：" in html
    _login(client, team.admin)
    html = client.get(f"/admin/cohorts/{team.cohort_id}/capstone").get_data(as_text=True)
    assert f"Members: {', '.join(names)}" in html
