"""Role-specific tracks: a schedule entry's `roles:` decides who takes a track; everything
that works out what a trainee needs follows it. And readiness against a role's model."""

import copy
from datetime import date

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Competency, Enrollment, Program, Submission, SubmissionState, Tier, Track, User
from lms.services import dashboards, progress, trainee_record
from lms.services.catalog_sync import sync_spec
from lms.services.outline import for_role, roles_by_track
from lms.services.readiness import ReadinessRow, readiness

ROLE_TRACK = ("foundation", "ecommerce-essentials")  # made an ai_trainer-only track below


@pytest.fixture
def role_catalog(app, catalog, parsed_courses):
    """The shipped catalogue with foundation/ecommerce-essentials taken by ai_trainer only."""
    spec = copy.deepcopy(parsed_courses[0])
    tier = next(t for t in spec.tiers if t.code == ROLE_TRACK[0])
    next(t for t in tier.tracks if t.code == ROLE_TRACK[1]).roles = ["ai_trainer"]
    with app.app_context():
        report = sync_spec(db.session, spec, [])
        assert report.ok
        db.session.commit()
    return catalog


def _track(code: str) -> Track:
    return db.session.scalar(sa.select(Track).where(Track.code == code))


def _pass_required(trainee_id: int, tracks) -> None:
    for track in tracks:
        for course in track.courses:
            for a in course.assessments:
                if a.required:
                    db.session.add(Submission(trainee_id=trainee_id, assessment_id=a.id,
                                              state=SubmissionState.GRADED, passed=True))
    db.session.commit()


def _enrollment(make_cohort, role: str) -> int:
    _cohort, (enrollment_id,) = make_cohort(trainees=1, role=role, start=date(2026, 9, 7))
    return enrollment_id


def test_sync_stores_the_roles_of_a_track(app, role_catalog):
    with app.app_context():
        assert _track(ROLE_TRACK[1]).roles == ["ai_trainer"]
        assert _track("agent-operations").roles == []
        program = db.session.get(Program, role_catalog)
        by_track = roles_by_track(program, progress.load_outline(db.session, program))
        assert by_track[_track(ROLE_TRACK[1]).id] == ["ai_trainer"]
        assert by_track[_track("agent-operations").id] == list(program.roles)
        assert "collab_cs" not in by_track[_track("risk-governance").id]  # not in collab_cs's tiers


def test_outline_for_a_role_keeps_only_its_tracks(app, role_catalog):
    with app.app_context():
        tiers = progress.load_outline(db.session, db.session.get(Program, role_catalog))
        foundation = lambda ts: [t.code for t in ts[0].tracks]  # noqa: E731
        assert ROLE_TRACK[1] in foundation(for_role(tiers, "ai_trainer"))
        assert ROLE_TRACK[1] not in foundation(for_role(tiers, "collab_cs"))
        assert ROLE_TRACK[1] in foundation(for_role(tiers, None))
        assert [t.id for t in for_role(tiers, "collab_cs")] == [t.id for t in tiers]


def test_advanced_opens_on_the_tracks_the_role_takes(app, role_catalog, make_cohort):
    """A collab_cs trainee does not need the ai_trainer-only track's assessments to open advanced."""
    enrollment_id = _enrollment(make_cohort, "collab_cs")
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        _pass_required(enrollment.trainee_id, [_track("agent-operations")])
        program = enrollment.cohort.program
        passed = progress.passed_assessment_ids(db.session, enrollment.trainee_id)
        mine = progress.tier_states(progress.role_outline(db.session, program, "collab_cs"), passed, set())
        assert [s.unlocked for s in mine][:2] == [True, True]
        everyone = progress.tier_states(progress.load_outline(db.session, program), passed, set())
        assert [s.unlocked for s in everyone][:2] == [True, False]
        advanced = db.session.scalar(sa.select(Tier).where(Tier.code == "advanced"))
        progress.ensure_tier_open(db.session, enrollment.trainee_id, advanced)  # no DomainError


