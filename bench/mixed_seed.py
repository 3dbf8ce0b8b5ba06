"""What the mixed load script needs on top of bench/seed.py's program: per virtual user a batch
of fresh trainees of one AI mentor (each journey submits one trainee's first piece of work), a
placed person with a running buffer period (their agent's defects), and API tokens for the 双11
burst; then each virtual user's `Cast` (bench/journey.py).

Fresh trainees come as a new cohort per run (`tag`), so a reused bench database serves run
after run; the placed people and agents are made once. Used by bench/mixed.py and by
tests/test_bench_smoke.py (on a tiny seed), so both run the same code.
"""

from collections import Counter
from dataclasses import asdict
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import generate_password_hash

from bench import seed as bench_seed
from bench.journey import Cast
from lms.models import (
    Agent,
    Assessment,
    Cohort,
    Enrollment,
    MentorAssignment,
    Placement,
    Submission,
    SubmissionState,
    User,
)
from lms.models.base import utcnow
from lms.services import api_tokens, progress
from lms.services import placement as placement_service
from lms.services.demo_answers import DEMO_ANSWERS, STRONG
from lms.services.outline import OutlineAssessment

ROLE = "collab_cs"
PLACED_COHORT = "LOADP"
PLACED_DAYS = 20  # into their buffer period when the bench runs
AGENTS = [("loadmix-presale-bot", "售前助手"), ("loadmix-aftersales-bot", "售后助手"),
          ("loadmix-logistics-bot", "物流查询助手"), ("loadmix-promo-bot", "活动咨询助手")]


def placed_email(k: int) -> str:
    return f"placed.{k}@bench.example"


def _users(session: Session, rows: list[dict]) -> list[int]:
    password_hash = generate_password_hash(bench_seed.PASSWORD, method=bench_seed.PASSWORD_HASH)
    return bench_seed._insert(session, User, [
        {"role": "trainee", "mentor_kind": None, "capacity": None, "password_hash": password_hash,
         "locale": "zh_CN", "active": True, "mentor_load": 0, **row} for row in rows])


def _mentors(session: Session) -> dict[str, list[User]]:
    """The bench's mentors by kind, in their seeded order (mentor.<kind>.<i>)."""
    out = {}
    for kind in ("ai", "business"):
        found = {m.email: m for m in session.scalars(
            sa.select(User).where(User.email.like(f"mentor.{kind}.%@bench.example")))}
        out[kind] = [found[e] for e in sorted(found, key=lambda e: int(e.split(".")[2].split("@")[0]))]
    return out


def _assign(session: Session, enrollment_ids: list[int], mentors: list[User], kind: str) -> None:
    """Mentor i coaches enrollment i; each mentor's load (and capacity, if it falls short) grows."""
    bench_seed._insert(session, MentorAssignment, [
        {"enrollment_id": e, "mentor_id": m.id, "kind": kind, "reason": "Auto-assigned", "started_at": utcnow()}
        for e, m in zip(enrollment_ids, mentors, strict=True)])
    for mentor_id, n in Counter(m.id for m in mentors).items():
        load = User.mentor_load + n
        session.execute(sa.update(User).where(User.id == mentor_id).values(
            mentor_load=load, capacity=sa.case((User.capacity < load, load), else_=User.capacity)))


