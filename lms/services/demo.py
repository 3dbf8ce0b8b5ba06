"""The demo data set behind `flask lms demo`: safe to run again and again."""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import Cohort, Competency, Program, User
from lms.services import cohorts, mentoring
from lms.services import people as people_service

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
# target role, source role and intake ratings (data, problem, tool, communication) per demo trainee
DEMO_ENROLLMENTS = [
    ("collab_cs", "basic_cs", (20, 25, 15, 40)),
    ("collab_cs", "basic_cs", (30, 20, 25, 45)),
    ("ai_trainer", "order_clerk", (25, 30, 20, 30)),
    ("ops_specialist", "logistics_entry", (35, 20, 30, 25)),
    ("collab_cs", "order_clerk", (15, 20, 10, 50)),
    ("ux_architect", "basic_cs", (20, 35, 20, 40)),
]


def ensure_demo_cohort(session: Session, program: Program, today: date) -> Cohort:
    """A cohort started five weeks ago with the six demo trainees, both demo
    mentors assigned and intake baselines recorded (idempotent)."""
    cohort = session.scalar(sa.select(Cohort).where(Cohort.code == DEMO_COHORT))
    if cohort is None:
        cohort = cohorts.create_cohort(session, None, program, {
            "code": DEMO_COHORT, "name": "演示批次 Demo cohort", "start_date": today - timedelta(days=35)})
    trainees = [people_service.find_by_email(session, f"trainee{i}@example.com") for i in range(1, 7)]
    mentors = [people_service.find_by_email(session, e) for e in ("mentor.ai@example.com", "mentor.biz@example.com")]
    for trainee, (target, source, ratings) in zip(trainees, DEMO_ENROLLMENTS, strict=True):
        enrollment, _ = cohorts.enroll(session, None, cohort, trainee, target, source)
        for mentor in mentors:
            if enrollment.current_mentor(mentor.mentor_kind) is None:
                mentoring.assign(session, None, enrollment, mentor, "演示数据 demo")
        if not enrollment.baselines:
            session.flush()
            scores = dict(zip([c.value for c in Competency], ratings, strict=True))
            cohorts.set_baseline(session, mentors[0], enrollment, scores)
    return cohort