def test_the_other_role_still_needs_its_track_to_open_advanced(app, role_catalog, make_cohort):
    enrollment_id = _enrollment(make_cohort, "ai_trainer")
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        _pass_required(enrollment.trainee_id, [_track("agent-operations")])
        states = progress.tier_states(progress.role_outline(db.session, enrollment.cohort.program, "ai_trainer"),
                                      progress.passed_assessment_ids(db.session, enrollment.trainee_id), set())
        assert [s.unlocked for s in states][:2] == [True, False]


def test_due_items_progress_record_and_mentor_home_leave_out_other_roles_tracks(app, role_catalog, make_cohort):
    enrollment_id = _enrollment(make_cohort, "collab_cs")
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        role_track = _track(ROLE_TRACK[1])
        theirs = {a.id for c in role_track.courses for a in c.assessments}
        their_lessons = {lesson.id for c in role_track.courses for lesson in c.lessons}
        program = enrollment.cohort.program
        outline = dashboards.Outline(program, progress.load_outline(db.session, program))
        today = date(2026, 12, 20)  # after every due date: everything open is overdue
        items = dashboards.due_items(outline, enrollment, set(), today, "Asia/Shanghai")
        assert items and not {i.assessment.id for i in items} & theirs
        assert not outline.lesson_ids("collab_cs") & their_lessons
        assert their_lessons <= outline.lesson_ids("ai_trainer")

        home = dashboards.trainee_home(db.session, db.session.get(User, enrollment.trainee_id), today, "Asia/Shanghai")
        assert not {i.assessment.id for i in home.overdue} & theirs
        assert home.next_step is not None and home.next_step.id not in theirs | their_lessons
        needed = [t for t in outline.needed_tiers("collab_cs")]
        lessons = sum(len(c.lessons) for t in needed for tr in t.tracks for c in tr.courses)
        required = sum(1 for t in needed for tr in t.tracks for c in tr.courses for a in c.assessments if a.required)
        assert home.overall.total == lessons + required

        record = trainee_record.trainee_record(db.session, enrollment, today, "Asia/Shanghai")
        assert not {row.course.id for row in record.courses} & {c.id for c in role_track.courses}
        assert not {i.assessment.id for i in record.overdue} & theirs


def test_mentor_home_counts_only_the_roles_lessons(app, role_catalog, make_cohort, make_user):
    from lms.models import Cohort
    from lms.services import mentoring

    mentor = make_user("mentor", mentor_kind="ai", capacity=50)
    make_user("mentor", mentor_kind="business", capacity=50)
    cohort_id, _ids = make_cohort(trainees=1, role="collab_cs")
    with app.app_context():
        mentoring.auto_assign(db.session, None, db.session.get(Cohort, cohort_id))
        db.session.commit()
        program = db.session.get(Program, role_catalog)
        outline = dashboards.Outline(program, progress.load_outline(db.session, program))
        groups = dashboards.mentor_home(db.session, db.session.get(User, mentor.id), date(2026, 9, 20), "Asia/Shanghai")
        (row,) = groups[0].rows
        assert row.progress.total == len(outline.lesson_ids("collab_cs"))
        assert row.progress.total < len(outline.lesson_ids("ai_trainer"))


# --- readiness against the role's competency model -------------------------------------


class _Program:
    def __init__(self, levels):
        self.levels = levels

    def required_levels(self, role):
        return self.levels


def test_readiness_exactly_at_the_required_level_is_ready():
    rows = readiness(_Program({"data_processing": 70}), "ai_trainer", {Competency.DATA_PROCESSING: 70.0})
    assert rows == [ReadinessRow(Competency.DATA_PROCESSING, 70, 70.0)]
    assert rows[0].ready and rows[0].gap == 0


def test_readiness_just_below_the_required_level_shows_the_gap():
    (row,) = readiness(_Program({"tool_use": 80}), "ai_trainer", {Competency.TOOL_USE: 79.9})
    assert not row.ready and row.gap == 0.1


def test_readiness_with_nothing_graded_has_the_whole_level_to_go():
    (row,) = readiness(_Program({"communication": 65}), "collab_cs", {Competency.COMMUNICATION: None})
    assert not row.ready and row.gap == 65


