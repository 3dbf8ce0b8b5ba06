"""Bench data after training, for the report benches (bench/reports.py): for the cohorts that
finished training, placements (their required work passed), outcomes of those not placed, buffer
coach seats, weekly check-ins, hand-off events, agent defects through triage and contributions.

Bulk INSERTs in one transaction, a fixed random seed: the same parameters give the same data.
"""

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench.seed import _insert
from lms.models import (
    Agent,
    AgentDefect,
    BufferOutcome,
    CheckIn,
    CoachSeats,
    Cohort,
    Contribution,
    ContributionState,
    Enrollment,
    HandoffEvent,
    MentorAssignment,
    Payout,
    Placement,
    Submission,
    SubmissionState,
    TrainingOutcome,
)
from lms.models.base import utcnow
from lms.services import clock, progress

INTENTS = ["活动咨询", "退货运费", "尺码推荐", "保价", "发票", "物流查询", "赠品", "优惠券叠加"]
TYPES = ["wrong_answer", "missed_answer", "slow_response", "bad_handoff", "misleading_promo", "other"]
REASONS_NOT_PLACED = [("returned", "skills_gap"), ("redeployed", "no_opening"), ("left", "personal"),
                      ("extended_training", "skills_gap")]


def seed_buffer(session: Session, today: date, handoffs: int, rng_seed: int = 11) -> dict:
    """Everything after training for the cohorts past placement week. Commits; returns counts."""
    rng = random.Random(rng_seed)  # nosec B311  # repeatable bench data, not secrets
    now = utcnow()
    program = progress.current_program(session)
    tiers = progress.load_outline(session, program)
    required = {role: [a.id for tier in progress.outline.for_role(tiers, role)
                       if tier.code in program.tiers_for_role(role) for a in progress.required_assessments(tier)]
                for role in program.roles}
    cohorts = {c.id: c for c in session.scalars(sa.select(Cohort))
               if clock.week_of(c.start_date, today) > clock.PLACEMENT_WEEK}
    if not cohorts:
        return {}
    agents = _insert(session, Agent, [
        {"code": f"bench-agent-{i}", "name": f"客服智能体 {i}", "platform": "千牛", "version": "v3",
         "owner_team": "智能客服组", "active": True, "created_at": now, "updated_at": now} for i in range(3)])
    enrollments = session.execute(
        sa.select(Enrollment.id, Enrollment.trainee_id, Enrollment.cohort_id, Enrollment.target_role)
        .where(Enrollment.cohort_id.in_(cohorts)).order_by(Enrollment.id)).all()
    business = dict(session.execute(sa.select(MentorAssignment.enrollment_id, MentorAssignment.mentor_id)
                                    .where(MentorAssignment.kind == "business")).all())
    passed = defaultdict(set)
    attempts = defaultdict(int)
    for trainee_id, assessment_id, is_passed, attempt in session.execute(
            sa.select(Submission.trainee_id, Submission.assessment_id, Submission.passed, Submission.attempt_no)
            .where(Submission.trainee_id.in_([e.trainee_id for e in enrollments]))):
        if is_passed:
            passed[trainee_id].add(assessment_id)
        attempts[(trainee_id, assessment_id)] = max(attempts[(trainee_id, assessment_id)], attempt)
    retakes, placements, outcomes, withdrawn = [], [], [], []
    for e in enrollments:
        start = cohorts[e.cohort_id].start_date
        roll = rng.random()
        if roll < 0.6:  # placed: the work their role needs is passed (a retake where it was not)
            for assessment_id in required[e.target_role]:
                if assessment_id not in passed[e.trainee_id]:
                    at = datetime.combine(start + timedelta(weeks=13), datetime.min.time())
                    retakes.append({"trainee_id": e.trainee_id, "assessment_id": assessment_id,
                                    "attempt_no": attempts[(e.trainee_id, assessment_id)] + 1,
                                    "state": SubmissionState.GRADED, "passed": True, "score": 85.0, "answers": {},
                                    "checks": [], "check_runs": [{"at": at.isoformat(), "submitted": True,
                                                                  "results": []}],
                                    "submitted_at": at, "graded_at": at + timedelta(days=1), "created_at": at,
                                    "updated_at": at, "version": 2})
            placed_on = start + timedelta(weeks=14, days=rng.randint(0, 10))
            placements.append({"enrollment": e, "start": placed_on})
        elif roll < 0.8:
            kind, reason = rng.choice(REASONS_NOT_PLACED)
            outcomes.append({"enrollment_id": e.id, "kind": kind, "reason": reason, "note": "评估后决定",
                             "on": start + timedelta(weeks=14), "recorded_at": now})
        elif roll < 0.85:
            withdrawn.append(e.id)
    _insert(session, Submission, retakes)
    _insert(session, TrainingOutcome, outcomes)
    if withdrawn:
        session.execute(sa.update(Enrollment).where(Enrollment.id.in_(withdrawn)).values(
            status="withdrawn", withdrawn_on=today - timedelta(weeks=20), withdrawn_reason="个人原因"))
    rows = []
    for p in placements:
        e, start = p["enrollment"], p["start"]
        end = start + timedelta(days=90)
        outcome = reason = outcome_on = None
        if end - timedelta(days=1) <= today:
            outcome, reason = rng.choices(
                [("completed", "goal_met"), ("left", "personal"), ("redeployed", "skills_gap")], [85, 10, 5])[0]
            outcome_on = (end - timedelta(days=1) if outcome == "completed"
                          else start + timedelta(days=rng.randint(20, 80)))
        rows.append({"enrollment_id": e.id, "trainee_id": e.trainee_id, "role": e.target_role, "team": "售后二组",
                     "lead_name": "黄蕾", "lead_email": None, "agent_id": rng.choice(agents),
                     "coach_id": business[e.id], "start_date": start, "buffer_end": end, "outcome": outcome,
                     "outcome_reason": reason, "outcome_on": outcome_on, "created_at": now, "updated_at": now})
    placement_ids = _insert(session, Placement, rows)
    seats = defaultdict(int)
    for row in rows:
        if row["outcome"] in (None, BufferOutcome.EXTENDED.value):
            seats[row["coach_id"]] += 1
    coaches = sorted({r["coach_id"] for r in rows})
    if coaches:  # no id column: a plain INSERT
        session.execute(sa.insert(CoachSeats), [{"coach_id": coach, "capacity": max(8, seats.get(coach, 0) + 2),
                                                 "taken": seats.get(coach, 0)} for coach in coaches])
    checkins, events, defects = [], [], []
    per_placement = max(1, handoffs // max(1, len(rows)))
    n_events = 0
    cohort_ids = [p["enrollment"].cohort_id for p in placements]
    for pid, row, cohort_id in zip(placement_ids, rows, cohort_ids, strict=True):
        until = min(today, row["outcome_on"] or today)
        weeks = max(1, min(13, (until - row["start_date"]).days // 7))
        for week in range(1, weeks + 1):
            if rng.random() < 0.85:
                checkins.append({"placement_id": pid, "week": week, "coach_id": row["coach_id"],
                                 "agent_share": rng.randint(40, 80), "handoffs": rng.randint(3, 30),
                                 "went_well": "复杂会话处理更稳了", "hard": "大促期间情绪化客户多",
                                 "wellbeing": rng.randint(2, 5), "actions": [], "created_at": now, "updated_at": now})
        day0 = datetime.combine(row["start_date"], datetime.min.time()) + timedelta(hours=1)
        for _ in range(per_placement if n_events < handoffs else 0):
            n_events += 1
            week = rng.randint(1, weeks)
            flagged = day0 + timedelta(days=(week - 1) * 7 + rng.randint(0, 6), minutes=rng.randint(0, 600))
            response = int(rng.lognormvariate(6.5, 0.9)) if rng.random() < 0.95 else None
            complex_, cross = rng.random() < 0.2, rng.random() < 0.15
            close = int(rng.lognormvariate(10, 0.8)) if rng.random() < 0.9 else None
            events.append({"external_id": f"HB-{n_events}", "placement_id": pid, "agent_id": row["agent_id"],
                           "week": week, "flagged_at": flagged,
                           "responded_at": flagged + timedelta(seconds=response) if response is not None else None,
                           "closed_at": flagged + timedelta(seconds=close) if close is not None else None,
                           "complex": complex_, "cross_team": cross, "category": "售后",
                           "response_seconds": response, "close_seconds": close, "response_work_seconds": None,
                           "close_work_seconds": None, "imported_at": now})
        for _ in range(rng.randint(0, 4)):
            defects.append(_defect(rng, pid, row, cohort_id, day0, weeks))
        if len(events) >= 20000:
            _insert(session, HandoffEvent, events)
            events = []
    _insert(session, HandoffEvent, events)
    _insert(session, CheckIn, checkins)
    defect_ids = _insert(session, AgentDefect, defects)
    contributions = []
    for defect_id, d in zip(defect_ids, defects, strict=True):
        if d["state"] == "verified":
            awarded = rng.random() < 0.3
            contributions.append({
                "contributor_id": d["reporter_id"], "cohort_id": d["cohort_id"], "defect_id": defect_id,
                "category": "kb_update", "title": f"#{defect_id} {d['intent']}", "description": d["should_say"],
                "state": ContributionState.AWARDED if awarded else ContributionState.ADOPTED,
                "submitted_at": d["verified_at"], "adopted_at": d["verified_at"],
                "band_cny": 1000 if awarded else None, "points": 10 if awarded else None,
                "payout": (Payout.PAID if rng.random() < 0.5 else Payout.APPROVED) if awarded else None})
        elif rng.random() < 0.1:
            contributions.append({"contributor_id": d["reporter_id"], "cohort_id": d["cohort_id"], "defect_id": None,
                                  "category": "handoff_strategy", "title": "转人工规则建议", "description": "建议",
                                  "state": ContributionState.SUBMITTED, "submitted_at": d["created_at"]})
    _insert(session, Contribution, contributions)
    session.commit()
    return {"placements": len(rows), "handoffs": n_events, "defects": len(defects), "checkins": len(checkins)}


def _defect(rng: random.Random, pid: int, row: dict, cohort_id: int, day0: datetime, weeks: int) -> dict:
    created = day0 + timedelta(days=rng.randint(0, weeks * 7 - 1), minutes=rng.randint(0, 900))
    state = rng.choices(["new", "confirmed", "in_fix", "fixed", "verified", "rejected", "duplicate"],
                        [10, 15, 15, 15, 25, 10, 10])[0]
    first = None if state == "new" else created + timedelta(minutes=rng.randint(2, 90))
    closed = created + timedelta(hours=rng.randint(1, 40)) if state in ("fixed", "verified", "rejected",
                                                                        "duplicate") else None
    severity = rng.choice(["high", "medium", "low"])
    return {"agent_id": row["agent_id"], "reporter_id": row["trainee_id"], "placement_id": pid,
            "cohort_id": cohort_id, "type": rng.choice(TYPES), "intent": (intent := rng.choice(INTENTS)),
            "intent_key": intent, "platform": "千牛", "sku": None, "kb_entry": None, "excerpt": "顾客：……",
            "agent_said": "参加满减", "should_say": "不参加当前满减活动", "reach": rng.randint(1, 20),
            "severity": severity,
            "complex": severity == "high", "seen_at": created, "state": state, "created_at": created,
            "first_response_at": first, "closed_at": closed,
            "verified_at": closed + timedelta(hours=2) if state == "verified" else None}

