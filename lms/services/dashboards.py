"""What the home pages show, computed in a fixed number of queries per page
(never one query per trainee)."""

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload, selectinload

from lms.models import (
    BaselineRating,
    BaselineSource,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    LessonProgress,
    MentorAssignment,
    MentorKind,
    Placement,
    Program,
    Submission,
    SubmissionState,
    TrainingOutcome,
    TrainingOutcomeKind,
    User,
)
from lms.models.capstone import credited_select
from lms.services import clock, diagnostic, enrollment_state, grading, mentoring, progress
from lms.services.cohorts import CURRENT_FIRST
from lms.services.diagnostic import HomeDiagnostic
from lms.services.outline import OutlineAssessment, OutlineTier, for_role, rubrics
from lms.services.people import name_or_email_contains
from lms.services.readiness import ReadinessRow, readiness


@dataclass
class DueItem:
    assessment: OutlineAssessment
    due: clock.Due
    status: str  # waiting (submitted, not graded yet) | overdue | this_week | later
    locked: bool = False  # its tier is not open yet: shown, but not a link that would answer 403


@dataclass
class Outline:
    """A program's live tiers, with what each target role needs."""

    program: Program
    tiers: Sequence[OutlineTier]
    _memo: dict = field(default_factory=dict, repr=False)  # per role (and cohort start), built once

    def role_tiers(self, role: str) -> tuple[OutlineTier, ...]:
        """Every tier, each with only the tracks the role takes (built once per role)."""
        key = ("tiers", role)
        if key not in self._memo:
            self._memo[key] = for_role(self.tiers, role)
        return self._memo[key]

    def needed_tiers(self, role: str) -> list[OutlineTier]:
        """The tiers the role needs, each with only the tracks it takes."""
        codes = self.program.tiers_for_role(role)
        return [t for t in self.role_tiers(role) if t.code in codes]

    def lesson_ids(self, role: str) -> set[int]:
        return {lesson.id for tier in self.needed_tiers(role) for track in progress.live(tier.tracks)
                for course in progress.live(track.courses) for lesson in progress.live(course.lessons)}

    def assessments_with_due(self, role: str, start: date) -> list[tuple[OutlineAssessment, clock.Due]]:
        key = (role, start)  # a mentor's trainees share a few roles and cohorts: work them out once
        if key not in self._memo:
            self._memo[key] = self._assessments_with_due(role, start)
        return self._memo[key]

    def _assessments_with_due(self, role: str, start: date) -> list[tuple[OutlineAssessment, clock.Due]]:
        return [(a, clock.due_for_week(start, track.end_week))
                for tier in self.needed_tiers(role) for track in progress.live(tier.tracks)
                for course in progress.live(track.courses) for a in progress.live(course.assessments)]


COMING_UP_DAYS = 14


def due_items(outline: Outline, enrollment: Enrollment, passed: set[int], today: date, timezone: str,
              waiting: frozenset[int] = frozenset()) -> list[DueItem]:
    """Work not passed yet; handed-in work waiting for a grade is never overdue: the trainee did their
    part. Work due before the trainee joined is due `clock.CATCH_UP_DAYS` after they joined."""
    joined = clock.joined_on(enrollment.created_at, timezone)
    items = []
    for assessment, due in outline.assessments_with_due(enrollment.target_role, enrollment.cohort.start_date):
        if assessment.id in passed:
            continue
        due = clock.catch_up(due, joined)
        items.append(DueItem(assessment, due, "waiting" if assessment.id in waiting else due.status(today)))
    return items


def coming_up(items: list[DueItem], today: date) -> list[DueItem]:
    """Open work due from today to COMING_UP_DAYS ahead, soonest first."""
    horizon = today + timedelta(days=COMING_UP_DAYS)
    return sorted((i for i in items if i.status in ("this_week", "later") and today <= i.due.date <= horizon),
                  key=lambda i: i.due.date)