def ensure_placed(session: Session, vus: int, today: date) -> None:
    """`vus` placed people (placed.<k>), each paired with an agent, in their buffer period's
    fourth week: enrolled, every required assessment of the role passed, placed through the
    placement service (coach: the business mentor of the same index)."""
    missing = [k for k in range(vus) if session.scalar(
        sa.select(User.id).where(User.email == placed_email(k))) is None]
    if not missing:
        return
    program = progress.current_program(session)
    cohort = session.scalar(sa.select(Cohort).where(Cohort.code == PLACED_COHORT))
    if cohort is None:
        cohort = Cohort(code=PLACED_COHORT, name="Bench 已上岗批次", program_id=program.id,
                        start_date=today - timedelta(weeks=20), created_at=utcnow())
        session.add(cohort)
        session.flush()
    agents = []
    for code, name in AGENTS:
        agent = session.scalar(sa.select(Agent).where(Agent.code == code))
        agents.append(agent or placement_service.create_agent(session, None, {
            "code": code, "name": name, "platform": "千牛", "version": "v3.1", "owner_team": "智能客服组"}))
    ids = _users(session, [{"email": placed_email(k), "name": f"上岗学员 {k}"} for k in missing])
    enrollment_ids = bench_seed._insert(session, Enrollment, [
        {"cohort_id": cohort.id, "trainee_id": t, "target_role": ROLE, "source_role": "basic_cs",
         "status": "active", "cohort_open": True, "created_at": utcnow()} for t in ids])
    required = [a.id for tier in progress.role_outline(session, program, ROLE)
                if tier.code in program.tiers_for_role(ROLE) for a in progress.required_assessments(tier)]
    graded = utcnow() - timedelta(days=PLACED_DAYS + 7)
    bench_seed._insert(session, Submission, [
        {"trainee_id": t, "assessment_id": a, "attempt_no": 1, "state": SubmissionState.GRADED, "answers": {},
         "checks": [], "check_runs": [], "passed": True, "score": 90.0, "submitted_at": graded,
         "graded_at": graded, "created_at": graded, "updated_at": graded, "version": 1}
        for t in ids for a in required])
    business = _mentors(session)["business"]
    for n, (k, enrollment_id) in enumerate(zip(missing, enrollment_ids, strict=True)):
        enrollment = session.get(Enrollment, enrollment_id)
        placement_service.place(session, None, enrollment, {
            "team": "售前一组", "lead_name": "黄蕾", "agent_id": agents[n % len(agents)].id,
            "start_date": today - timedelta(days=PLACED_DAYS), "coach_id": business[k % len(business)].id},
            default_capacity=max(8, vus))
    session.commit()


def add_journey_trainees(session: Session, vus: int, per_vu: int, tag: str, today: date) -> list[list[str]]:
    """`per_vu` fresh trainees (nothing submitted yet) per virtual user, those of user k coached by
    the bench's AI and business mentor k: left over from earlier runs first, the rest in a new
    cohort (`L<tag>`, in its second week). Their e-mails, per user."""
    emails: list[list[str]] = [[] for _ in range(vus)]
    unused = session.scalars(sa.select(User.email).where(
        User.email.like("journey.%"), ~sa.exists().where(Submission.trainee_id == User.id)).order_by(User.id))
    for email in unused:
        k = int(email.split(".")[2])
        if k < vus and len(emails[k]) < per_vu:
            emails[k].append(email)
    new = [(k, f"journey.{tag.lower()}.{k}.{i}@bench.example")
           for k in range(vus) for i in range(per_vu - len(emails[k]))]
    if new:
        program = progress.current_program(session)
        cohort = Cohort(code=f"L{tag}", name=f"Bench 压测批次 {tag}", program_id=program.id,
                        start_date=today - timedelta(weeks=1), created_at=utcnow())
        session.add(cohort)
        session.flush()
        ids = _users(session, [{"email": e, "name": f"压测学员 {k}-{e.split('.')[3].split('@')[0]}"} for k, e in new])
        enrollment_ids = bench_seed._insert(session, Enrollment, [
            {"cohort_id": cohort.id, "trainee_id": t, "target_role": ROLE, "source_role": "basic_cs",
             "status": "active", "cohort_open": True, "created_at": utcnow()} for t in ids])
        mentors = _mentors(session)
        for kind in ("ai", "business"):
            _assign(session, enrollment_ids, [mentors[kind][k % len(mentors[kind])] for k, _ in new], kind)
        for k, email in new:
            emails[k].append(email)
    session.commit()
    return emails


def first_work(session: Session) -> tuple[int, dict[str, str]]:
    """The role's first individual assessment without a file to upload, with written answers."""
    program = progress.current_program(session)
    first_tier = progress.role_outline(session, program, ROLE)[0]
    for step in progress.steps([first_tier]):
        if not isinstance(step, OutlineAssessment):
            continue
        assessment = session.scalar(sa.select(Assessment).where(Assessment.id == step.id)
                                    .options(selectinload(Assessment.criteria)))
        files = any(spec["type"] == "file" for spec in assessment.fields)
        if assessment.group_work is None and not files and assessment.code in DEMO_ANSWERS:
            return assessment.id, bench_seed._answers(assessment, STRONG)
    raise LookupError("no first-tier assessment the script can answer")


