"""Demo placement and buffer period for `flask lms demo`: a second, older cohort whose
trainees finished training. Two are placed with agents (one mid-buffer, one just
completed), with weekly check-ins (one week missing), hand-off events from the service
platform (some answered after more than 30 minutes) and outcomes; one is not placed: she
failed the advanced data assessment twice and went back to her previous role (her
recorded outcome). Everything goes through the same services as the pages
(graded work, tier checks, placement, check-ins, JSON ingestion). Idempotent.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import Agent, Assessment, Cohort, Enrollment, Placement, Program, TrainingOutcome
from lms.services import checkins, clock, cohorts, handoffs, mentoring, progress
from lms.services import people as people_service
from lms.services import placement as placement_service
from lms.services.buffer_clock import BufferSettings
from lms.services.demo import DEMO_PASSWORD
from lms.services.demo_activity import _grade_all, _submit
from lms.services.demo_answers import RETAKE, STRONG, WEAK
from lms.storage import Storage

DEMO_BUFFER_COHORT = "DEMO-2026-A"
# Their own mentors in training: the first cohort's mentors are full.
MENTORS = [
    {"email": "mentor.ai2@example.com", "name": "林晓", "role": "mentor", "mentor_kind": "ai", "capacity": 8},
    {"email": "mentor.biz2@example.com", "name": "郑华", "role": "mentor", "mentor_kind": "business", "capacity": 8},
]
LEAD = {"email": "lead@example.com", "name": "黄蕾", "role": "lead"}  # receiving team lead of trainee7
RETURNED_AFTER = "intent-review-drill"  # the advanced data assessment trainee9 failed twice
TRAINEES = [  # email, name, days since their placement start (None: not placed)
    ("trainee7@example.com", "何静", 45),
    ("trainee8@example.com", "马超", 92),
    ("trainee9@example.com", "郭芳", None),
]
AGENTS = [
    {"code": "qianniu-cs-01", "name": "小蜜售前助手", "platform": "千牛", "version": "v3.2",
     "owner_team": "智能客服组"},
    {"code": "aftersales-bot-02", "name": "售后助手", "platform": "自营商城", "version": "v1.8",
     "owner_team": "售后体验组"},
]
CHECKIN = {"went_well": "标准咨询基本交给智能体，自己专注处理投诉和复杂订单。",
           "hard": "情绪激动的客户还需要更多话术练习；智能体对活动规则偶有误答。",
           "actions": [{"action": "整理本周智能体误答并反馈给智能客服组", "owner": "本人"},
                       {"action": "旁听一次资深同事的投诉处理", "owner": "陈静"}]}


def _person(session: Session, values: dict, hash_method: str):
    user = people_service.find_by_email(session, values["email"])
    if user is None:
        user = people_service.create_person(session, None, {"locale": "zh_CN", "mentor_kind": None,
                                                            "capacity": None, **values},
                                            password=DEMO_PASSWORD, hash_method=hash_method)
    return user


def _pass_role_tiers(session: Session, enrollment: Enrollment, mentors: dict, storage: Storage | str,
                     only: tuple[str, ...] | None = None) -> None:
    """Strong, graded work on every required assessment of the tiers the role needs (or of `only`)."""
    role = enrollment.target_role.value
    tiers = progress.role_outline(session, enrollment.cohort.program, role)
    needed = only or enrollment.cohort.program.tiers_for_role(role)
    passed = progress.passed_assessment_ids(session, enrollment.trainee_id)
    for tier in tiers:
        if tier.code not in needed:
            continue
        for item in progress.required_assessments(tier):
            if item.id not in passed:
                _grade_all(session, _submit(session, enrollment.trainee, session.get(Assessment, item.id), storage,
                                            STRONG), mentors, 3, "思路清晰，案例处理到位。")


def _events(email: str, agent: str, start: date, days: int, zone: ZoneInfo) -> list[dict]:
    """About three hand-offs a working day; every fifth answered after 30 minutes."""
    out = []
    for day in range(min(days, 89)):
        when = start + timedelta(days=day)
        if when.weekday() >= 5:
            continue
        for k in range(3 if day % 4 else 2):
            flagged = datetime.combine(when, time(9 + 3 * k, 10 + day % 20), tzinfo=zone)
            late = (day + k) % 5 == 0
            responded = flagged + timedelta(minutes=42 if late else 6 + (day * 7 + k) % 20)
            complex_ = k == 1
            closed = responded + timedelta(hours=30 if complex_ and day % 7 == 0 else 3 + k)
            out.append({"external_id": f"DEMO-{email.split('@')[0]}-{day:02d}-{k}", "trainee": email, "agent": agent,
                        "flagged_at": flagged.isoformat(), "responded_at": responded.isoformat(),
                        "closed_at": closed.isoformat() if (day + k) % 9 else None, "complex": complex_,
                        "cross_team": k == 2, "category": ("退款", "物流异常", "活动规则")[k]})
    return out


def ensure_demo_buffer(session: Session, program: Program, today: date, storage: Storage | str,
                       hash_method: str, settings: BufferSettings) -> Cohort:
    cohort = session.scalar(sa.select(Cohort).where(Cohort.code == DEMO_BUFFER_COHORT))
    if cohort is None:
        cohort = cohorts.create_cohort(session, None, program, {
            "code": DEMO_BUFFER_COHORT, "name": "演示批次（已上岗）Placed demo cohort",
            "start_date": today - timedelta(days=7 * (program.weeks + 1) + 100)})
    mentor_rows = [_person(session, values, hash_method) for values in MENTORS]
    _person(session, LEAD, hash_method)
    mentors = {m.mentor_kind: m for m in mentor_rows}
    coach = people_service.find_by_email(session, "mentor.biz@example.com")  # the demo business mentor coaches
    agents = []
    for values in AGENTS:
        agent = session.scalar(sa.select(Agent).where(Agent.code == values["code"]))
        agents.append(agent or placement_service.create_agent(session, None, values))
    zone = ZoneInfo(settings.hours.timezone)
    for index, (email, name, days) in enumerate(TRAINEES):
        trainee = _person(session, {"email": email, "name": name, "role": "trainee"}, hash_method)
        enrollment, _ = cohorts.enroll(session, None, cohort, trainee, "collab_cs", "basic_cs")
        if placement_service.placement_of(session, enrollment.id) is not None:
            continue
        if days is None:
            if not session.scalar(sa.select(TrainingOutcome.id)
                                  .where(TrainingOutcome.enrollment_id == enrollment.id)):
                _not_placed(session, enrollment, mentor_rows, mentors, storage)
            continue
        _assign(session, enrollment, mentor_rows)
        _pass_role_tiers(session, enrollment, mentors, storage)
        start = today - timedelta(days=days)
        placement = placement_service.place(session, None, enrollment, {
            "team": ("售前一组", "售后二组")[index], "lead_name": ("黄蕾", "宋佳")[index],
            "lead_email": (LEAD["email"], "song.jia@example.com")[index],
            "agent_id": agents[index].id, "start_date": start, "coach_id": coach.id,
            "pay_band_before": "P3", "pay_band_after": "P4"}, settings.coach_capacity)
        _log_checkins(session, coach, placement, days, today)
        report = handoffs.ingest(session, None, _events(email, agents[index].code, start, days, zone), settings)
        if not report.ok:
            raise RuntimeError(f"demo hand-off events refused: {report.errors[:3]}")
        if days >= 90:
            placement_service.record_buffer_outcome(session, None, placement, "completed", "goal_met",
                                                    "协同响应达标，已独立处理复杂投诉。", start + timedelta(days=90),
                                                    today=today)
    session.flush()
    return cohort


def _assign(session: Session, enrollment: Enrollment, mentor_rows: list) -> None:
    for mentor in mentor_rows:
        if enrollment.current_mentor(mentor.mentor_kind) is None:
            mentoring.assign(session, None, enrollment, mentor, "演示数据 demo")
    session.flush()


def _not_placed(session: Session, enrollment: Enrollment, mentor_rows: list, mentors: dict,
                storage: Storage | str) -> None:
    """trainee9: mentors from intake, the foundation tier passed, the advanced data assessment
    failed twice; she went back to her previous role in week 7 (the outcome note says so), which
    ends her mentor assignments."""
    _assign(session, enrollment, mentor_rows)
    _pass_role_tiers(session, enrollment, mentors, storage, only=("foundation",))
    drill = session.scalar(sa.select(Assessment).where(Assessment.code == RETURNED_AFTER))
    if drill is not None:
        _grade_all(session, _submit(session, enrollment.trainee, drill, storage, WEAK), mentors, 1,
                   "召回率和精确率的分母都取错了，混淆对也没有从表里读出来；先把混淆表的行列合计核对一遍。")
        _grade_all(session, _submit(session, enrollment.trainee, drill, storage, RETAKE), mentors, 1,
                   "召回率对了；精确率仍用了行合计。重标注建议缺少重标范围和验证方式，还不能交给训练团队。")
    on = clock.week_start(enrollment.cohort.start_date, 7) + timedelta(days=2)
    placement_service.record_training_outcome(
        session, None, enrollment, "returned", "skills_gap",
        "进阶层数据处理考核两次未通过，本人希望先回原客服岗位，下一批次再参加。", on)
    mentoring.release_enrollment(session, None, enrollment, "回原岗位 Returned to previous role")


def _log_checkins(session: Session, coach, placement: Placement, days: int, today: date) -> None:
    """Every week that has begun, except week 4 of the mid-buffer person (a gap to see)."""
    last = min(13, days // 7 + 1)
    for week in range(1, last + 1):
        if days < 90 and week == 4:
            continue
        checkins.save_checkin(session, coach, placement, {
            "week": week, "agent_share": min(80, 45 + 3 * week), "handoffs": 18 - week // 2,
            "wellbeing": 3 + (week % 3 == 0), **CHECKIN}, today)