# --- trainee ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MentorContact:
    id: int  # the HR API's trainee progress names the mentor by id
    name: str
    email: str


@dataclass
class TraineeHome:
    enrollment: Optional[Enrollment]
    week: int = 0
    days_to_start: int = 0
    phase: Optional[clock.Phase] = None
    mentors: dict[MentorKind, Optional[MentorContact]] = field(default_factory=dict)
    coming_up: list[DueItem] = field(default_factory=list)
    waiting: list[DueItem] = field(default_factory=list)
    overdue: list[DueItem] = field(default_factory=list)
    next_step: Optional[progress.Step] = None  # "continue where you left off"
    overall: progress.Progress = field(default_factory=progress.Progress)
    states: list[progress.TierState] = field(default_factory=list)
    scores: dict = field(default_factory=dict)  # competency → attainment % (None: nothing graded yet)
    baselines: dict = field(default_factory=dict)  # competency → intake %
    readiness: list[ReadinessRow] = field(default_factory=list)  # against the target role's model
    diagnostic: HomeDiagnostic = HomeDiagnostic(False, False)  # the intake diagnostic's prompt or link

    @property
    def next_is_assessment(self) -> bool:
        return isinstance(self.next_step, OutlineAssessment)


# The trainee home's selects, built once (see grading.attainment). Its current enrollment (as
# `cohorts.current_enrollment` orders them) with cohort and program, each kind's current mentor
# (at most one open assignment per kind: uq_mentor_assignments_open, so no row repeats) and
# the diagnostic's two facts, in one statement: no assignment or mentor objects, and none of the
# two statements more that they and the diagnostic took.
def _home_enrollment() -> sa.Select:
    query = CURRENT_FIRST.options(contains_eager(Enrollment.cohort).joinedload(Cohort.program))
    for kind in (MentorKind.AI, MentorKind.BUSINESS):
        assignment = aliased(MentorAssignment, name=f"home_{kind.value}")
        mentor = aliased(User, name=f"home_{kind.value}_mentor")
        query = (query.add_columns(mentor.id, mentor.name, mentor.email)
                 .outerjoin(assignment, sa.and_(assignment.enrollment_id == Enrollment.id, assignment.kind == kind,
                                                assignment.ended_at.is_(None)))
                 .outerjoin(mentor, mentor.id == assignment.mentor_id))
    return query.add_columns(*diagnostic.home_facts(Cohort.program_id, Enrollment.id))


_HOME_ENROLLMENT = _home_enrollment()
# two columns, not the rating objects; whether there are any also says whether a baseline is recorded
_BASELINES = (sa.select(BaselineRating.competency, BaselineRating.score)
              .where(BaselineRating.enrollment_id == sa.bindparam("enrollment_id", type_=sa.Integer)))


