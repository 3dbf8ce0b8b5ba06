"""Bench data shared by bench/pages.py and bench/load.py: the shipped catalogue, N trainees
in cohorts with two mentors each, and a program's worth of activity.

Rows go in with bulk INSERTs in one transaction (the admin row commits with the rest, so
its presence means the seed is complete), and the password is hashed once, cheaply: the
stored hash names its own method, so logging in checks it cheaply too. Random choices use
a fixed seed: the same parameters give the same data.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import generate_password_hash

from lms.models import (
    Assessment,
    BaselineRating,
    Cohort,
    Competency,
    Enrollment,
    Grade,
    LessonProgress,
    MentorAssignment,
    Notification,
    NotificationKind,
    Submission,
    SubmissionState,
    User,
)
from lms.models.base import utcnow
from lms.services import grading, progress
from lms.services.catalog_sync import sync_catalog
from lms.services.demo_answers import DEMO_ANSWERS, STRONG, WEAK
from lms.services.outline import OutlineLesson
from lms.services.submissions import grader_kinds

PASSWORD = "bench-Kw4m-password"  # nosec B105  # throw-away bench databases only
PASSWORD_HASH = "pbkdf2:sha256:1000"  # nosec B105  # a method name: one cheap hash for every account
ADMIN_EMAIL = "admin@bench.example"
ROLES = ["collab_cs"] * 5 + ["ai_trainer", "ops_specialist", "ux_architect"]
SOURCES = ["basic_cs", "order_clerk", "logistics_entry", "other"]
# How many weeks ago cohort i started (cycled): every phase of a 12-week program shows up.
FEEDBACK = {True: "结构清晰，数据核对到位。", False: "缺陷类型和客户回复都需要改，请按评分标准补充。"}
WEEKS_AGO = [5, 3, 8, 1, 10, 6, 2, 9, 4, 7, 11, 0]


@dataclass
class BenchData:
    """Ids the benches need, read back from the database (so a reused database works too)."""

    admin_id: int
    mentor_id: int  # the first AI mentor: its trainees fill the first seats of cohort B0
    business_mentor_id: int
    trainee_id: int  # a trainee of cohort B0 with lessons done, grades and work waiting
    cohort_id: int  # cohort B0
    lesson_id: int  # a lesson of the first tier (open to every trainee)
    trainees: int
    mentor_trainees: int


def emails(role: str, kind: str | None, i: int) -> str:
    return f"{role}.{kind + '.' if kind else ''}{i}@bench.example"


def _answers(assessment: Assessment, quality: str) -> dict:
    written = DEMO_ANSWERS.get(assessment.code, {}).get(quality, {})
    answers = {}
    for spec in assessment.fields:
        if spec["type"] == "file":
            continue
        if spec["type"] == "choice":
            fallback = spec["choices"][0]["value"]
        else:
            fallback = "1" if spec["type"] == "number" else "已核对，见附件说明。"
        answers[spec["name"]] = written.get(spec["name"]) or fallback
    return answers


def _insert(session: Session, model, rows: list[dict]) -> list[int]:
    """Bulk INSERT … RETURNING id, ids in the order of `rows`."""
    if not rows:
        return []
    return list(session.scalars(sa.insert(model).returning(model.id, sort_by_parameter_order=True), rows))


class _Activity:
    """Builds lesson progress, submissions, grades and notifications for one trainee at a time."""

    def __init__(self, session: Session, rng: random.Random, tiers, now: datetime):
        self.session, self.rng, self.now = session, rng, now
        self.tiers = tiers
        # The outline leaves fields and rubrics out; answers and grades need them.
        self.assessments = {a.id: a for a in session.scalars(
            sa.select(Assessment).options(selectinload(Assessment.criteria)))}
        self.lessons: list[dict] = []
        self.submissions: list[dict] = []
        self.pending_grades: list[tuple[int, dict]] = []  # (index in submissions, grade row)
        self.pending_notes: list[tuple[int, dict]] = []

    def _submission(self, trainee_id, assessment, attempt, state, at, quality):
        row = {"trainee_id": trainee_id, "assessment_id": assessment.id, "attempt_no": attempt, "state": state,
               "answers": _answers(assessment, quality), "checks": [],
               "check_runs": [] if state == SubmissionState.DRAFT else
               [{"at": at.isoformat(), "submitted": True, "results": []}],
               "submitted_at": None if state == SubmissionState.DRAFT else at,
               "created_at": at, "updated_at": at, "version": 1}
        self.submissions.append(row)
        return len(self.submissions) - 1

    def _grade(self, index, assessment, mentors, strong: bool, kinds, at):
        scores = []
        for kind in kinds:
            points = {c.code: (c.max_points if strong else max(0, c.max_points - 2)) for c in assessment.criteria}
            score = grading.weighted_score(assessment.criteria, points)
            scores.append(score)
            self.pending_grades.append((index, {
                "mentor_id": mentors[kind], "kind": kind, "points": points, "score": score,
                "passed": grading.passes(assessment, score), "current": True, "created_at": at,
                "feedback": FEEDBACK[strong]}))
        return scores

    def add(self, trainee_id: int, start: date, mentors: dict, weeks_in: float) -> None:
        """Walk the program in order as far as `weeks_in` (with some spread) carries this trainee."""
        rng = self.rng
        ordered = progress.steps(self.tiers)
        reach = max(0, int(len(ordered) * min(1.0, weeks_in / 12 * rng.uniform(0.4, 1.3))))
        day0 = datetime.combine(start, datetime.min.time()) + timedelta(hours=9)
        span = max(1.0, (self.now - day0).total_seconds())
        tier_ok, current_tier = True, None
        for n, step in enumerate(ordered[:reach]):
            tier_id = step.course.track.tier_id
            if tier_id != current_tier:
                if not tier_ok:
                    break  # the next tier stays locked until every required assessment passed
                current_tier, tier_ok = tier_id, True
            at = day0 + timedelta(seconds=span * (n + rng.random()) / max(reach, 1))
            if isinstance(step, OutlineLesson):
                self.lessons.append({"trainee_id": trainee_id, "lesson_id": step.id, "completed_at": at})
                continue
            step = self.assessments[step.id]
            outcome = rng.choices(["passed", "retake_passed", "retake_waiting", "waiting", "half", "failed", "draft"],
                                  [50, 10, 8, 15, 5, 5, 7])[0]
            kinds = grader_kinds(step.grader)
            if outcome.startswith("retake") or outcome == "failed":
                i = self._submission(trainee_id, step, 1, SubmissionState.GRADED, at, WEAK)
                self._finish(i, step, mentors, False, kinds, at)
                if outcome == "retake_passed":
                    i = self._submission(trainee_id, step, 2, SubmissionState.GRADED, at + timedelta(days=2), STRONG)
                    self._finish(i, step, mentors, True, kinds, at + timedelta(days=3))
                elif outcome == "retake_waiting":
                    i = self._submission(trainee_id, step, 2, SubmissionState.SUBMITTED, at + timedelta(days=2), STRONG)
                    self._waiting(i, trainee_id, step, mentors, kinds)
            elif outcome == "passed":
                i = self._submission(trainee_id, step, 1, SubmissionState.GRADED, at, STRONG)
                self._finish(i, step, mentors, True, kinds, at + timedelta(days=1))
            elif outcome in ("waiting", "half"):
                i = self._submission(trainee_id, step, 1, SubmissionState.SUBMITTED, at, rng.choice([STRONG, WEAK]))
                self._waiting(i, trainee_id, step, mentors, kinds)
                if outcome == "half" and len(kinds) > 1:  # dual sign-off, one mentor has graded
                    self._grade(i, step, mentors, True, kinds[:1], at + timedelta(hours=5))
            else:
                self._submission(trainee_id, step, 1, SubmissionState.DRAFT, at, WEAK)
            if step.required and not self.submissions[-1].get("passed"):
                tier_ok = False

    def _finish(self, index, assessment, mentors, strong, kinds, at):
        scores = self._grade(index, assessment, mentors, strong, kinds, at)
        row = self.submissions[index]
        score = round(sum(scores) / len(scores), 1)
        row.update(score=score, passed=grading.passes(assessment, score) and strong, graded_at=at,
                   updated_at=at, version=1 + len(kinds))
        self.pending_notes.append((index, {"user_id": row["trainee_id"], "kind": NotificationKind.GRADED,
                                           "params": {"assessment": assessment.title, "passed": row["passed"],
                                                      "score": score},
                                           "created_at": at, "read_at": at + timedelta(hours=2)}))

    def _waiting(self, index, trainee_id, assessment, mentors, kinds):
        for kind in kinds:
            self.pending_notes.append((index, {"user_id": mentors[kind], "kind": NotificationKind.SUBMISSION_WAITING,
                                               "params": {"trainee": f"学员 {trainee_id}",
                                                          "assessment": assessment.title},
                                               "created_at": self.submissions[index]["submitted_at"]}))

    def flush(self) -> None:
        session = self.session
        for row in self.submissions:
            row.setdefault("score", None)
            row.setdefault("passed", None)
            row.setdefault("graded_at", None)
        ids = _insert(session, Submission, self.submissions)
        _insert(session, Grade, [{**g, "submission_id": ids[i]} for i, g in self.pending_grades])
        _insert(session, Notification, [{"read_at": None, **n, "submission_id": ids[i]} for i, n in self.pending_notes])
        _insert(session, LessonProgress, self.lessons)


def seed(session: Session, courses_dir: str, trainees: int, cohort_size: int = 200,
         mentor_trainees: int = 100, rng_seed: int = 7, weeks_ago: list[int] | None = None) -> BenchData:
    """Load the catalogue and `trainees` trainees with their cohorts, mentors and work. Commits.
    `weeks_ago`: how many weeks ago cohort i started (cycled; default WEEKS_AGO)."""
    cycle = weeks_ago or WEEKS_AGO
    rng = random.Random(rng_seed)  # nosec B311  # repeatable bench data, not secrets
    today = date.today()
    now = utcnow()
    sync_catalog(session, courses_dir)
    program = progress.current_program(session)
    tiers = progress.load_outline(session, program)
    password_hash = generate_password_hash(PASSWORD, method=PASSWORD_HASH)

    def person(email, name, role, kind=None, capacity=None):
        return {"email": email, "name": name, "role": role, "mentor_kind": kind, "capacity": capacity,
                "password_hash": password_hash, "locale": "zh_CN", "active": True, "mentor_load": 0}

    n_mentors = max(1, -(-trainees // mentor_trainees))
    n_cohorts = max(1, -(-trainees // cohort_size))
    _insert(session, User, [person(ADMIN_EMAIL, "管理员 Bench", "admin")])
    mentor_ids = {kind: _insert(session, User, [
        person(emails("mentor", kind, m), f"导师 {kind} {m}", "mentor", kind, mentor_trainees)
        for m in range(n_mentors)]) for kind in ("ai", "business")}
    trainee_ids = _insert(session, User, [person(emails("trainee", None, t), f"学员 {t}", "trainee")
                                          for t in range(trainees)])
    cohort_ids = _insert(session, Cohort, [
        {"code": f"B{c}", "name": f"Bench 批次 {c}", "program_id": program.id,
         "start_date": today - timedelta(weeks=cycle[c % len(cycle)]), "created_at": now}
        for c in range(n_cohorts)])
    enrollment_ids = _insert(session, Enrollment, [
        {"cohort_id": cohort_ids[t // cohort_size], "trainee_id": trainee_ids[t], "target_role": rng.choice(ROLES),
         "source_role": rng.choice(SOURCES), "status": "active", "cohort_open": True, "created_at": now}
        for t in range(trainees)])
    _insert(session, MentorAssignment, [
        {"enrollment_id": enrollment_ids[t], "mentor_id": mentor_ids[kind][t // mentor_trainees], "kind": kind,
         "reason": "Auto-assigned", "started_at": now} for t in range(trainees) for kind in ("ai", "business")])
    for kind in ("ai", "business"):
        for m, mentor_id in enumerate(mentor_ids[kind]):
            load = min(mentor_trainees, trainees - m * mentor_trainees)
            session.execute(sa.update(User).where(User.id == mentor_id).values(mentor_load=load))
    _insert(session, BaselineRating, [
        {"enrollment_id": enrollment_ids[t], "competency": c, "score": rng.randint(10, 60),
         "rated_by_id": mentor_ids["ai"][t // mentor_trainees], "rated_at": now}
        for t in range(trainees) if rng.random() < 0.7 for c in Competency])

    activity = _Activity(session, rng, tiers, now)
    for t in range(trainees):
        c = t // cohort_size
        mentors = {"ai": mentor_ids["ai"][t // mentor_trainees],
                   "business": mentor_ids["business"][t // mentor_trainees]}
        activity.add(trainee_ids[t], today - timedelta(weeks=cycle[c % len(cycle)]), mentors, cycle[c % len(cycle)])
    activity.flush()
    session.commit()
    return describe(session)


def describe(session: Session) -> BenchData:
    """The ids of a seeded database."""
    admin_id = session.scalar(sa.select(User.id).where(User.email == ADMIN_EMAIL))
    if admin_id is None:
        raise LookupError("not a seeded bench database")
    mentor = session.scalar(sa.select(User).where(User.email == emails("mentor", "ai", 0)))
    business = session.scalar(sa.select(User.id).where(User.email == emails("mentor", "business", 0)))
    cohort_id = session.scalar(sa.select(Cohort.id).where(Cohort.code == "B0"))
    # The B0 trainee with the most rows of work, among those with some work graded and some waiting.
    work = (sa.select(Submission.trainee_id, sa.func.count(Submission.id).label("n"))
            .join(Enrollment, Enrollment.trainee_id == Submission.trainee_id)
            .where(Enrollment.cohort_id == cohort_id).group_by(Submission.trainee_id)
            .having(sa.func.sum(sa.case((Submission.state == "submitted", 1), else_=0)) > 0,
                    sa.func.sum(sa.case((Submission.state == "graded", 1), else_=0)) > 0)
            .order_by(sa.desc("n"), Submission.trainee_id).limit(1))
    trainee_id = session.execute(work).first()
    if trainee_id is None:  # tiny data sets: any B0 trainee
        trainee_id = (session.scalar(sa.select(Enrollment.trainee_id).where(Enrollment.cohort_id == cohort_id)
                                     .order_by(Enrollment.id)),)
    program = progress.current_program(session)
    first_tier = progress.load_outline(session, program)[0]
    lesson = next(s for s in progress.steps([first_tier]) if isinstance(s, OutlineLesson))
    return BenchData(
        admin_id=admin_id, mentor_id=mentor.id, business_mentor_id=business, trainee_id=trainee_id[0],
        cohort_id=cohort_id, lesson_id=lesson.id,
        trainees=session.scalar(sa.select(sa.func.count(User.id)).where(User.role == "trainee")),
        mentor_trainees=mentor.mentor_load,
    )


def email_of(session: Session, user_id: int) -> str:
    return session.scalar(sa.select(User.email).where(User.id == user_id))
