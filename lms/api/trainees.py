"""One trainee's progress: what their home page shows (lms/services/dashboards.py, trainee_home)."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from lms.api import bp
from lms.api.auth import holder
from lms.api.cohorts import Lessons, today
from lms.api.errors import problem
from lms.api.schemas import ApiSchema, TraineeRef
from lms.extensions import db
from lms.models import Competency, EnrollmentStatus, MentorKind, Role, TargetRole, TokenScope, User
from lms.permissions import Action, may_view_enrollment, require_token
from lms.services import clock, dashboards
from lms.services import placement as placement_service


class EnrollmentRef(ApiSchema):
    id = fields.Integer(required=True)
    cohort_id = fields.Integer(required=True)
    cohort_code = fields.String(required=True)
    target_role = fields.String(required=True, validate=validate.OneOf([r.value for r in TargetRole]))
    source_role = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in EnrollmentStatus]))


class MentorRef(ApiSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class Mentors(ApiSchema):
    ai = fields.Nested(MentorRef, required=True, allow_none=True)
    business = fields.Nested(MentorRef, required=True, allow_none=True)


class TierProgress(ApiSchema):
    code = fields.String(required=True)
    needed = fields.Boolean(required=True, metadata={"description": _l("Part of the target role.")})
    unlocked = fields.Boolean(required=True)
    required_assessments = fields.Integer(required=True)
    passed_assessments = fields.Integer(required=True)
    complete = fields.Boolean(required=True)
    lessons = fields.Nested(Lessons, required=True)


class Work(ApiSchema):
    overdue = fields.Integer(required=True)
    waiting_for_grade = fields.Integer(required=True)
    due_in_14_days = fields.Integer(required=True)


class Readiness(ApiSchema):
    competency = fields.String(required=True, validate=validate.OneOf([c.value for c in Competency]))
    required = fields.Integer(required=True, metadata={"description": _l("% the target role asks for.")})
    current = fields.Float(required=True, allow_none=True)
    ready = fields.Boolean(required=True)


class PlacementRef(ApiSchema):
    id = fields.Integer(required=True)
    role = fields.String(required=True)
    start_date = fields.Date(required=True)
    buffer_last_day = fields.Date(required=True)
    outcome = fields.String(required=True, allow_none=True)


class TraineeProgress(ApiSchema):
    trainee = fields.Nested(TraineeRef, required=True)
    enrollment = fields.Nested(EnrollmentRef, required=True)
    phase = fields.String(required=True, validate=validate.OneOf([p.value for p in clock.Phase]))
    week = fields.Integer(required=True)
    mentors = fields.Nested(Mentors, required=True)
    lessons = fields.Nested(Lessons, required=True)
    tiers = fields.List(fields.Nested(TierProgress), required=True)
    work = fields.Nested(Work, required=True)
    attainment = fields.Dict(keys=fields.String(validate=validate.OneOf([c.value for c in Competency])),
                             values=fields.Float(allow_none=True), required=True, metadata={"description": _l(
                                 "Weighted rubric score per competency now, %; null: nothing graded on it yet.")})
    baseline = fields.Dict(keys=fields.String(validate=validate.OneOf([c.value for c in Competency])),
                           values=fields.Float(allow_none=True), required=True, metadata={"description": _l(
                               "The intake rating per competency, %.")})
    readiness = fields.List(fields.Nested(Readiness), required=True)
    placement = fields.Nested(PlacementRef, required=True, allow_none=True)


def _lessons(p) -> dict:
    return {"done": p.done, "total": p.total, "percent": p.percent}


def _mentor(user) -> dict | None:
    return {"id": user.id, "name": user.name} if user is not None else None


@bp.route("/trainees/<int:trainee_id>")
@require_token(Action.VIEW_TRAINEE, scope=TokenScope.READ)
@bp.response(200, TraineeProgress, description=_l("The trainee's progress."))
@bp.doc(summary=_l("A trainee's progress"), description=_l(
    "Their current enrollment (else the latest): phase and week, mentors, lessons, tiers, work due, attainment "
    "beside the intake baseline, readiness for the target role and the placement."), tags=["trainees"])
def trainee_progress(trainee_id: int):
    trainee = db.session.get(User, trainee_id)
    if trainee is None or trainee.role != Role.TRAINEE:
        return problem(404, _l("There is no trainee %(id)d.", id=trainee_id))
    home = dashboards.trainee_home(db.session, trainee, today(), current_app.config["BABEL_DEFAULT_TIMEZONE"])
    enrollment = home.enrollment
    if enrollment is None:
        return problem(404, _l("This trainee is not enrolled in any cohort."))
    if not may_view_enrollment(holder(), enrollment):
        return problem(403, _l("The account holding this token may not read this trainee."))
    placement = placement_service.placement_of(db.session, enrollment.id)
    return {
        "trainee": {"id": trainee.id, "name": trainee.name, "email": trainee.email},
        "enrollment": {"id": enrollment.id, "cohort_id": enrollment.cohort_id, "cohort_code": enrollment.cohort.code,
                       "target_role": enrollment.target_role.value,
                       "source_role": enrollment.source_role.value if enrollment.source_role else None,
                       "status": enrollment.status.value},
        "phase": home.phase.value, "week": home.week,
        "mentors": {"ai": _mentor(home.mentors.get(MentorKind.AI)),
                    "business": _mentor(home.mentors.get(MentorKind.BUSINESS))},
        "lessons": _lessons(home.overall),
        "tiers": [{"code": s.tier.code.value, "needed": s.needed, "unlocked": s.unlocked,
                   "required_assessments": s.required_total, "passed_assessments": s.required_passed,
                   "complete": s.complete, "lessons": _lessons(s.progress)} for s in home.states],
        "work": {"overdue": len(home.overdue), "waiting_for_grade": len(home.waiting),
                 "due_in_14_days": len(home.coming_up)},
        "attainment": {c.value: v for c, v in home.scores.items()},
        "baseline": {str(c): v for c, v in home.baselines.items()},
        "readiness": [{"competency": r.competency.value, "required": r.required, "current": r.current,
                       "ready": r.ready} for r in home.readiness],
        "placement": None if placement is None else {
            "id": placement.id, "role": placement.role.value, "start_date": placement.start_date,
            "buffer_last_day": placement.last_day, "outcome": placement.outcome.value if placement.outcome else None},
    }
