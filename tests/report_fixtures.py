"""A small cohort whose dashboard figures are worked out by hand (tests/test_dashboard.py).

Cohort H starts on Monday 2026-01-05; the dashboard is read on 2026-08-03 (program week 30).
Nine trainees, all aiming at collab_cs (foundation + advanced: 6 + 9 required assessments):

| # | source          | what happened                                                              |
|---|-----------------|----------------------------------------------------------------------------|
| 1 | basic_cs        | placed 2026-04-13 (day 98, week 14: in time), buffer completed 2026-07-11    |
| 2 | basic_cs        | placed 2026-05-18 (day 133, week 19: late), buffer running; 8 defects      |
| 3 | order_clerk     | placed 2026-04-06 (in time), left on 2026-05-01 (personal reasons)         |
| 4 | basic_cs        | foundation passed only; returned to the previous role (skills gap)         |
| 5 | order_clerk     | every tier passed; redeployed (no opening)                                 |
| 6 | basic_cs        | withdrew                                                                   |
| 7 | logistics_entry | training extended (skills gap); nothing passed, last attempt failed, no    |
|   |                 | mentor, no activity: at risk for all four reasons                          |
| 8 | basic_cs        | mentors; every required assessment passed but one (advanced): behind       |
| 9 | basic_cs        | mentors; every tier passed, dual sign-off graded with a gap: on track      |
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import (
    Assessment,
    BaselineRating,
    CheckIn,
    Contribution,
    ContributionState,
    Enrollment,
    Grade,
    HandoffEvent,
    Lesson,
    LessonProgress,
    MentorKind,
    Payout,
    Placement,
    RubricCriterion,
    Submission,
    SubmissionState,
    User,
)
from lms.services import cohorts as cohort_service
from lms.services import contributions, defects, mentoring
from lms.services import placement as placement_service
from lms.services.defect_rules import DefectSettings
from tests.buffer_fixtures import make_agent, pass_tiers
from tests.defect_fixtures import scale, values

START = date(2026, 1, 5)
TODAY = date(2026, 8, 3)
NOW = datetime(2026, 8, 3, 4, 0)  # UTC; noon in Shanghai
T0 = datetime(2026, 6, 1, 1, 0)  # the defects of trainee 2 (buffer week 3)
SOURCES = ["basic_cs", "basic_cs", "order_clerk", "basic_cs", "order_clerk", "basic_cs", "logistics_entry",
           "basic_cs", "basic_cs"]


@dataclass
class HandCohort:
    cohort_id: int
    enrollment_ids: list[int]
    coach_id: int
    ai_id: int
    first_foundation: int  # assessment id: trainee 7 failed it on every attempt
    missing: int  # assessment id: the advanced one trainee 8 has not done
    dual: int  # assessment id graded by both mentors for trainee 9
    max_attempts: int
    dual_points: dict = field(default_factory=dict)  # kind → points


def _submission(session, trainee_id, assessment_id, attempt=1, passed=True, submitted_at=None, **extra):
    at = submitted_at or datetime(2026, 2, 1)
    s = Submission(trainee_id=trainee_id, assessment_id=assessment_id, attempt_no=attempt,
                   state=SubmissionState.GRADED, passed=passed, score=90.0 if passed else 40.0,
                   submitted_at=at, graded_at=at + timedelta(days=1), created_at=at, updated_at=at, **extra)
    session.add(s)
    session.flush()
    return s


def build(app, make_cohort, make_user) -> HandCohort:
    cohort_id, ids = make_cohort(trainees=9, start=START, code="H1")
    ai = make_user("mentor", mentor_kind="ai", capacity=10, name="艾 AI")
    biz = make_user("mentor", mentor_kind="business", capacity=10, name="白 业务")
    with app.app_context():
        session = db.session
        es = [session.get(Enrollment, i) for i in ids]
        for e, source in zip(es, SOURCES, strict=True):
            e.source_role = source
            e.created_at = datetime(2025, 12, 29)
        def assessment(code):
            return session.scalar(sa.select(Assessment.id).where(Assessment.code == code))

        first_foundation, missing = assessment("takeover-and-defect-drill"), assessment("handoff-week-review")
        dual = assessment("compliance-review-drill")
        max_attempts = session.get(Assessment, first_foundation).max_attempts
        agent = make_agent(session)
        coach = session.get(User, biz.id)

        def place(e, start):
            pass_tiers(session, e, ["foundation", "advanced"])
            return placement_service.place(session, None, e, {
                "team": "售后二组", "lead_name": "黄蕾", "agent_id": agent.id, "start_date": start,
                "coach_id": coach.id})

        p1 = place(es[0], date(2026, 4, 13))
        placement_service.record_buffer_outcome(session, None, p1, "completed", "goal_met", "", date(2026, 7, 11))
        p2 = place(es[1], date(2026, 5, 18))
        p3 = place(es[2], date(2026, 4, 6))
        placement_service.record_buffer_outcome(session, None, p3, "left", "personal", "", date(2026, 5, 1))
        pass_tiers(session, es[3], ["foundation"])
        placement_service.record_training_outcome(session, None, es[3], "returned", "skills_gap", "回原岗",
                                                  date(2026, 4, 20))
        pass_tiers(session, es[4], ["foundation", "advanced"])
        placement_service.record_training_outcome(session, None, es[4], "redeployed", "no_opening", "暂无岗位",
                                                  date(2026, 4, 20))
        cohort_service.withdraw(session, session.get(User, ai.id), es[5], "个人原因", date(2026, 2, 1))
        for attempt in range(1, max_attempts + 1):
            _submission(session, es[6].trainee_id, first_foundation, attempt, passed=False)
        placement_service.record_training_outcome(session, None, es[6], "extended_training", "skills_gap",
                                                  "延长两周", date(2026, 4, 20))
        for e in (es[7], es[8]):
            for mentor in (ai, biz):
                mentoring.assign(session, None, e, session.get(User, mentor.id), "分配")
            session.add(LessonProgress(trainee_id=e.trainee_id, lesson_id=session.scalar(sa.select(Lesson.id).limit(1)),
                                       completed_at=NOW - timedelta(days=1)))
        pass_tiers(session, es[7], ["foundation", "advanced"])
        session.execute(sa.delete(Submission).where(Submission.trainee_id == es[7].trainee_id,
                                                    Submission.assessment_id == missing))
        pass_tiers(session, es[8], ["foundation", "advanced"])
        # trainee 4's attempt at the first foundation assessment took two blocked tries first
        four = session.scalar(sa.select(Submission).where(Submission.trainee_id == es[3].trainee_id,
                                                          Submission.assessment_id == first_foundation))
        four.check_runs = [{"at": "2026-02-01T01:00:00", "submitted": False, "results": []},
                           {"at": "2026-02-01T01:05:00", "submitted": False, "results": []},
                           {"at": "2026-02-01T01:10:00", "submitted": True, "results": []}]
        # trainee 9's dual sign-off: the business mentor one point lower on the first criterion
        nine = session.scalar(sa.select(Submission).where(Submission.trainee_id == es[8].trainee_id,
                                                          Submission.assessment_id == dual))
        criteria = session.scalars(sa.select(RubricCriterion).where(RubricCriterion.assessment_id == dual,
                                                                    RubricCriterion.archived_at.is_(None))
                                   .order_by(RubricCriterion.position)).all()
        top = {c.code: c.max_points for c in criteria}
        low = {**top, criteria[0].code: top[criteria[0].code] - 1}
        nine.submitted_at = datetime(2026, 2, 10, 1, 0)
        for kind, mentor, points, hours in ((MentorKind.AI, ai, top, 2), (MentorKind.BUSINESS, biz, low, 6)):
            session.add(Grade(submission_id=nine.id, mentor_id=mentor.id, kind=kind, points=points, score=90.0,
                              passed=True, feedback="好", current=True,
                              created_at=nine.submitted_at + timedelta(hours=hours)))
        # intake baselines of trainees 1 and 2
        for e, scores in ((es[0], {"data_processing": 80, "communication": 40}),
                          (es[1], {"data_processing": 20, "communication": 75})):
            for competency, score in scores.items():
                session.add(BaselineRating(enrollment_id=e.id, competency=competency, score=score))
        # defects of trainee 2 in every state, and a recurrence after the verified fix
        settings = DefectSettings()

        def log(at, **extra):
            return defects.log_defect(session, p2.trainee, p2, values(**extra), scale(session), settings, now=at)

        def move(d, *steps, **kw):
            for target, minutes in steps:
                defects.transition(session, None, d, target, "原因" if target == "rejected" else "",
                                   now=d.created_at + timedelta(minutes=minutes), **kw)

        confirmed = log(T0, severity="low")
        move(confirmed, ("confirmed", 10))
        move(log(T0, severity="low", intent="退货运费"), ("confirmed", 40), ("in_fix", 60))
        move(log(T0, intent="尺码推荐"), ("confirmed", 5), ("in_fix", 10), ("fixed", 20 * 60))
        verified = log(T0, intent="保价")
        move(verified, ("confirmed", 5), ("in_fix", 10), ("fixed", 30 * 60), ("verified", 31 * 60))
        move(log(T0 + timedelta(days=7), type="wrong_answer", intent="发票"), ("rejected", 15))
        duplicate = log(T0, intent="赠品")
        defects.transition(session, None, duplicate, "duplicate", duplicate_of=confirmed,
                           now=T0 + timedelta(minutes=20))
        log(verified.verified_at + timedelta(days=2), intent="保价")  # new: a recurrence of `verified`
        # contributions: the verified defect's (adopted, awarded, paid) and a suggestion
        credited = session.scalar(sa.select(Contribution).where(Contribution.defect_id == verified.id))
        credited.state, credited.band_cny, credited.payout = ContributionState.AWARDED, 1000, Payout.PAID
        contributions.suggest(session, p2.trainee, p2, "kb_update", "补充保价规则", "保价规则写进知识库")
        # hand-off events of trainee 2, buffer week 1
        for n, (response, close, complex_, cross, closed) in enumerate(
                ((600, 3600, True, False, True), (2400, None, False, True, True), (None, None, False, False, False))):
            flagged = datetime(2026, 5, 18, 2, 0) + timedelta(hours=n)
            session.add(HandoffEvent(
                external_id=f"H-{n}", placement_id=p2.id, agent_id=agent.id, week=1, flagged_at=flagged,
                responded_at=flagged + timedelta(seconds=response) if response else None,
                closed_at=flagged + timedelta(hours=1) if closed else None, complex=complex_, cross_team=cross,
                category="售后", response_seconds=response, close_seconds=close))
        # check-ins: weeks 1–3 of trainee 2
        for week in (1, 2, 3):
            session.add(CheckIn(placement_id=p2.id, week=week, coach_id=coach.id, agent_share=60, handoffs=5,
                                went_well="顺利", hard="情绪化客户", wellbeing=4, actions=[]))
        session.commit()
        assert session.scalar(sa.select(sa.func.count()).select_from(Placement)) == 3
        return HandCohort(cohort_id, ids, biz.id, ai.id, first_foundation, missing, dual, max_attempts,
                          {"ai": top, "business": low})