def trainee_home(session: Session, trainee: User, today: date, timezone: str) -> TraineeHome:
    row = session.execute(_HOME_ENROLLMENT, {"trainee_id": trainee.id}).first()
    if row is None:
        return TraineeHome(None)
    (enrollment, ai_id, ai_name, ai_email, business_id, business_name, business_email, live_diagnostic,
     diagnostic_taken) = row
    cohort = enrollment.cohort
    tiers = progress.load_outline(session, cohort.program)
    outline = Outline(cohort.program, tiers)
    # every attempt of theirs (and their groups') once: where each assessment stands, and the attainment
    work = grading.trainee_work(session, trainee.id)
    statuses = progress.statuses_of((w.assessment_id, w.state, w.passed) for w in work)
    passed = {a for a, status in statuses.items() if status == "passed"}
    waiting = frozenset(a for a, status in statuses.items() if status == "waiting")
    completed = progress.completed_lesson_ids(session, trainee.id)
    items = due_items(outline, enrollment, passed, today, timezone, waiting)
    states = progress.tier_states(outline.role_tiers(enrollment.target_role), passed, completed,
                                  cohort.program.tiers_for_role(enrollment.target_role))
    scores = grading.attainment_of(
        session, [trainee.id], ((w.id, trainee.id, w.assessment_id, w.points)
                                for w in work if w.state == SubmissionState.GRADED), rubrics(tiers))[trainee.id]
    locked_tiers = {state.tier.id for state in states if not state.unlocked}
    for item in items:
        item.locked = item.assessment.course.track.tier_id in locked_tiers
    baselines = dict(session.execute(_BASELINES, {"enrollment_id": enrollment.id}).all())
    return TraineeHome(
        enrollment=enrollment,
        week=clock.week_of(cohort.start_date, today),
        days_to_start=clock.days_to_start(cohort.start_date, today),
        phase=clock.phase(cohort.start_date, today, cohort.closed_at is not None, cohort.program.weeks),
        mentors={MentorKind.AI: MentorContact(ai_id, ai_name, ai_email) if ai_name is not None else None,
                 MentorKind.BUSINESS: (MentorContact(business_id, business_name, business_email)
                                       if business_name is not None else None)},
        coming_up=coming_up(items, today),
        waiting=[i for i in items if i.status == "waiting"],
        overdue=[i for i in items if i.status == "overdue"],
        next_step=progress.next_step(states, completed, statuses),
        overall=progress.overall_progress(states),
        states=states,
        scores=scores,
        baselines=baselines,
        readiness=readiness(cohort.program, enrollment.target_role, scores),
        diagnostic=diagnostic.home_diagnostic(trainee, enrollment, bool(live_diagnostic), bool(diagnostic_taken),
                                              bool(baselines)),
    )


# --- mentor -------------------------------------------------------------------------


@dataclass
class TraineeRow:
    enrollment_id: int
    name: str
    email: str
    progress: progress.Progress
    last_activity: Optional[datetime]
    due_now: int
    overdue: int
    waiting: int  # handed in, not graded yet (never counted as overdue)
    percent: int = 0  # progress.percent, worked out once for the row's bar


@dataclass
class CohortGroup:
    cohort: Cohort
    week: int
    phase: clock.Phase
    rows: list[TraineeRow]
    days_to_start: int = 0


MENTOR_SORTS = ("cohort", "name")


@functools.lru_cache(maxsize=2 * len(MENTOR_SORTS) + 2)
def _mentor_trainees(one_cohort: bool, sort: str) -> sa.Select:
    """The trainees of the mentor given as the parameter `mentor_id` (and of the cohort given as
    `cohort_id`), built once per sort and filter (building a select and working out its cache
    key cost about as much as running it)."""
    query = (sa.select(Enrollment.id, Enrollment.trainee_id, Enrollment.cohort_id, Enrollment.target_role,
                       Enrollment.created_at, User.name, User.email)
             .select_from(Enrollment).join(MentorAssignment).join(User, User.id == Enrollment.trainee_id)
             .where(MentorAssignment.mentor_id == sa.bindparam("mentor_id", type_=sa.Integer),
                    MentorAssignment.ended_at.is_(None)))
    if one_cohort:
        query = query.where(Enrollment.cohort_id == sa.bindparam("cohort_id", type_=sa.Integer))
    order = [User.name] if sort == "name" else [Enrollment.cohort_id, User.name]
    return query.order_by(*order, Enrollment.id)


def mentor_trainees(mentor: User, find: str = "", cohort_id: Optional[int] = None, sort: str = "cohort"
                    ) -> tuple[sa.Select, dict]:
    """A select of the enrollments a mentor coaches now, as the columns `mentor_home` needs (a
    page of plain rows costs a fraction of Enrollment, User, Cohort objects), filtered and sorted
    in SQL, and its parameters; the caller pages it (`list_filters.paginate_rows`) and hands the
    page to `mentor_home`."""
    query = _mentor_trainees(cohort_id is not None, sort if sort in MENTOR_SORTS else "cohort")
    if find:  # a search is built for its request
        query = query.where(name_or_email_contains(find))
    return query, {"mentor_id": mentor.id, "cohort_id": cohort_id}


