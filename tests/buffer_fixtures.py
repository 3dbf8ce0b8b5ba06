"""Factories for the placement and buffer tests: passed tiers, agents, placements."""

from datetime import date

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Agent, Enrollment, Submission, SubmissionState
from lms.models.base import utcnow
from lms.services import placement as placement_service
from lms.services import progress


def pass_tiers(session, enrollment: Enrollment, tiers: list[str]) -> None:
    """A graded, passed attempt at every required assessment of `tiers` for the enrollment's role."""
    outline = progress.role_outline(session, enrollment.cohort.program, enrollment.target_role.value)
    for tier in outline:
        if tier.code not in tiers:
            continue
        for assessment in progress.required_assessments(tier):
            session.add(Submission(trainee_id=enrollment.trainee_id, assessment_id=assessment.id, attempt_no=1,
                                   state=SubmissionState.GRADED, passed=True, score=90.0, submitted_at=utcnow(),
                                   graded_at=utcnow()))
    session.flush()


def make_agent(session, code: str = "cs-bot", name: str = "小蜜客服助手") -> Agent:
    agent = session.scalar(sa.select(Agent).where(Agent.code == code))
    if agent is None:
        agent = Agent(code=code, name=name, platform="千牛", version="v2.3", owner_team="智能客服组")
        session.add(agent)
        session.flush()
    return agent


def place(session, enrollment_id: int, start: date, coach_id=None, **values):
    """Pass the role's tiers and place the trainee (committed); returns the placement id."""
    enrollment = session.get(Enrollment, enrollment_id)
    pass_tiers(session, enrollment, enrollment.cohort.program.tiers_for_role(enrollment.target_role.value))
    agent = make_agent(session)
    placement = placement_service.place(session, None, enrollment, {
        "team": "售后二组", "lead_name": "黄蕾", "lead_email": "lead@example.com", "agent_id": agent.id,
        "start_date": start, "coach_id": coach_id, **values})
    db.session.commit()
    return placement.id
