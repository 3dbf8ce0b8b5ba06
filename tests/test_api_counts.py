"""Every HR API list costs the same number of SQL statements at 3 and at 60 rows (a page is 50):
rows come from a keyset select of plain columns, related figures from a fixed number of
statements, never one per row."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import (
    AgentDefect,
    Cohort,
    Contribution,
    ContributionCategory,
    ContributionState,
    DefectState,
    DefectType,
    Enrollment,
    EnrollmentStatus,
    Payout,
    Placement,
    Program,
    User,
)
from tests.api_helpers import make_token
from tests.buffer_fixtures import make_agent

SIZES = (3, 60)


def _seed(app, n: int, prefix: str, coach_id: int) -> dict:
    """A cohort of `n` placed trainees, each with a defect and an approved award (plain inserts)."""
    with app.app_context():
        program_id = db.session.scalar(sa.select(Program.id))
        cohort = Cohort(code=f"{prefix}-C", name=prefix, program_id=program_id, start_date=date(2026, 1, 5))
        db.session.add(cohort)
        db.session.flush()
        db.session.execute(sa.insert(User), [
            {"email": f"{prefix}{i}@example.com", "name": f"{prefix} {i:03d}", "role": "trainee", "locale": "en",
             "session_token": f"{prefix}-{i}"} for i in range(n)])
        users = db.session.scalars(sa.select(User.id).where(User.email.like(f"{prefix}%@example.com"))
                                   .order_by(User.id)).all()
        db.session.execute(sa.insert(Enrollment), [
            {"cohort_id": cohort.id, "trainee_id": u, "target_role": "collab_cs", "status": EnrollmentStatus.ACTIVE}
            for u in users])
        enrollments = db.session.execute(sa.select(Enrollment.id, Enrollment.trainee_id)
                                         .where(Enrollment.cohort_id == cohort.id).order_by(Enrollment.id)).all()
        agent = make_agent(db.session)
        db.session.execute(sa.insert(Placement), [
            {"enrollment_id": e, "trainee_id": t, "role": "collab_cs", "team": "售后", "lead_name": "黄蕾",
             "agent_id": agent.id, "coach_id": coach_id, "start_date": date(2026, 4, 13),
             "buffer_end": date(2026, 7, 12)} for e, t in enrollments])
        placements = dict(db.session.execute(sa.select(Placement.trainee_id, Placement.id)
                                             .where(Placement.trainee_id.in_(users))).all())
        db.session.execute(sa.insert(AgentDefect), [
            {"agent_id": agent.id, "reporter_id": users[0], "placement_id": placements[users[0]],
             "cohort_id": cohort.id, "type": DefectType.WRONG_ANSWER, "intent": f"咨询 {i}", "intent_key": f"咨询 {i}",
             "platform": "千牛", "excerpt": "……", "agent_said": "a", "should_say": "b", "severity": "high",
             "complex": True, "seen_at": datetime(2026, 4, 20, 2), "state": DefectState.NEW,
             "created_at": datetime(2026, 4, 20, 2)} for i in range(n)])
        db.session.execute(sa.insert(Contribution), [
            {"contributor_id": u, "cohort_id": cohort.id, "category": ContributionCategory.KB_UPDATE,
             "title": "知识库更新", "description": "…", "state": ContributionState.AWARDED, "band_cny": 1000,
             "points": 15, "approved_at": datetime(2026, 6, 1), "payout": Payout.APPROVED} for u in users])
        db.session.commit()
        reporter = db.session.get(User, users[0])
        db.session.expunge(reporter)
        return {"cohort_id": cohort.id, "reporter": reporter}


def _statements(api, count_queries, path: str, token: str, rows: int) -> int:
    api.get(path, token)  # warm up: the outline cache, translations, the token's last-used time
    with count_queries() as counter:
        response = api.get(path, token)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert len(response.get_json()["items"]) == rows, path
    assert counter.writes == [], path
    return len(counter.statements)


@pytest.mark.parametrize("resource", ["trainees", "placements", "awards", "defects-all", "defects-own"])
def test_each_list_costs_the_same_at_two_sizes(app, api, catalog, make_user, count_queries, resource):
    admin = make_token(app, make_user("admin"))
    coach = make_user("mentor", mentor_kind="business", capacity=100)
    counts = {}
    for n in SIZES:
        seeded = _seed(app, n, f"s{n}x", coach.id)
        cohort_id = seeded["cohort_id"]
        path, token = {
            "trainees": (f"/api/v1/cohorts/{cohort_id}/trainees", admin),
            "placements": (f"/api/v1/placements?cohort_id={cohort_id}", admin),
            "awards": (f"/api/v1/awards?cohort_id={cohort_id}", admin),
            "defects-all": (f"/api/v1/defects?cohort_id={cohort_id}", admin),
            "defects-own": ("/api/v1/defects", make_token(app, seeded["reporter"], "write")),
        }[resource]
        counts[n] = _statements(api, count_queries, path, token, min(n, 50))
    assert counts[SIZES[0]] == counts[SIZES[1]], counts


def test_the_cohort_list_costs_the_same_at_two_sizes(app, api, catalog, make_user, count_queries):
    admin = make_token(app, make_user("admin"))
    counts = {}
    with app.app_context():
        program_id = db.session.scalar(sa.select(Program.id))
    made = 0
    trainees = [make_user("trainee").id for _ in range(6)]
    for n in SIZES:
        with app.app_context():
            db.session.execute(sa.insert(Cohort), [
                {"code": f"K{i}", "name": f"K{i}", "program_id": program_id, "start_date": date(2026, 1, 5)}
                for i in range(made, n)])
            ids = db.session.scalars(sa.select(Cohort.id)).all()
            db.session.execute(sa.insert(Enrollment), [  # a few with head counts, the rest empty
                {"cohort_id": c, "trainee_id": trainees.pop(), "target_role": "collab_cs",
                 "status": EnrollmentStatus.ACTIVE} for c in ids[made:n][:3]])
            db.session.commit()
        made = n
        counts[n] = _statements(api, count_queries, "/api/v1/cohorts", admin, min(n, 50))
    assert counts[SIZES[0]] == counts[SIZES[1]] <= 4, counts