# The mentor home runs these on every request: built once, the mentor and the page's trainees as
# parameters (building a select and working out its cache key cost about as much as running it).
_TRAINEE_IDS = sa.bindparam("trainee_ids", expanding=True)
_MENTOR_COHORTS = (  # with their programs, which the page's outlines need
    sa.select(Cohort).options(joinedload(Cohort.program))
    .where(Cohort.id.in_(sa.select(Enrollment.cohort_id).join(MentorAssignment)
                         .where(MentorAssignment.mentor_id == sa.bindparam("mentor_id", type_=sa.Integer),
                                MentorAssignment.ended_at.is_(None))))
    .order_by(Cohort.start_date.desc(), Cohort.id))
# a capstone group's work counts for each member
_PASSED_OR_WAITING = credited_select(
    _TRAINEE_IDS, Submission.assessment_id, Submission.passed,
    where=[sa.or_(Submission.passed.is_(True), Submission.state == SubmissionState.SUBMITTED)])
_LESSONS_DONE = (sa.select(LessonProgress.trainee_id, LessonProgress.lesson_id)
                 .where(LessonProgress.trainee_id.in_(_TRAINEE_IDS)))
# The latest lesson done and the latest work touched, both per trainee, in one statement.
_LAST_ACTIVITY = sa.union_all(
    sa.select(LessonProgress.trainee_id, sa.func.max(LessonProgress.completed_at))
    .where(LessonProgress.trainee_id.in_(_TRAINEE_IDS)).group_by(LessonProgress.trainee_id),
    sa.select(Submission.trainee_id, sa.func.max(Submission.updated_at))
    .where(Submission.trainee_id.in_(_TRAINEE_IDS)).group_by(Submission.trainee_id),
)


def mentor_cohorts(session: Session, mentor: User) -> list[Cohort]:
    """The cohorts of the trainees a mentor coaches now (for the filter)."""
    return list(session.scalars(_MENTOR_COHORTS, {"mentor_id": mentor.id}))