def casts(session: Session, data: bench_seed.BenchData, vus: int, per_vu: int, tag: str, today: date,
          dashboards: list[tuple[str, str]]) -> list[Cast]:
    """Seed this run's people (see the module) and say who each virtual user plays."""
    ensure_placed(session, vus, today)
    trainees = add_journey_trainees(session, vus, per_vu, tag, today)
    assessment_id, answers = first_work(session)
    ai = _mentors(session)["ai"]
    admin = bench_seed.email_of(session, data.admin_id)
    return [Cast(trainees=trainees[k], mentor=ai[k % len(ai)].email, admin=admin, placed=placed_email(k),
                 password=bench_seed.PASSWORD, lesson_id=data.lesson_id, assessment_id=assessment_id,
                 answers=answers, dashboards=dashboards, offset=k) for k in range(vus)]


def burst_tokens(session: Session, vus: int) -> tuple[str, list[str]]:
    """A fresh write token of the admin (hand-off events) and of each placed person (their defects):
    a token is shown once, so a reused database gets new ones each run."""
    admin = session.scalar(sa.select(User).where(User.email == bench_seed.ADMIN_EMAIL))
    _, admin_token = api_tokens.issue(session, admin, admin, "双11 hand-off feed", "write")
    people = []
    for k in range(vus):
        person = session.scalar(sa.select(User).where(User.email == placed_email(k)))
        people.append(api_tokens.issue(session, person, person, "客服工作台", "write")[1])
    session.commit()
    return admin_token, people


def placed_people(session: Session, vus: int) -> list[dict]:
    """E-mail, agent code and buffer start of each placed person (the burst's hand-off events)."""
    rows = session.execute(
        sa.select(User.email, Agent.code, Placement.start_date).join(Placement, Placement.trainee_id == User.id)
        .join(Agent, Agent.id == Placement.agent_id).where(User.email.in_([placed_email(k) for k in range(vus)]))
        .order_by(User.email))
    return [{"email": e, "agent": a, "start": s} for e, a, s in rows]


def cast_json(cast: Cast) -> dict:
    return asdict(cast)


def dashboard_pages(url_map, cohort_id: int) -> list[tuple[str, str]]:
    """The admin's pages in the script: the admin home, and every dashboard of a cohort that
    this code base has (a GET route under /admin/ with "dashboard" in it and only a cohort id)."""
    pages = [("admin home", "/admin/")]
    for rule in sorted(url_map.iter_rules(), key=lambda r: r.rule):
        if (rule.rule.startswith("/admin/") and "dashboard" in rule.rule and "GET" in (rule.methods or {"GET"})
                and rule.arguments <= {"cohort_id"}):
            name = rule.endpoint.split(".")[-1].replace("_", " ")
            pages.append((name, rule.rule.replace("<int:cohort_id>", str(cohort_id))
                          .replace("<cohort_id>", str(cohort_id))))
    return pages


# --- the 双11 burst's requests ----------------------------------------------------------


def defect_body(n: int) -> dict:
    """The n-th defect a service console sends (masked by the API before it is stored)."""
    return {"type": ("misleading_promo", "wrong_answer", "bad_handoff")[n % 3], "intent": f"大促咨询 {n % 11}",
            "severity": ("high", "medium", "low")[n % 3],
            "excerpt": f"[00:{n % 60:02d}] 顾客：双11 付定金后尾款能用跨店满减吗？收货人王小明 "
                       f"139-0000-{n % 10000:04d}\n[00:01] 智能体：不能叠加哦~",
            "agent_said": "不能叠加", "should_say": "可以叠加跨店满减，以结算页为准。", "sku": f"SKU-{n % 97}"}


def handoff_batch(people: list[dict], first: int, size: int, tag: str) -> dict:
    """Hand-off events first … first+size-1, round-robin over the placed people, within their
    buffer period so far; IDs carry the run's tag, so every event is new."""
    events = []
    for n in range(first, first + size):
        person = people[n % len(people)]
        day = person["start"] + timedelta(days=n // len(people) % PLACED_DAYS)
        minute = n % 600
        flagged = f"{day}T{9 + minute // 60:02d}:{minute % 60:02d}:00+08:00"
        responded = f"{day}T{9 + minute // 60:02d}:{minute % 60:02d}:40+08:00"
        events.append({"external_id": f"BURST-{tag}-{n}", "trainee": person["email"], "agent": person["agent"],
                       "flagged_at": flagged, "responded_at": responded, "closed_at": None,
                       "complex": n % 5 == 0, "cross_team": n % 7 == 0,
                       "category": ("退款", "物流异常", "活动规则")[n % 3]})
    return {"events": events}
