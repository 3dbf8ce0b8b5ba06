"""The demo data set behind `flask lms demo`: safe to run again and again."""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import Cohort, Program, User
from lms.services import cohorts, mentoring
from lms.services import diagnostic as diagnostic_service
from lms.services import people as people_service
from lms.services.baselines import rate_baseline

DEMO_PASSWORD = "reskill-demo"  # nosec B105  # public on purpose (README); `lms demo` refuses production

# Plain names: the role shows as a badge where it matters, not inside the name.
DEMO_PEOPLE = [
    {"email": "admin@example.com", "name": "王敏", "role": "admin"},
    {"email": "mentor.ai@example.com", "name": "李思远", "role": "mentor",
     "mentor_kind": "ai", "capacity": 8},
    {"email": "mentor.biz@example.com", "name": "陈静", "role": "mentor",
     "mentor_kind": "business", "capacity": 8},
    *[
        {"email": f"trainee{i}@example.com", "name": name, "role": "trainee"}
        for i, name in enumerate(["张伟", "刘洋", "赵丽", "孙强", "周婷", "吴磊"], start=1)
    ],
]


def ensure_demo(session: Session, hash_method: str) -> list[User]:
    """Create the demo accounts that are missing; leave existing ones as they are."""
    accounts = []
    for values in DEMO_PEOPLE:
        user = people_service.find_by_email(session, values["email"])
        if user is None:
            user = people_service.create_person(
                session,
                None,
                {"mentor_kind": None, "capacity": None, "locale": "zh_CN", **values},
                password=DEMO_PASSWORD,
                hash_method=hash_method,
            )
        accounts.append(user)
    return accounts


DEMO_COHORT = "DEMO-2026"
# target role, source role and the diagnostic answers each demo trainee got right
DEMO_ENROLLMENTS = [
    ("collab_cs", "basic_cs", {"tracking_number", "first_step", "reply"}),
    ("collab_cs", "basic_cs", {"tracking_number", "late_rate", "handoff", "reply", "handover_note"}),
    ("ai_trainer", "order_clerk", {"refund_amount", "tracking_number", "first_step", "sum_formula", "handover_note"}),
    ("ops_specialist", "logistics_entry", {"tracking_number", "late_rate", "refund_amount", "ticket_search",
                                           "reply"}),
    ("collab_cs", "order_clerk", {"first_step", "reply", "handover_note"}),
    ("ux_architect", "basic_cs", {"tracking_number", "handling", "handoff", "reply"}),
]
# (right, wrong) answers to the shipped diagnostic (courses/intake/diagnostic.yaml), per field
DEMO_DIAGNOSTIC_ANSWERS = {
    "refund_amount": ("79", "89"),
    "tracking_number": ("SF1428865093", "T202611200107"),
    "late_rate": ("9", "36"),
    "first_step": ("verify_delivery", "refund_now"),
    "handling": ("intercept", "approve"),
    "next_steps": ("核对这个活动的优惠券规则配置，并上报运营同步处理。", "逐个安抚顾客，请他们稍后再试。"),
    "handoff": ("handoff", "template"),
    "ticket_search": ("filters", "scroll"),
    "sum_formula": ("=SUM(A2:A101)", "A2+A101"),
    "reply": ("非常抱歉让您久等了，我马上帮您核实物流进度，稍后回复您。", "请您耐心等待。"),
    "handover_note": ("订单 T202611200107 外箱破损，顾客要求换货，破损照片已收到。", "顾客要换货，请跟进。"),
}
# the demo's one mentor adjustment: trainee no. 1's communication, with the business mentor's reason
DEMO_ADJUSTMENT = (0, "communication", 60,
                   "入营面谈中能主动安抚情绪、准确复述顾客诉求；诊断的写作题篇幅短，低估了实际沟通能力。")


def demo_answers(diagnostic, right: set[str]) -> dict[str, str]:
    """Answers to every field of the live diagnostic: right for the fields in `right`."""
    answers = {}
    for spec in diagnostic_service.all_fields(diagnostic):
        pair = DEMO_DIAGNOSTIC_ANSWERS.get(spec["name"])
        answers[spec["name"]] = (pair[0] if spec["name"] in right else pair[1]) if pair else "不确定"
    return answers


def ensure_demo_cohort(session: Session, program: Program, today: date) -> Cohort:
    """A cohort started five weeks ago with the six demo trainees, both demo mentors
    assigned and intake diagnostics taken (one score adjusted by a mentor); idempotent."""
    cohort = session.scalar(sa.select(Cohort).where(Cohort.code == DEMO_COHORT))
    if cohort is None:
        cohort = cohorts.create_cohort(session, None, program, {
            "code": DEMO_COHORT, "name": "演示批次 Demo cohort", "start_date": today - timedelta(days=35)})
    trainees = [people_service.find_by_email(session, f"trainee{i}@example.com") for i in range(1, 7)]
    mentors = [people_service.find_by_email(session, e) for e in ("mentor.ai@example.com", "mentor.biz@example.com")]
    diagnostic = diagnostic_service.live_diagnostic(session, program.id)
    for n, (trainee, (target, source, right)) in enumerate(zip(trainees, DEMO_ENROLLMENTS, strict=True)):
        enrollment, _ = cohorts.enroll(session, None, cohort, trainee, target, source)
        for mentor in mentors:
            if enrollment.current_mentor(mentor.mentor_kind) is None:
                mentoring.assign(session, None, enrollment, mentor, "演示数据 demo")
        session.flush()
        if enrollment.baselines or diagnostic is None:
            continue
        diagnostic_service.submit(session, trainee, enrollment, diagnostic, demo_answers(diagnostic, right))
        session.refresh(enrollment, ["baselines"])
        who, competency, score, reason = DEMO_ADJUSTMENT
        if n == who:
            rate_baseline(session, mentors[1], enrollment, {competency: score}, reason)
    return cohort