def mentor_home(session: Session, mentor: User, today: date, timezone: str, trainees: Optional[list] = None,
                cohorts: Optional[list[Cohort]] = None) -> list[CohortGroup]:
    """Progress rows, grouped by cohort, for `trainees` (a page of `mentor_trainees` rows, with
    `created_at`; all by default) in `cohorts` (`mentor_cohorts`, which the page loads for its
    filter anyway). Due dates as `due_items` works them out, late joiners' catch-up included."""
    if trainees is None:
        trainees = session.execute(*mentor_trainees(mentor)).all()
    if not trainees:
        return []
    cohorts_by_id = {c.id: c for c in (cohorts if cohorts is not None else mentor_cohorts(session, mentor))}
    trainee_ids = [t.trainee_id for t in trainees]
    programs = {cohorts_by_id[t.cohort_id].program for t in trainees}  # loaded with the cohorts
    outlines = {p.id: Outline(p, progress.load_outline(session, p)) for p in programs}
    passed, waiting, completed = defaultdict(set), defaultdict(set), defaultdict(set)
    # Plain columns, a thousand rows or more: read through the session's connection, which skips
    # the ORM's result handling (a third of these selects' time), and fetched all at once
    # (iterating a result fetches row by row: on PostgreSQL a tenth of the page's time).
    connection = session.connection()
    ids = {"trainee_ids": trainee_ids}
    for trainee_id, assessment_id, is_passed in connection.execute(_PASSED_OR_WAITING, ids).all():
        (passed if is_passed else waiting)[trainee_id].add(assessment_id)
    for trainee_id, lesson_id in connection.execute(_LESSONS_DONE, ids).all():
        completed[trainee_id].add(lesson_id)
    last = _last_activity(session, trainee_ids)

    groups: dict[int, CohortGroup] = {}
    lesson_sets: dict[tuple[int, str], set[int]] = {}  # (program, role) → its lessons, built once
    due_sets: dict[tuple[int, str], list[tuple[int, clock.Due, str]]] = {}  # (cohort, role) → (assessment, due, status)
    for t in trainees:
        cohort = cohorts_by_id[t.cohort_id]
        outline = outlines[cohort.program_id]
        group = groups.get(cohort.id)
        if group is None:
            group = groups[cohort.id] = CohortGroup(
                cohort, clock.week_of(cohort.start_date, today),
                clock.phase(cohort.start_date, today, cohort.closed_at is not None, cohort.program.weeks), [],
                clock.days_to_start(cohort.start_date, today))
        key = (cohort.program_id, t.target_role)
        if key not in lesson_sets:
            lesson_sets[key] = outline.lesson_ids(t.target_role)
        lessons = lesson_sets[key]
        due_key = (cohort.id, t.target_role)
        if due_key not in due_sets:  # what `due_items` works out, once per cohort and role
            due_sets[due_key] = [(a.id, due, due.status(today))
                                 for a, due in outline.assessments_with_due(t.target_role, cohort.start_date)]
        counts = defaultdict(int)
        done, handed_in = passed[t.trainee_id], waiting[t.trainee_id]
        joined = clock.joined_on(t.created_at, timezone)
        for assessment_id, due, status in due_sets[due_key]:
            if due.date < joined:  # joined late: this one is due later for them (clock.catch_up)
                status = clock.catch_up(due, joined).status(today)
            if assessment_id not in done:
                counts["waiting" if assessment_id in handed_in else status] += 1
        done = progress.Progress(len(lessons & completed[t.trainee_id]), len(lessons))
        group.rows.append(TraineeRow(
            enrollment_id=t.id, name=t.name, email=t.email, progress=done,
            last_activity=last.get(t.trainee_id),
            due_now=counts["this_week"], overdue=counts["overdue"], waiting=counts["waiting"], percent=done.percent,
        ))
    return list(groups.values())


def _last_activity(session: Session, trainee_ids: list[int]) -> dict[int, datetime]:
    last: dict[int, datetime] = {}
    for trainee_id, at in session.connection().execute(_LAST_ACTIVITY, {"trainee_ids": trainee_ids}).all():
        if at is not None and (trainee_id not in last or at > last[trainee_id]):
            last[trainee_id] = at
    return last


# --- admin --------------------------------------------------------------------------


@dataclass
class CohortSummary:
    """A cohort's line on the admin home and the cohorts page (plain columns, not the ORM rows)."""

    id: int
    code: str
    name: str
    start_date: date
    weeks: int  # its program's
    week: int
    phase: clock.Phase
    active: int
    withdrawn: int
    missing_mentor: int
    days_to_start: int = 0


def cohort_summaries(session: Session, today: date) -> list[CohortSummary]:
    return [
        CohortSummary(
            id=r.id, code=r.code, name=r.name, start_date=r.start_date, weeks=r.weeks,
            week=clock.week_of(r.start_date, today),
            phase=clock.phase(r.start_date, today, r.closed_at is not None, r.weeks),
            active=r.active, withdrawn=r.withdrawn, missing_mentor=r.missing_mentor,
            days_to_start=clock.days_to_start(r.start_date, today),
        )
        for r in session.execute(_COHORT_SUMMARIES)
    ]


ROSTER_SORTS = ("name", "status", "target_role", "enrolled")
# "active": not withdrawn; in training, in buffer, finished: lms/services/enrollment_state.py
ROSTER_STATUSES = ("all", "active", "in_training", "in_buffer", "finished", "withdrawn", "lacking_mentor")


def _lacking_mentor():
    """A trainee in training without a current mentor of one kind or both (SQL, for filters and counts)."""
    def has(kind):
        return sa.exists().where(MentorAssignment.enrollment_id == Enrollment.id, MentorAssignment.kind == kind,
                                 MentorAssignment.ended_at.is_(None))
    return sa.and_(mentoring.in_training(), sa.or_(~has(MentorKind.AI), ~has(MentorKind.BUSINESS)))