def test_readiness_follows_the_shipped_role_model(app, catalog):
    with app.app_context():
        program = db.session.get(Program, catalog)
        rows = readiness(program, "ai_trainer", dict.fromkeys(Competency, 100.0))
        assert [r.competency for r in rows] == list(Competency)
        assert all(r.ready for r in rows)
        assert {r.competency.value: r.required for r in rows} == program.roles["ai_trainer"]["competencies"]


def _graded_at_full_data_processing(app, t) -> None:
    """A graded drill: its data processing criterion at the top level, the rest at 0; and the
    trainee's role asking for exactly 100% data processing."""
    from lms.models import Assessment, Grade, MentorKind

    with app.app_context():
        drill = db.session.scalar(sa.select(Assessment).where(Assessment.code == "dashboard-anomaly-drill"))
        points = {c.code: (c.max_points if c.competency == Competency.DATA_PROCESSING else 0) for c in drill.criteria}
        submission = Submission(trainee_id=t.trainee.id, assessment_id=drill.id, attempt_no=1,
                                state=SubmissionState.GRADED, passed=False, score=40.0, answers={}, checks=[])
        db.session.add(submission)
        db.session.flush()
        db.session.add(Grade(submission_id=submission.id, mentor_id=t.ai.id, kind=MentorKind.AI, points=points,
                             score=40.0, passed=False, feedback="-"))
        program = db.session.scalar(sa.select(Program))
        roles = copy.deepcopy(program.roles)
        roles["collab_cs"]["competencies"]["data_processing"] = 100
        program.roles = roles
        db.session.commit()


def _readiness_html(html: str) -> str:
    start = html.index('id="role-readiness"')
    return html[start:html.index("</table>", start)]


def test_trainee_home_and_record_show_readiness_at_the_boundary(app, trainee_with_mentors, client):
    from tests.conftest import login

    t = trainee_with_mentors
    _graded_at_full_data_processing(app, t)
    login(client, t.trainee)
    mine = _readiness_html(client.get("/me/").get_data(as_text=True))
    assert mine.count('badge text-bg-success') == 1  # data processing: 100.0% of 100%, ready
    assert mine.count('badge text-bg-warning') == 3
    assert "100.0%" in mine
    login(client, t.ai)
    record = _readiness_html(client.get(f"/mentor/trainees/{t.enrollment_id}").get_data(as_text=True))
    assert record.count('badge text-bg-success') == 1 and record.count('badge text-bg-warning') == 3


def test_catalogue_marks_the_roles_of_each_tier_and_track(app, role_catalog, login_as):
    client, _admin = login_as("admin")  # reads English
    html = client.get("/catalog/").get_data(as_text=True)
    assert html.count('class="border rounded p-3 h-100 role-package"') == 4
    with app.app_context():
        program = db.session.get(Program, role_catalog)
        titles = {code: role["title"]["en"] for code, role in program.roles.items()}
        only_ai = _track(ROLE_TRACK[1]).title["en"]
        everyone = _track("agent-operations").title["en"]

    def taken_by(track_title):
        start = html.index('class="small mb-2 track-roles"', html.index(track_title))
        return html[start:html.index("</div>", start)]

    assert taken_by(only_ai).count("badge") == 1 and titles["ai_trainer"] in taken_by(only_ai)
    assert all(title in taken_by(everyone) for title in titles.values())
    assert "ecommerce-essentials" not in html and "ai_trainer" not in html  # codes never reach the page


@pytest.mark.parametrize("role, shown", [("collab_cs", False), ("ai_trainer", True)])
def test_trainee_catalogue_lists_the_tracks_of_the_trainees_role(app, role_catalog, make_cohort, client, role, shown):
    from tests.conftest import login

    enrollment_id = _enrollment(make_cohort, role)
    with app.app_context():
        trainee = db.session.get(Enrollment, enrollment_id).trainee
        title = _track(ROLE_TRACK[1]).title[trainee.locale]
        db.session.expunge(trainee)
    login(client, trainee)
    html = client.get("/me/catalog").get_data(as_text=True)
    assert 'id="role-note"' in html
    assert (title in html) is shown