# The cohort summaries: every cohort with its program's length and its enrollments counted in one
# pass (active, withdrawn, active without a current mentor of each kind), in one statement that
# takes no parameters, built once (building a select and working out its cache key cost about as
# much as running it). Lacking a mentor is read from two outer joins to the open assignments of
# each kind, at most one row each (the unique index uq_mentor_assignments_open), so no row
# repeats: PostgreSQL hashes each side once where a NOT EXISTS per enrollment probed the index
# twice per row (3–4 ms of the server's time at 2,000 trainees against 1.5).
_OPEN_AI, _OPEN_BUSINESS = (aliased(MentorAssignment, name=f"open_{kind.value}") for kind in MentorKind)


def _open(alias, kind: MentorKind):
    return sa.and_(alias.enrollment_id == Enrollment.id, alias.kind == kind, alias.ended_at.is_(None))


_ACTIVE = Enrollment.status == EnrollmentStatus.ACTIVE
_PLACED = aliased(Placement, name="placed")
_OUTCOME = aliased(TrainingOutcome, name="training_outcome")
_ENROLLMENT_COUNTS = (
    sa.select(Enrollment.cohort_id,
              sa.func.count(Enrollment.id).filter(_ACTIVE).label("active"),
              sa.func.count(Enrollment.id).filter(Enrollment.status == EnrollmentStatus.WITHDRAWN).label("withdrawn"),
              sa.func.count(Enrollment.id).filter(
                  # in training (placing or a final outcome ends the training mentors), as mentoring.in_training
                  enrollment_state.in_training_of(
                      _ACTIVE, _PLACED.id.is_not(None),
                      sa.and_(_OUTCOME.id.is_not(None), _OUTCOME.kind != TrainingOutcomeKind.EXTENDED_TRAINING)),
                  sa.or_(_OPEN_AI.enrollment_id.is_(None), _OPEN_BUSINESS.enrollment_id.is_(None))
              ).label("missing_mentor"))
    .outerjoin(_PLACED, _PLACED.enrollment_id == Enrollment.id)  # at most one (unique)
    .outerjoin(_OUTCOME, _OUTCOME.enrollment_id == Enrollment.id)  # at most one (unique)
    .outerjoin(_OPEN_AI, _open(_OPEN_AI, MentorKind.AI))
    .outerjoin(_OPEN_BUSINESS, _open(_OPEN_BUSINESS, MentorKind.BUSINESS))
    .group_by(Enrollment.cohort_id)
    .subquery("counts"))
_COHORT_SUMMARIES = (
    sa.select(Cohort.id, Cohort.code, Cohort.name, Cohort.start_date, Cohort.closed_at, Program.weeks,
              *(sa.func.coalesce(_ENROLLMENT_COUNTS.c[name], 0).label(name)
                for name in ("active", "withdrawn", "missing_mentor")))
    .join(Program, Program.id == Cohort.program_id)
    .outerjoin(_ENROLLMENT_COUNTS, _ENROLLMENT_COUNTS.c.cohort_id == Cohort.id)
    .order_by(Cohort.start_date.desc(), Cohort.id))


def _current_mentor_name(kind: MentorKind):
    mentor = aliased(User)
    return (sa.select(mentor.name).join(MentorAssignment, MentorAssignment.mentor_id == mentor.id)
            .where(MentorAssignment.enrollment_id == Enrollment.id, MentorAssignment.kind == kind,
                   MentorAssignment.ended_at.is_(None))
            .limit(1).scalar_subquery())


@functools.lru_cache(maxsize=len(ROSTER_STATUSES) * len(ROSTER_SORTS))
def _roster(status: str, sort: str) -> sa.Select:
    """The roster of the cohort given as the parameter `cohort_id`, built once per status and sort
    (building it, subqueries and all, and working out its cache key cost about as much as running it)."""
    def counted(*where):
        return (sa.select(sa.func.count(BaselineRating.id))
                .where(BaselineRating.enrollment_id == Enrollment.id, *where).scalar_subquery())

    baselines = counted()
    from_diagnostic = counted(BaselineRating.source == BaselineSource.DIAGNOSTIC)
    adjusted = counted(BaselineRating.source == BaselineSource.DIAGNOSTIC, BaselineRating.rated_by_id.isnot(None))
    query = (sa.select(Enrollment.id, User.name, User.email, Enrollment.target_role, Enrollment.source_role,
                       (Enrollment.status == EnrollmentStatus.ACTIVE).label("active"), Enrollment.withdrawn_on,
                       Enrollment.withdrawn_reason, _current_mentor_name(MentorKind.AI).label("ai_mentor"),
                       _current_mentor_name(MentorKind.BUSINESS).label("business_mentor"),
                       baselines.label("baselines"), from_diagnostic.label("from_diagnostic"),
                       adjusted.label("adjusted"), (~mentoring.in_training()).label("done_training"),
                       # the facts enrollment_state.state_of reads (the row's status)
                       sa.exists().where(Placement.enrollment_id == Enrollment.id).label("placed"),
                       sa.select(Placement.outcome).where(Placement.enrollment_id == Enrollment.id)
                       .scalar_subquery().label("buffer_outcome"),
                       sa.select(TrainingOutcome.kind).where(TrainingOutcome.enrollment_id == Enrollment.id)
                       .scalar_subquery().label("training_outcome"))
             .join(User, User.id == Enrollment.trainee_id)
             .where(Enrollment.cohort_id == sa.bindparam("cohort_id", type_=sa.Integer)))
    if status == "active":
        query = query.where(Enrollment.status == EnrollmentStatus.ACTIVE)
    elif status == "in_training":
        query = query.where(enrollment_state.in_training())
    elif status == "in_buffer":
        query = query.where(enrollment_state.in_buffer())
    elif status == "finished":
        query = query.where(enrollment_state.finished())
    elif status == "withdrawn":
        query = query.where(Enrollment.status == EnrollmentStatus.WITHDRAWN)
    elif status == "lacking_mentor":
        query = query.where(_lacking_mentor())
    order = {"status": [Enrollment.status], "target_role": [Enrollment.target_role],
             "enrolled": [Enrollment.id]}.get(sort, [])
    return query.order_by(*order, User.name, Enrollment.id)


def cohort_roster(cohort: Cohort, q: str = "", status: str = "all", sort: str = "name") -> tuple[sa.Select, dict]:
    """A select of the roster's rows (only the columns the page shows), filtered and sorted in
    SQL, and its parameters; the caller pages it, so a page costs the same whatever the cohort's size."""
    query = _roster(status if status in ROSTER_STATUSES else "all", sort if sort in ROSTER_SORTS else "name")
    if q:  # a search is built for its request
        query = query.where(name_or_email_contains(q))
    return query, {"cohort_id": cohort.id}


@dataclass
class MissingMentors:
    count: int  # every active trainee of the cohort lacking a mentor
    shown: list  # the first few: (enrollment, [kinds lacking])


def missing_mentors(session: Session, cohort: Cohort, shown: int = 10) -> MissingMentors:
    """Who lacks a mentor, counted in SQL; only the first `shown` are loaded to be named."""
    where = sa.and_(Enrollment.cohort_id == cohort.id, _lacking_mentor())
    count = session.scalar(sa.select(sa.func.count()).select_from(Enrollment).where(where)) or 0
    if not count:
        return MissingMentors(0, [])
    enrollments = session.scalars(
        sa.select(Enrollment).join(User, User.id == Enrollment.trainee_id).where(where)
        .options(selectinload(Enrollment.trainee), selectinload(Enrollment.assignments))
        .order_by(User.name, Enrollment.id).limit(shown)
    ).all()
    return MissingMentors(count, mentoring.missing_mentors(enrollments))

